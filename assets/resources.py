"""Resources: one per external system, built from a `Settings` object (firmo/settings.py) by
`pipelines.definitions.build_definitions(settings)`; nothing here reads the environment.

Secrets stay `EnvVar`s (Dagster resolves them when a run starts and the UI shows only the
variable's name): a settings object tells which are set, never passes their values here.

- `warehouse`: the DuckDB file (dagster-duckdb's resource, with the project's settings).
- `registry_sources`: where each registry file comes from. By default the generated demo files
  (offline, listed in `data/demo/demo.json`); `FIRMO_SOURCES=live` switches to the real
  publishers' addresses, and each source can be overridden one by one (a path or a URL).
- `providers`: the contact-enrichment providers' keys (EnvVar) and endpoints.
- `paths`: where files are written and read (downloads, CRM files, ICP files).
- `sirene_api`, `rne_api`, `hubspot`: the registry APIs of the nightly run and the HubSpot push.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, EnvVar
from dagster_duckdb import DuckDBResource

from firmo import db
from firmo.settings import Settings, provider_key_var
from waterfall.dns import MxResolver
from waterfall.providers.registry import KEYED_PROVIDERS

# Stable addresses of the public files (inpi_bodacc.md §2.1). The RNE stock is not among them:
# it sits on INPI's FTP behind an account, see README "Pointing it at the real registries".
RATIOS_URL = "https://www.data.gouv.fr/api/1/datasets/r/9d213815-1649-4527-9eb4-427146ef2e5b"


class WarehouseResource(DuckDBResource):
    """DuckDB warehouse; every connection has the firmo schemas ready."""

    @contextlib.contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with super().get_connection() as con:
            try:
                db.ensure_schemas(con)
                yield con
            finally:  # dagster-duckdb closes it only when the body returns: a raising asset kept the file open
                con.close()


def warehouse_resource(settings: Settings) -> WarehouseResource:
    """The warehouse at `settings.db_path`, with its DuckDB memory and thread settings."""
    config: dict[str, object] = {
        "memory_limit": settings.duckdb_memory,
        "preserve_insertion_order": False,
    }
    if settings.duckdb_threads:
        config["threads"] = settings.duckdb_threads
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    return WarehouseResource(database=str(settings.db_path), connection_config=config)


class PathsResource(ConfigurableResource):
    """Where the assets read and write files, from the settings (so two code locations built with
    two settings objects never share a folder): downloads, CRM import files, ICP files."""

    data_dir: str
    exports_dir: str
    icp_dir: str

    @classmethod
    def from_settings(cls, settings: Settings) -> PathsResource:
        return cls(
            data_dir=str(settings.data_dir), exports_dir=str(settings.exports_dir), icp_dir=str(settings.icp_dir)
        )

    @property
    def leads_dir(self) -> Path:
        """`<data dir>/leads`: the CSV copy of each lead list."""
        return Path(self.data_dir) / "leads"

    @property
    def snapshots_dir(self) -> Path:
        """`<data dir>/snapshots`: the read-only copies analysts query."""
        return Path(self.data_dir) / "snapshots"

    def raw(self, registry: str) -> Path:
        """`<data dir>/raw/<registry>`: downloaded or generated files of one registry."""
        return Path(self.data_dir) / "raw" / registry


def _demo_files(settings: Settings) -> dict[str, str]:
    marker = settings.demo_dir / "demo.json"
    return json.loads(marker.read_text())["files"] if marker.is_file() else {}


class RegistrySourcesResource(ConfigurableResource):
    """Paths or URLs of the registry files; local paths are read in place, URLs downloaded.

    An empty source means "not configured": the asset then fails with a message saying which
    variable to set, rather than loading nothing silently.
    """

    sirene_unites_legales: str
    sirene_etablissements: str
    inpi_rne: list[str]
    inpi_ratios: str
    bodacc: list[str]
    parse_workers: int = 4  # FIRMO_PARSE_WORKERS: processes parsing BODACC files side by side
    geoloc: str = ""  # FIRMO_GEOLOC_SOURCE: the establishment geolocation file
    geoloc_max_removal_pct: float = 1.0  # FIRMO_GEOLOC_MAX_REMOVAL_PCT
    idcc_siret: str = ""  # FIRMO_IDCC_SIRET_SOURCE: the SIRET -> IDCC file
    idcc_dares: str = ""  # FIRMO_IDCC_DARES_SOURCE: the DARES workbook or the page linking it
    idcc_kali: str = ""  # FIRMO_IDCC_KALI_SOURCE: the KALI agreements list
    idcc_max_removal_pct: float = 1.0  # FIRMO_IDCC_MAX_REMOVAL_PCT

    @classmethod
    def from_settings(cls, settings: Settings) -> RegistrySourcesResource:
        live = settings.live
        demo = {} if live else _demo_files(settings)
        idcc = _idcc_sources(settings, demo)
        if live:
            from sources.sirene.download import stock_urls

            ul, et = stock_urls("unites_legales", "parquet"), stock_urls("etablissements", "parquet")
        else:
            ul, et = demo.get("sirene:unites_legales_csv_zip", ""), demo.get("sirene:etablissements_csv_zip", "")
        return cls(
            sirene_unites_legales=settings.sirene_ul_source or ul,
            sirene_etablissements=settings.sirene_etab_source or et,
            inpi_rne=list(
                settings.inpi_rne_source or [demo[k] for k in ("inpi:rne_stock", "inpi:rne_diff") if k in demo]
            ),
            inpi_ratios=settings.inpi_ratios_source or (RATIOS_URL if live else demo.get("inpi:ratios", "")),
            bodacc=list(settings.bodacc_source or sorted(v for k, v in demo.items() if k.startswith("bodacc:"))),
            parse_workers=settings.parse_workers,
            geoloc=settings.geoloc_source or (_geoloc_url() if live else demo.get("geoloc:csv_zip", "")),
            geoloc_max_removal_pct=settings.geoloc_max_removal_pct,
            idcc_siret=idcc[0],
            idcc_dares=idcc[1],
            idcc_kali=idcc[2],
            idcc_max_removal_pct=settings.idcc_max_removal_pct,
        )


def _idcc_sources(settings: Settings, demo: dict[str, str]) -> tuple[str, str, str]:
    """The SIRET -> IDCC, DARES and KALI sources: the settings', else the publishers' addresses
    (live) or the demo files."""
    from sources.idcc.download import DARES_PAGE_URL, KALI_URL, SIRET_IDCC_URL

    live = settings.live
    return (
        settings.idcc_siret_source or (SIRET_IDCC_URL if live else demo.get("idcc:siret_idcc", "")),
        settings.idcc_dares_source or (DARES_PAGE_URL if live else demo.get("idcc:dares", "")),
        settings.idcc_kali_source or (KALI_URL if live else demo.get("idcc:kali", "")),
    )


def _geoloc_url() -> str:
    from sources.geoloc.download import geoloc_url

    return geoloc_url("csv_zip")


class DecpResource(ConfigurableResource):
    """The DECP source (the consolidated decp.parquet / decp.csv, a path or URL), the tabular API
    of its daily delta, and the share of quarantined rows a load accepts (FIRMO_DECP_*)."""

    source: str
    api_url: str
    max_reject_share: float = 0.01

    @classmethod
    def from_settings(cls, settings: Settings) -> DecpResource:
        from sources.decp.columns import STOCK_URL

        demo = {} if settings.live else _demo_files(settings)
        default = STOCK_URL if settings.live else demo.get("decp:stock", "")
        return cls(
            source=settings.decp_source or default,
            api_url=settings.decp_api_url,
            max_reject_share=settings.decp_max_reject_share,
        )


class LabelSourcesResource(ConfigurableResource):
    """Where each label source comes from (sources.labels.config: FIRMO_LABELS_<SOURCE>_SOURCE, else
    the publisher's address live or the demo file), the sources left out and why, and the marché de
    l'inclusion token as `EnvVar("FIRMO_MARCHE_INCLUSION_TOKEN")` when it is set."""

    sources: dict[str, str]
    skipped: dict[str, str] = {}
    marche_inclusion_token: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> LabelSourcesResource:
        from sources.labels.config import configured_sources

        chosen, skipped = configured_sources(settings)
        token = (
            {"marche_inclusion_token": EnvVar("FIRMO_MARCHE_INCLUSION_TOKEN")}
            if settings.marche_inclusion_token
            else {}
        )
        return cls(sources=chosen, skipped=skipped, **token)


# --------------------------------------------------------------------------- enrichment providers

# The waterfall's list; each name has its `<name>_api_key` field below (Dagster resolves an EnvVar only in a
# field of its own), which tests/pipelines/test_provider_names.py keeps in step with the list.
_PROVIDER_NAMES = KEYED_PROVIDERS


class ProvidersResource(ConfigurableResource):
    """The contact-enrichment providers' keys and endpoints.

    Each key is an `EnvVar` (`FIRMO_<NAME>_API_KEY`): Dagster resolves it when the run starts and
    shows only the variable's name in the UI, never the value. A provider whose variable is not
    set is simply absent from the waterfall. `base_urls` (`FIRMO_<NAME>_BASE_URL`, not secret)
    points a provider at another endpoint: the demo's local stand-in server, or a proxy.
    """

    hunter_api_key: str | None = None
    dropcontact_api_key: str | None = None
    apollo_api_key: str | None = None
    fullenrich_api_key: str | None = None
    lusha_api_key: str | None = None
    prospeo_api_key: str | None = None
    icypeas_api_key: str | None = None
    enrow_api_key: str | None = None
    findymail_api_key: str | None = None
    pdl_api_key: str | None = None
    kaspr_api_key: str | None = None
    datagma_api_key: str | None = None
    leadmagic_api_key: str | None = None
    rocketreach_api_key: str | None = None
    base_urls: dict[str, str] = {}
    config_path: str | None = None  # waterfall YAML (FIRMO_WATERFALL_CONFIG); None = shipped default
    recheck_days: int = 180  # FIRMO_RECHECK_DAYS: job-change re-checks of people enriched longer ago
    recheck_monthly_credits: float = 2000.0  # FIRMO_RECHECK_MONTHLY_CREDITS: their own monthly budget

    @classmethod
    def from_settings(cls, settings: Settings) -> ProvidersResource:
        keys = {
            f"{name}_api_key": EnvVar(provider_key_var(name))
            for name in _PROVIDER_NAMES
            if name in settings.provider_keys
        }
        urls = {name: url for name, url in settings.provider_base_urls.items() if name in _PROVIDER_NAMES}
        config = str(settings.waterfall_config) if settings.waterfall_config else None
        return cls(
            **keys,
            base_urls=urls,
            config_path=config,
            recheck_days=settings.recheck_days,
            recheck_monthly_credits=settings.recheck_monthly_credits,
        )

    def key_env(self) -> dict[str, str]:
        """`FIRMO_<NAME>_API_KEY` -> key, for the providers that have one (never logged)."""
        return {
            f"FIRMO_{name.upper()}_API_KEY": getattr(self, f"{name}_api_key")
            for name in _PROVIDER_NAMES
            if getattr(self, f"{name}_api_key")
        }

    def configured(self) -> list[str]:
        return [name for name in _PROVIDER_NAMES if getattr(self, f"{name}_api_key")]


# --------------------------------------------------------------------------- registry APIs (nightly)


class DnsResource(ConfigurableResource):
    """The DNS server asked whether a company's domain receives mail (MX lookup) before any paid
    email question about it (waterfall.dns). `nameserver` is FIRMO_DNS_RESOLVER (`host[:port]`);
    empty means the system's resolvers. The demo and the tests point it at a DNS server on loopback
    (waterfall.fake.dns)."""

    nameserver: str = ""
    timeout_s: float = 3.0

    @classmethod
    def from_settings(cls, settings: Settings) -> DnsResource:
        return cls(nameserver=settings.dns_resolver)

    def resolver(self) -> MxResolver:
        """A new resolver per run: its cache (one query per domain) lives as long as the run."""
        return MxResolver(self.nameserver, timeout=self.timeout_s)


class SireneApiResource(ConfigurableResource):
    """API Sirene 3.11 (INSEE), for the nightly delta between two monthly stocks.

    `api_key` is `EnvVar("INSEE_API_KEY")` when that variable is set: the UI shows the variable's
    name only. Without it the nightly delta is skipped with a log line (the monthly stock still loads).
    """

    api_key: str | None = None
    base_url: str = "https://api.insee.fr/api-sirene/3.11"

    @classmethod
    def from_settings(cls, settings: Settings) -> SireneApiResource:
        key = {"api_key": EnvVar("INSEE_API_KEY")} if settings.insee_api_key else {}
        return cls(**key, base_url=settings.sirene_api_url)

    @property
    def configured(self) -> bool:
        return bool(self.api_key)

    def client(self):
        from sources.sirene.api import SireneApiClient

        return SireneApiClient(self.api_key or "", base_url=self.base_url)  # no key: MissingApiKeyError


class RneApiResource(ConfigurableResource):
    """The INPI RNE API (login, `/api/companies/diff`), for the nightly officer changes.

    Credentials are `EnvVar("INPI_USERNAME")` / `EnvVar("INPI_PASSWORD")` when set; without them
    the nightly RNE refresh is skipped with a log line.
    """

    username: str | None = None
    password: str | None = None
    base_url: str = "https://registre-national-entreprises.inpi.fr"

    @classmethod
    def from_settings(cls, settings: Settings) -> RneApiResource:
        creds = (
            {"username": EnvVar("INPI_USERNAME"), "password": EnvVar("INPI_PASSWORD")}
            if settings.inpi_username and settings.inpi_password
            else {}
        )
        return cls(**creds, base_url=settings.rne_api_url)

    @property
    def configured(self) -> bool:
        return bool(self.username and self.password)

    def client(self):
        from sources.inpi.rne_client import RneClient

        return RneClient(self.base_url, username=self.username or "", password=self.password or "")


# --------------------------------------------------------------------------- CRM


class HubSpotResource(ConfigurableResource):
    """HubSpot's CRM API, for the `crm_exports` push (`push_hubspot: true` in its run config) and
    the `crm_accounts` read-back.

    `access_token` is `EnvVar("HUBSPOT_ACCESS_TOKEN")` when that variable is set (the UI shows the
    variable's name only); without it a push is refused before any file is written. `base_url`
    (FIRMO_HUBSPOT_BASE_URL, not secret) points it at a proxy or the tests' fake.
    """

    access_token: str | None = None
    base_url: str = "https://api.hubapi.com"
    # FIRMO_CRM_DISQUALIFIED_DAYS: how long what a CRM disqualified stays out of the exports (read-back)
    disqualified_days: int = 90

    @classmethod
    def from_settings(cls, settings: Settings) -> HubSpotResource:
        # a legacy private-app token or a Service Key (HUBSPOT_SERVICE_KEY when the token is unset)
        token = {"access_token": EnvVar(settings.hubspot_token_var())} if settings.hubspot_token() else {}
        return cls(**token, base_url=settings.hubspot_base_url, disqualified_days=settings.crm_disqualified_days)

    @property
    def configured(self) -> bool:
        return bool(self.access_token)

    def client(self, **kwargs):
        """A HubSpotClient; no token: HubSpotError naming HUBSPOT_ACCESS_TOKEN."""
        from firmo.crm.hubspot_api import HubSpotClient

        return HubSpotClient(self.access_token, base_url=self.base_url, **kwargs)


class FranceTravailResource(ConfigurableResource):
    """France Travail's partner APIs (Offres d'emploi v2, La Bonne Boîte v2), for the hiring assets.

    `client_id` / `client_secret` are `EnvVar("FIRMO_FRANCE_TRAVAIL_CLIENT_ID")` /
    `EnvVar("FIRMO_FRANCE_TRAVAIL_CLIENT_SECRET")` when both are set (the UI shows the variables'
    names only); without them the job-offer assets skip with a log line. The endpoints, the
    départements polled, the days back, the ROME codes and the match threshold come from settings.
    """

    client_id: str | None = None
    client_secret: str | None = None
    token_url: str = "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=%2Fpartenaire"
    api_url: str = "https://api.francetravail.io/partenaire"
    departements: list[str] = []
    days_back: int = 31
    rome_codes: list[str] = []
    match_threshold: float = 0.85

    @classmethod
    def from_settings(cls, settings: Settings) -> FranceTravailResource:
        creds = (
            {
                "client_id": EnvVar("FIRMO_FRANCE_TRAVAIL_CLIENT_ID"),
                "client_secret": EnvVar("FIRMO_FRANCE_TRAVAIL_CLIENT_SECRET"),
            }
            if settings.france_travail_client_id and settings.france_travail_client_secret
            else {}
        )
        return cls(
            **creds,
            token_url=settings.france_travail_token_url,
            api_url=settings.france_travail_api_url,
            departements=list(settings.jobs_departements or []),
            days_back=settings.jobs_days_back,
            rome_codes=list(settings.jobs_rome_codes or []),
            match_threshold=settings.jobs_match_threshold,
        )

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def client(self):
        """A FranceTravailClient; without credentials, FranceTravailError naming the variables."""
        from sources.jobs.client import FranceTravailClient

        return FranceTravailClient(
            self.client_id or "", self.client_secret or "", token_url=self.token_url, api_url=self.api_url
        )


# --------------------------------------------------------------------------- data quality


class QualityResource(ConfigurableResource):
    """The data-quality bounds the asset checks apply (FIRMO_QUALITY_*, see firmo.quality.model.Thresholds)."""

    min_row_ratio: float = 0.98
    max_hot_share: float = 0.5
    min_tiers: int = 2
    tier_min_leads: int = 20
    naf_known_share: float = 0.95
    examples: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> QualityResource:
        return cls(**settings.quality_bounds())

    def thresholds(self):
        from firmo.quality.model import Thresholds

        return Thresholds(**{name: getattr(self, name) for name in Thresholds.__dataclass_fields__})


class PipedriveResource(ConfigurableResource):
    """Pipedrive's API, for the `crm_exports` push (`push_pipedrive: true` in its run config).

    `api_token` is `EnvVar("FIRMO_PIPEDRIVE_API_TOKEN")` when that variable is set (the UI shows the
    variable's name only); without it a push is refused before any file is written. `base_url`
    (FIRMO_PIPEDRIVE_API_URL) and `token_budget` (FIRMO_PIPEDRIVE_TOKEN_BUDGET) are not secret.
    """

    api_token: str | None = None
    base_url: str = "https://api.pipedrive.com"
    token_budget: int | None = None
    # FIRMO_PIPEDRIVE_DISQUALIFIED: what the `crm_accounts` read-back holds out of the exports
    disqualified: str = "archived,lost,label:Disqualified"

    @classmethod
    def from_settings(cls, settings: Settings) -> PipedriveResource:
        token = {"api_token": EnvVar("FIRMO_PIPEDRIVE_API_TOKEN")} if settings.pipedrive_api_token else {}
        return cls(
            **token,
            base_url=settings.pipedrive_api_url,
            token_budget=settings.pipedrive_token_budget,
            disqualified=settings.pipedrive_disqualified,
        )

    @property
    def configured(self) -> bool:
        return bool(self.api_token)

    def client(self, **kwargs):
        """A PipedriveClient; no token: PipedriveError naming FIRMO_PIPEDRIVE_API_TOKEN."""
        from firmo.crm.pipedrive_api import PipedriveClient

        return PipedriveClient(self.api_token, base_url=self.base_url, token_budget=self.token_budget, **kwargs)


class SalesforceResource(ConfigurableResource):
    """Salesforce's API, for a Salesforce push (firmo/crm/push_salesforce.py).

    `private_key` and `client_secret` are `EnvVar("FIRMO_SALESFORCE_PRIVATE_KEY")` /
    `EnvVar("FIRMO_SALESFORCE_CLIENT_SECRET")` when set (the UI shows the variables' names only);
    with neither, `client()` refuses before any call, naming them. The hosts, the consumer key,
    the integration user, the person object and the Bulk API threshold are not secret.
    """

    client_id: str | None = None
    username: str | None = None
    private_key: str | None = None
    client_secret: str | None = None
    login_url: str = "https://login.salesforce.com"
    instance_url: str | None = None
    lead_object: str = "Lead"
    bulk_threshold: int = 2000
    # FIRMO_SALESFORCE_DISQUALIFIED_STATUSES: Lead statuses the `crm_accounts` read-back holds out
    disqualified_statuses: list[str] = ["Closed - Not Converted", "Unqualified"]

    @classmethod
    def from_settings(cls, settings: Settings) -> SalesforceResource:
        secrets = {
            field: EnvVar(var)
            for field, var, value in (
                ("private_key", "FIRMO_SALESFORCE_PRIVATE_KEY", settings.salesforce_private_key),
                ("client_secret", "FIRMO_SALESFORCE_CLIENT_SECRET", settings.salesforce_client_secret),
            )
            if value is not None
        }
        return cls(
            **secrets,
            client_id=settings.salesforce_client_id,
            username=settings.salesforce_username,
            login_url=settings.salesforce_login_url,
            instance_url=settings.salesforce_instance_url,
            lead_object=settings.salesforce_lead_object,
            bulk_threshold=settings.salesforce_bulk_threshold,
            disqualified_statuses=list(settings.salesforce_disqualified_statuses),
        )

    @property
    def configured(self) -> bool:
        return bool(self.client_id and (self.private_key or self.client_secret))

    def client(self, **kwargs):
        """A SalesforceClient; missing credentials: SalesforceError naming the variables."""
        from firmo.crm.salesforce_api import SalesforceClient

        return SalesforceClient(
            client_id=self.client_id,
            username=self.username,
            private_key=self.private_key,
            client_secret=self.client_secret,
            login_url=self.login_url,
            instance_url=self.instance_url,
            bulk_threshold=self.bulk_threshold,
            **kwargs,
        )


# --------------------------------------------------------------------------- alert channels (firmo/alerts)


class SlackAlertResource(ConfigurableResource):
    """The Slack incoming webhook the alerts post to. `webhook_url` is
    `EnvVar("FIRMO_ALERT_SLACK_WEBHOOK_URL")` when set: the URL is the credential, so the UI shows
    the variable's name only. Unset: alerts for Slack fail as 'not configured' and are kept."""

    webhook_url: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> SlackAlertResource:
        url = {"webhook_url": EnvVar("FIRMO_ALERT_SLACK_WEBHOOK_URL")} if settings.alert_slack_webhook_url else {}
        return cls(**url)

    def channel(self):
        """A SlackChannel, or None when no webhook is configured."""
        from firmo.alerts.channels import SlackChannel

        return SlackChannel(self.webhook_url) if self.webhook_url else None


class WebhookAlertResource(ConfigurableResource):
    """The generic webhook (FIRMO_ALERT_WEBHOOK_URL, not secret) and its signing secret
    (`EnvVar("FIRMO_ALERT_WEBHOOK_SECRET")` when set); both are needed to send."""

    url: str | None = None
    secret: str | None = None
    retries: int = 3

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookAlertResource:
        secret = {"secret": EnvVar("FIRMO_ALERT_WEBHOOK_SECRET")} if settings.alert_webhook_secret else {}
        return cls(url=settings.alert_webhook_url, retries=settings.alert_webhook_retries, **secret)

    def channel(self):
        """A WebhookChannel, or None without a URL and a secret (an unsigned webhook is not sent)."""
        from firmo.alerts.channels import WebhookChannel

        return WebhookChannel(self.url, self.secret, retries=self.retries) if self.url and self.secret else None


class EmailAlertResource(ConfigurableResource):
    """The SMTP server of the alert emails (STARTTLS required). `password` is
    `EnvVar("FIRMO_ALERT_SMTP_PASSWORD")` when set; host, port, login, CA file, sender and
    recipients (FIRMO_ALERT_SMTP_*, FIRMO_ALERT_EMAIL_FROM / _TO) are not secret."""

    host: str | None = None
    port: int = 587
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    sender: str | None = None
    recipients: list[str] = []

    @classmethod
    def from_settings(cls, settings: Settings) -> EmailAlertResource:
        secret = {"password": EnvVar("FIRMO_ALERT_SMTP_PASSWORD")} if settings.alert_smtp_password else {}
        return cls(
            host=settings.alert_smtp_host,
            port=settings.alert_smtp_port,
            username=settings.alert_smtp_username,
            ca_file=str(settings.alert_smtp_ca_file) if settings.alert_smtp_ca_file else None,
            sender=settings.alert_email_from,
            recipients=list(settings.alert_email_to or ()),
            **secret,
        )

    def channel(self):
        """An EmailChannel, or None without a host, a sender and recipients."""
        from firmo.alerts.channels import EmailChannel

        if not (self.host and self.sender and self.recipients):
            return None
        return EmailChannel(
            self.host,
            self.port,
            self.sender,
            self.recipients,
            username=self.username,
            password=self.password,
            ca_file=self.ca_file,
        )


class AlertingResource(ConfigurableResource):
    """How alerts are evaluated and retried (no secret): signals of the last `signal_days` days
    (FIRMO_ALERT_SIGNAL_DAYS), `max_attempts` deliveries before undelivered
    (FIRMO_ALERT_MAX_ATTEMPTS), CRM-disqualified accounts held out (FIRMO_CRM_DISQUALIFIED_DAYS)."""

    signal_days: int = 7
    max_attempts: int = 5
    disqualified_days: int = 90

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertingResource:
        return cls(
            signal_days=settings.alert_signal_days,
            max_attempts=settings.alert_max_attempts,
            disqualified_days=settings.crm_disqualified_days,
        )


def resources_from_settings(settings: Settings) -> dict[str, ConfigurableResource]:
    """Every resource of the code location, by key, built from `settings`."""
    return {
        "warehouse": warehouse_resource(settings),
        "paths": PathsResource.from_settings(settings),
        "registry_sources": RegistrySourcesResource.from_settings(settings),
        "decp": DecpResource.from_settings(settings),
        "providers": ProvidersResource.from_settings(settings),
        "dns": DnsResource.from_settings(settings),
        "sirene_api": SireneApiResource.from_settings(settings),
        "rne_api": RneApiResource.from_settings(settings),
        "hubspot": HubSpotResource.from_settings(settings),
        "quality": QualityResource.from_settings(settings),
        "label_sources": LabelSourcesResource.from_settings(settings),
        "france_travail": FranceTravailResource.from_settings(settings),
        "pipedrive": PipedriveResource.from_settings(settings),
        "salesforce": SalesforceResource.from_settings(settings),
        "alert_slack": SlackAlertResource.from_settings(settings),
        "alert_webhook": WebhookAlertResource.from_settings(settings),
        "alert_email": EmailAlertResource.from_settings(settings),
        "alerting": AlertingResource.from_settings(settings),
    }
