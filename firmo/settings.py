"""Every setting firmo reads from the environment, in one typed, frozen object.

Why one place: the same code runs the offline demo, the tests (tmp dirs, fake servers) and
production (a data volume, real keys), and a newcomer must find every knob and its default in
one file. This module is the only one that touches `os.environ` (tests/test_settings_single_reader.py
fails otherwise): the entry points (`firmo` commands, `firmo run`, `firmo nightly`, the Dagster
code location) call `Settings.from_env()` once, when they start, never at import time, and pass
the object or its values down; clients and loaders take plain arguments.

Each field's alias is its environment variable; an empty variable counts as unset. A bad value is
one `SettingsError` line naming the variable. Secrets are `SecretStr`: repr, str and
`model_dump_json()` show `**********`; only `.get_secret_value()` reveals one, at the point of use.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from firmo.errors import InputError

REPO_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = Path(__file__).resolve().parent / "sql"  # package data: found in a wheel too
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

# Per-provider variables: the names are the waterfall's (waterfall/providers/registry.py), which this
# ground floor does not import; any FIRMO_<NAME>_API_KEY / FIRMO_<NAME>_BASE_URL is collected here
# and the waterfall says which names it knows.
PROVIDER_KEY_RE = re.compile(r"^FIRMO_([A-Z0-9]+)_API_KEY$")
PROVIDER_URL_RE = re.compile(r"^FIRMO_([A-Z0-9]+)_BASE_URL$")
NOT_PROVIDERS = frozenset({"hubspot"})  # FIRMO_HUBSPOT_BASE_URL is a field of its own
CRON_RE = re.compile(r"^[0-9A-Za-z*?/,\-]+( +[0-9A-Za-z*?/,\-]+){4}$")  # the shape; Dagster checks the rest
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class SettingsError(InputError):
    """A variable holds a value firmo cannot use: one line naming the variable and the value."""


def provider_key_var(name: str) -> str:
    """`hunter` -> `FIRMO_HUNTER_API_KEY`."""
    return f"FIRMO_{name.upper()}_API_KEY"


def provider_url_var(name: str) -> str:
    """`hunter` -> `FIRMO_HUNTER_BASE_URL`."""
    return f"FIRMO_{name.upper()}_BASE_URL"


def _var(name: str, doc: str, default: Any = None, **kw: Any) -> Any:
    return Field(default, alias=name, description=doc, **kw)


def _under(name: str, doc: str, child: str) -> Any:
    """A path that defaults to `<data dir>/<child>` (the data dir as given, resolved)."""
    return Field(
        default_factory=lambda data: data["data_dir"] / child,
        alias=name,
        description=f"{doc} Default <data dir>/{child}.",
    )


class Settings(BaseModel):
    """The effective configuration of one process (see README "Configuration")."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    # --- where things live
    data_dir: Path = _var(
        "FIRMO_DATA_DIR",
        "Root of everything the pipeline writes (warehouse, downloads, exports, snapshots).",
        REPO_ROOT / "data",
    )
    db_path: Path = _under("FIRMO_DB", "The DuckDB warehouse file.", "firmo.duckdb")
    exports_dir: Path = _under("FIRMO_EXPORTS_DIR", "CRM import files, <dir>/<icp>/<crm>/.", "exports")
    demo_dir: Path = _under("FIRMO_DEMO_DIR", "The generated demo dataset (make run creates it when absent).", "demo")
    icp_dir: Path = _var("FIRMO_ICP_DIR", "Folder of the ICP files, one <name>.yaml per lead list.", REPO_ROOT / "icps")
    dagster_home: Path | None = _var(
        "DAGSTER_HOME",
        "Dagster instance that records the runs; unset, firmo run "
        "records nothing and firmo nightly uses <data dir>/dagster_home.",
    )
    # --- DuckDB
    duckdb_memory: str = _var("FIRMO_DUCKDB_MEMORY", "DuckDB memory limit; it spills to disk past it.", "4GB")
    duckdb_threads: int | None = _var("FIRMO_DUCKDB_THREADS", "DuckDB worker threads (default: one per core).", ge=1)
    parse_workers: int = _var("FIRMO_PARSE_WORKERS", "Processes parsing BODACC files in parallel.", 4, ge=1)
    poll_minutes: int = _var(
        "FIRMO_POLL_MINUTES",
        "Minutes between two polls of the RNE /diff, BODACC and API Sirene changes (near-real-time intake).",
        15,
        ge=1,
    )
    # --- registry sources
    sources: Literal["demo", "live"] = _var(
        "FIRMO_SOURCES",
        "demo: the generated files and stand-in providers; live: the publishers' real addresses.",
        "demo",
    )
    sirene_ul_source: str | None = _var("FIRMO_SIRENE_UL_SOURCE", "Path or URL of the SIRENE unités légales stock.")
    sirene_etab_source: str | None = _var("FIRMO_SIRENE_ETAB_SOURCE", "Path or URL of the SIRENE établissements stock.")
    inpi_rne_source: tuple[str, ...] | None = _var(
        "FIRMO_INPI_RNE_SOURCE", "RNE stock/diff files, comma-separated paths or URLs."
    )
    inpi_ratios_source: str | None = _var("FIRMO_INPI_RATIOS_SOURCE", "Path or URL of the INPI ratios file.")
    bodacc_source: tuple[str, ...] | None = _var(
        "FIRMO_BODACC_SOURCE",
        "BODACC files, comma-separated paths or URLs (live default: the Opendatasoft export per day).",
    )
    bodacc_start: date = _var(
        "FIRMO_BODACC_START", "First BODACC day kept (the first daily partition).", date(2024, 1, 1)
    )
    geoloc_source: str | None = _var(
        "FIRMO_GEOLOC_SOURCE",
        "Path or URL of INSEE's establishment geolocation file (CSV zip, CSV or parquet); "
        "live default the data.gouv CSV zip.",
    )
    geoloc_max_removal_pct: float = _var(
        "FIRMO_GEOLOC_MAX_REMOVAL_PCT",
        "A geolocation load whose SIRET cleaning removes more than this percentage of rows is refused.",
        1.0,
        ge=0,
    )
    decp_source: str | None = _var(
        "FIRMO_DECP_SOURCE",
        "Path or URL of the consolidated DECP (decp.parquet or decp.csv); live default the data.gouv decp.parquet.",
    )
    decp_api_url: str = _var(
        "FIRMO_DECP_API",
        "data.gouv tabular API (the daily DECP delta reads <url>/resources/<decp.csv id>/data/).",
        "https://tabular-api.data.gouv.fr/api",
    )
    decp_max_reject_share: float = _var(
        "FIRMO_DECP_MAX_REJECT_SHARE",
        "A DECP load quarantining more than this share of its rows is refused.",
        0.01,
        ge=0,
        le=1,
    )
    idcc_siret_source: str | None = _var(
        "FIRMO_IDCC_SIRET_SOURCE",
        "Path or URL of the SIRET -> IDCC file (collective agreements, DSN); live default data.gouv resource "
        "a22e54f7-b937-4483-9a72-aad2ea1316f1.",
    )
    idcc_dares_source: str | None = _var(
        "FIRMO_IDCC_DARES_SOURCE",
        "DARES collective agreements workbook: its path or URL, or the page linking it (live default "
        "https://travail-emploi.gouv.fr/conventions-collectives-nomenclatures, the link scraped).",
    )
    idcc_kali_source: str | None = _var(
        "FIRMO_IDCC_KALI_SOURCE",
        "Path or URL of DILA's KALI agreements list (xlsx); live default data.gouv resource "
        "02b67492-5243-44e8-8dd1-0cb3f90f35ff.",
    )
    idcc_max_removal_pct: float = _var(
        "FIRMO_IDCC_MAX_REMOVAL_PCT",
        "A SIRET -> IDCC load whose cleaning removes more than this percentage of rows is refused.",
        1.0,
        ge=0,
    )
    labels_rge_source: str | None = _var(
        "FIRMO_LABELS_RGE_SOURCE",
        "RGE list: the data-fair lines API URL or a folder of saved pages; live default ADEME's API.",
    )
    labels_qualiopi_source: str | None = _var(
        "FIRMO_LABELS_QUALIOPI_SOURCE",
        "DGEFP training organisations (labelled ; CSV), path or URL; live default the Opendatasoft export.",
    )
    labels_ess_france_source: str | None = _var(
        "FIRMO_LABELS_ESS_FRANCE_SOURCE", "ESS France list (CSV), path or URL; live default data.gouv resource."
    )
    labels_egapro_source: str | None = _var(
        "FIRMO_LABELS_EGAPRO_SOURCE", "EGAPRO index (XLSX), path or URL; live default data.gouv resource."
    )
    labels_agence_bio_source: str | None = _var(
        "FIRMO_LABELS_AGENCE_BIO_SOURCE",
        "Agence Bio operators: the API URL or a folder of saved pages; live default opendata.agencebio.org.",
    )
    labels_siae_source: str | None = _var(
        "FIRMO_LABELS_SIAE_SOURCE",
        "Marché de l'inclusion SIAE: the API URL or a folder of saved pages; live default its api/siae/.",
    )
    labels_patrimoine_vivant_source: str | None = _var(
        "FIRMO_LABELS_PATRIMOINE_VIVANT_SOURCE", "EPV label list (; CSV), path or URL; live default data.gouv."
    )
    labels_achats_responsables_source: str | None = _var(
        "FIRMO_LABELS_ACHATS_RESPONSABLES_SOURCE",
        "Achats responsables label list (; CSV), path or URL; live default data.gouv.",
    )
    labels_spectacle_source: str | None = _var(
        "FIRMO_LABELS_SPECTACLE_SOURCE",
        "Entrepreneurs de spectacles declarations (Latin-1 ; CSV), path or URL; live default data.gouv.",
    )
    marche_inclusion_token: SecretStr | None = _var(
        "FIRMO_MARCHE_INCLUSION_TOKEN",
        "Marché de l'inclusion API token (Bearer); without it a live load skips the SIAE source.",
    )
    nightly_cron: str = _var("FIRMO_NIGHTLY_CRON", "When the nightly schedule runs (cron, Europe/Paris).", "30 2 * * *")
    # --- data quality bounds
    quality_min_row_ratio: float = _var(
        "FIRMO_QUALITY_MIN_ROW_RATIO",
        "A load keeping fewer rows than this share of the last accepted count is refused.",
        0.98,
        ge=0,
        le=1,
    )
    quality_max_hot_share: float = _var(
        "FIRMO_QUALITY_MAX_HOT_SHARE", "Highest share of a lead list tiered hot.", 0.5, ge=0, le=1
    )
    quality_min_tiers: int = _var("FIRMO_QUALITY_MIN_TIERS", "Fewest distinct tiers in a lead list.", 2, ge=0)
    quality_tier_min_leads: int = _var(
        "FIRMO_QUALITY_TIER_MIN_LEADS", "Lists smaller than this skip the two tier checks.", 20, ge=0
    )
    quality_naf_known_share: float = _var(
        "FIRMO_QUALITY_NAF_KNOWN_SHARE", "Lowest share of NAF rév. 2 codes found in ref.naf_codes.", 0.95, ge=0, le=1
    )
    quality_examples: int = _var("FIRMO_QUALITY_EXAMPLES", "Failing examples kept per expectation.", 5, ge=0)
    # --- registry APIs (nightly) and CRM
    sirene_api_url: str = _var("FIRMO_SIRENE_API_URL", "API Sirene endpoint.", "https://api.insee.fr/api-sirene/3.11")
    insee_api_key: SecretStr | None = _var(
        "INSEE_API_KEY", "API Sirene key (portail-api.insee.fr); without it the nightly SIRENE delta is skipped."
    )
    rne_api_url: str = _var(
        "FIRMO_RNE_API_URL", "INPI RNE API endpoint.", "https://registre-national-entreprises.inpi.fr"
    )
    inpi_username: SecretStr | None = _var(
        "INPI_USERNAME", "INPI account login; without it and the password the nightly RNE refresh is skipped."
    )
    inpi_password: SecretStr | None = _var("INPI_PASSWORD", "INPI account password.")
    hubspot_base_url: str = _var(
        "FIRMO_HUBSPOT_BASE_URL", "HubSpot API endpoint (a proxy, the tests' fake).", "https://api.hubapi.com"
    )
    hubspot_access_token: SecretStr | None = _var(
        "HUBSPOT_ACCESS_TOKEN",
        "HubSpot legacy private-app token or Service Key (same Bearer header), for the push and the read-back.",
    )
    hubspot_service_key: SecretStr | None = _var(
        "HUBSPOT_SERVICE_KEY",
        "HubSpot Service Key, used when HUBSPOT_ACCESS_TOKEN is unset (new private apps cannot be created since "
        "autumn 2026).",
    )
    crm_disqualified_days: int = _var(
        "FIRMO_CRM_DISQUALIFIED_DAYS",
        "Days an account or contact a CRM shows disqualified / unqualified is left out of the exports.",
        90,
        ge=0,
    )
    salesforce_login_url: str = _var(
        "FIRMO_SALESFORCE_LOGIN_URL",
        "Salesforce token host and JWT audience (https://test.salesforce.com for a sandbox, the tests' fake).",
        "https://login.salesforce.com",
    )
    salesforce_instance_url: str | None = _var(
        "FIRMO_SALESFORCE_INSTANCE_URL",
        "The org's My Domain URL: token host of the client-credentials flow (the API host is the token's instance_url).",
    )
    salesforce_client_id: str | None = _var(
        "FIRMO_SALESFORCE_CLIENT_ID", "Consumer key of the Salesforce connected / external client app."
    )
    salesforce_username: str | None = _var(
        "FIRMO_SALESFORCE_USERNAME", "Salesforce integration user (the JWT's sub), pre-authorised on the app."
    )
    salesforce_private_key: SecretStr | None = _var(
        "FIRMO_SALESFORCE_PRIVATE_KEY",
        "RSA private key (a PEM file path or the PEM itself) signing the JWT bearer assertion.",
    )
    salesforce_client_secret: SecretStr | None = _var(
        "FIRMO_SALESFORCE_CLIENT_SECRET", "Consumer secret, for the client-credentials flow (when no private key)."
    )
    salesforce_lead_object: Literal["Lead", "Contact"] = _var(
        "FIRMO_SALESFORCE_LEAD_OBJECT", "Where a lead's person goes: a Lead, or a Contact under its Account.", "Lead"
    )
    salesforce_bulk_threshold: int = _var(
        "FIRMO_SALESFORCE_BULK_THRESHOLD",
        "Past this many records an upsert goes through a Bulk API 2.0 job instead of sObject Collections.",
        2000,
        ge=1,
    )
    salesforce_disqualified_statuses: tuple[str, ...] = _var(
        "FIRMO_SALESFORCE_DISQUALIFIED_STATUSES",
        "Lead Status values (the org's picklist, comma-separated) the read-back holds out of the exports.",
        ("Closed - Not Converted", "Unqualified"),
    )
    # --- Pipedrive push (crm_sync.md §3)
    pipedrive_api_url: str = _var(
        "FIRMO_PIPEDRIVE_API_URL",
        "Pipedrive API host (https://<company>.pipedrive.com works too; the tests' fake).",
        "https://api.pipedrive.com",
    )
    pipedrive_api_token: SecretStr | None = _var(
        "FIRMO_PIPEDRIVE_API_TOKEN", "Pipedrive personal API token of the integration user, for --push pipedrive."
    )
    pipedrive_token_budget: int | None = _var(
        "FIRMO_PIPEDRIVE_TOKEN_BUDGET",
        "Pipedrive API tokens one push may spend (the daily company budget is shared); unset: no cap.",
        ge=1,
    )
    pipedrive_disqualified: str = _var(
        "FIRMO_PIPEDRIVE_DISQUALIFIED",
        "What the read-back holds out of the exports, comma-separated: archived (a lead archived), lost (a deal "
        "lost with a reason), label:<name> (a lead label).",
        "archived,lost,label:Disqualified",
    )
    # --- hiring signals (France Travail: Offres d'emploi v2, La Bonne Boîte v2)
    france_travail_token_url: str = _var(
        "FIRMO_FRANCE_TRAVAIL_TOKEN_URL",
        "France Travail OAuth token endpoint (client credentials).",
        "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=%2Fpartenaire",
    )
    france_travail_api_url: str = _var(
        "FIRMO_FRANCE_TRAVAIL_API_URL",
        "France Travail partner APIs root (offresdemploi/v2, labonneboite/v2 under it).",
        "https://api.francetravail.io/partenaire",
    )
    france_travail_client_id: SecretStr | None = _var(
        "FIRMO_FRANCE_TRAVAIL_CLIENT_ID",
        "francetravail.io application id; without it and the secret the job-offer load is skipped.",
    )
    france_travail_client_secret: SecretStr | None = _var(
        "FIRMO_FRANCE_TRAVAIL_CLIENT_SECRET", "francetravail.io application secret."
    )
    jobs_departements: tuple[str, ...] | None = _var(
        "FIRMO_JOBS_DEPARTEMENTS", "Départements polled for job offers, comma-separated (default: every one)."
    )
    jobs_days_back: int = _var("FIRMO_JOBS_DAYS_BACK", "Job offers created in the last N days are fetched.", 31, ge=1)
    jobs_rome_codes: tuple[str, ...] | None = _var(
        "FIRMO_JOBS_ROME_CODES",
        "ROME codes searched in La Bonne Boîte, comma-separated (default: the 20 commonest of the offers).",
    )
    jobs_match_threshold: float = _var(
        "FIRMO_JOBS_MATCH_THRESHOLD",
        "Lowest confidence at which a job offer is credited to a SIRENE establishment.",
        0.85,
        ge=0,
        le=1,
    )
    # --- contact enrichment
    waterfall_config: Path | None = _var(
        "FIRMO_WATERFALL_CONFIG", "Waterfall YAML (order, budgets, limits); default the shipped waterfall/default.yaml."
    )
    dns_resolver: str = _var(
        "FIRMO_DNS_RESOLVER",
        "DNS server (host[:port]) asked for company domains' MX records before any paid email lookup; "
        "empty: the system's resolvers (/etc/resolv.conf).",
        "",
    )
    recheck_days: int = _var(
        "FIRMO_RECHECK_DAYS",
        "People enriched (or last re-checked) more than this many days ago are re-checked for a job change.",
        180,
        ge=1,
    )
    recheck_monthly_credits: float = _var(
        "FIRMO_RECHECK_MONTHLY_CREDITS",
        "Credits the job-change re-checks may spend per calendar month, apart from the enrichment budget.",
        2000.0,
        ge=0,
    )
    provider_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="FIRMO_<NAME>_API_KEY: a provider's key, by provider name; a provider without one is skipped.",
    )
    provider_base_urls: dict[str, str] = Field(
        default_factory=dict,
        description="FIRMO_<NAME>_BASE_URL: another endpoint for a provider (the demo's stand-ins, a proxy).",
    )
    # --- alerts (firmo/alerts): the delivery channels and the outbox
    alert_slack_webhook_url: SecretStr | None = _var(
        "FIRMO_ALERT_SLACK_WEBHOOK_URL", "Slack incoming-webhook URL the alerts post to (the URL is the credential)."
    )
    alert_webhook_url: str | None = _var("FIRMO_ALERT_WEBHOOK_URL", "Generic webhook the alerts are POSTed to (JSON).")
    alert_webhook_secret: SecretStr | None = _var(
        "FIRMO_ALERT_WEBHOOK_SECRET", "Shared secret of the webhook's HMAC-SHA256 signature (X-Firmo-Signature)."
    )
    alert_webhook_retries: int = _var(
        "FIRMO_ALERT_WEBHOOK_RETRIES",
        "Retries of a webhook POST (connection error, 429, 5xx), back-off doubling.",
        3,
        ge=0,
    )
    alert_smtp_host: str | None = _var("FIRMO_ALERT_SMTP_HOST", "SMTP server of the alert emails (STARTTLS required).")
    alert_smtp_port: int = _var("FIRMO_ALERT_SMTP_PORT", "SMTP submission port.", 587, ge=1, le=65535)
    alert_smtp_username: str | None = _var("FIRMO_ALERT_SMTP_USERNAME", "SMTP login (none: no AUTH).")
    alert_smtp_password: SecretStr | None = _var("FIRMO_ALERT_SMTP_PASSWORD", "SMTP password.")
    alert_smtp_ca_file: Path | None = _var(
        "FIRMO_ALERT_SMTP_CA_FILE", "PEM file of a private CA the SMTP server's certificate is checked against."
    )
    alert_email_from: str | None = _var("FIRMO_ALERT_EMAIL_FROM", "Sender address of the alert emails.")
    alert_email_to: tuple[str, ...] | None = _var(
        "FIRMO_ALERT_EMAIL_TO", "Recipients of the alert emails, comma-separated."
    )
    alert_max_attempts: int = _var(
        "FIRMO_ALERT_MAX_ATTEMPTS", "Attempts of one delivery before it is kept as undelivered.", 5, ge=1
    )
    alert_signal_days: int = _var(
        "FIRMO_ALERT_SIGNAL_DAYS", "Signals dated in the last N days are matched against the alert rules.", 7, ge=1
    )
    # --- the sales workspace (firmo serve, firmo/workspace)
    ui_token: SecretStr | None = _var(
        "FIRMO_UI_TOKEN", "Token the workspace asks for (Bearer or login form); unset, it serves loopback only."
    )
    ui_token_label: str = _var(
        "FIRMO_UI_TOKEN_LABEL", "Who the token stands for in the reveal log (the GDPR register).", "team"
    )
    # --- CLI
    debug: bool = _var("FIRMO_DEBUG", "Show the traceback of a refused input (as --debug).", False)

    @field_validator(
        "inpi_rne_source",
        "bodacc_source",
        "jobs_departements",
        "jobs_rome_codes",
        "salesforce_disqualified_statuses",
        "alert_email_to",
        mode="before",
    )
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            items = tuple(v.strip() for v in value.split(",") if v.strip())
            return items or None
        return value

    @field_validator("debug", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip().lower() in TRUE:
                return True
            if value.strip().lower() in FALSE:
                return False
            raise ValueError("flag")
        return value

    @field_validator("sources", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("nightly_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        if not CRON_RE.match(value.strip()):
            raise ValueError("cron")
        return value.strip()

    @field_validator(
        "data_dir",
        "db_path",
        "exports_dir",
        "demo_dir",
        "icp_dir",
        "dagster_home",
        "waterfall_config",
        "alert_smtp_ca_file",
    )
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        """Resolved once, against the directory the process started in."""
        return value.resolve() if value is not None else None

    # ------------------------------------------------------------------ building

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings `environ` (default: this process's environment) gives; unset and empty
        variables take their defaults. Raises SettingsError naming the first bad variable."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for info in cls.model_fields.values():
            alias = info.alias
            raw = environ.get(alias) if alias else None
            if alias and raw is not None and raw.strip():
                values[alias] = raw.strip()
        keys, urls = {}, {}
        for var, raw in environ.items():
            if not raw or not raw.strip():
                continue
            if (m := PROVIDER_KEY_RE.match(var)) and m.group(1).lower() not in NOT_PROVIDERS:
                keys[m.group(1).lower()] = raw.strip()
            elif (m := PROVIDER_URL_RE.match(var)) and m.group(1).lower() not in NOT_PROVIDERS:
                urls[m.group(1).lower()] = raw.strip()
        try:
            return cls.model_validate({**values, "provider_keys": keys, "provider_base_urls": urls})
        except ValidationError as exc:
            raise SettingsError(_one_line(exc, environ)) from None

    def with_values(self, **changes: Any) -> Settings:
        """A copy with some fields changed, validated like the environment's values; the paths
        that default to a place under the data dir follow a new data dir unless they were set."""
        data = {name: getattr(self, name) for name in self.model_fields_set}
        try:
            return type(self).model_validate({**data, **changes})
        except ValidationError as exc:
            raise SettingsError(_one_line(exc, {})) from None

    # ------------------------------------------------------------------ derived places

    @property
    def raw_dir(self) -> Path:
        """Downloaded or generated registry files, one sub-folder per registry."""
        return self.data_dir / "raw"

    @property
    def dagster_home_path(self) -> Path:
        """The Dagster instance `firmo run` / `firmo nightly` record into."""
        return self.dagster_home or self.data_dir / "dagster_home"

    @property
    def live(self) -> bool:
        return self.sources == "live"

    def hubspot_token(self) -> str | None:
        """The HubSpot credential: HUBSPOT_ACCESS_TOKEN (legacy private app or Service Key), else
        HUBSPOT_SERVICE_KEY; both travel as `Authorization: Bearer` (crm_sync.md §1.1)."""
        secret = self.hubspot_access_token or self.hubspot_service_key
        return secret.get_secret_value() if secret else None

    def hubspot_token_var(self) -> str:
        """The variable the HubSpot credential is read from (for EnvVar and messages)."""
        if self.hubspot_service_key and not self.hubspot_access_token:
            return "HUBSPOT_SERVICE_KEY"
        return "HUBSPOT_ACCESS_TOKEN"

    def provider_key(self, name: str) -> str | None:
        """The key of provider `name`, revealed (pass it to the client, never to a log)."""
        key = self.provider_keys.get(name)
        return key.get_secret_value() if key is not None else None

    def quality_bounds(self) -> dict[str, Any]:  # floats and ints by field: Thresholds(**bounds)
        """The data-quality bounds by their short name (firmo.quality.model.Thresholds' fields)."""
        return {
            name.removeprefix("quality_"): getattr(self, name)
            for name in type(self).model_fields
            if name.startswith("quality_")
        }

    def describe(self) -> list[tuple[str, str, str]]:
        """(variable, effective value, what it does) for every setting, secrets masked: what
        `firmo settings` prints."""
        rows = []
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            if name in ("provider_keys", "provider_base_urls"):
                var = provider_key_var if name == "provider_keys" else provider_url_var
                for provider, item in sorted(value.items()):
                    rows.append((var(provider), _show(item), info.description or ""))
                if not value:
                    rows.append((var("<name>"), "", info.description or ""))
                continue
            rows.append((info.alias or name, _show(value), info.description or ""))
        return rows


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, SecretStr):
        return "**********"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


EXPECTED = {
    float: "a number between 0 and 1",
    int: "a whole number",
    bool: "one of 1, true, yes, on, 0, false, no, off",
    date: "a date (YYYY-MM-DD)",
}


def _one_line(exc: ValidationError, environ: Mapping[str, str]) -> str:
    """`FIRMO_X must be <what>, got '<value>'` for the first error (a secret's value is not shown)."""
    err = exc.errors()[0]
    loc = err["loc"]
    field = loc[0] if loc else "?"
    fields = Settings.model_fields
    info = fields.get(str(field)) or next((f for f in fields.values() if f.alias == field), None)
    if str(field) in ("provider_keys", "provider_base_urls") and len(loc) > 1:
        var = (provider_key_var if field == "provider_keys" else provider_url_var)(str(loc[1]))
        return f"{var}: {err['msg']}"
    var = info.alias if info is not None and info.alias else str(field)
    annotation = info.annotation if info is not None else None
    what = _expected(annotation, info, err)
    got = environ.get(var) if environ else err.get("input")
    shown = "(hidden)" if "SecretStr" in repr(annotation) else repr(got)
    return f"{var} must be {what}, got {shown}"


def _expected(annotation: Any, info: Any, err: Mapping[str, Any]) -> str:
    text = repr(annotation)
    if "Literal" in text:
        return "one of " + ", ".join(repr(a).strip("'") for a in getattr(annotation, "__args__", ()))
    if err.get("type") == "value_error" and "cron" in str(err.get("msg")):
        return "a cron expression of 5 fields (minute hour day month weekday)"
    bounds = {type(m).__name__: m for m in (info.metadata if info is not None else [])}
    for kind, what in EXPECTED.items():
        if kind.__name__ in text or text == repr(kind):
            if kind is int and "Ge" in bounds:
                low = bounds["Ge"].ge
                return "a whole number" + (" of at least 1" if low == 1 else " (0 or more)")
            if kind is float and "Le" not in bounds:
                return "a number"
            return what
    if "Path" in text:
        return "a path"
    if "str" in text.lower():
        return "text"
    return str(err.get("msg", "valid"))


@contextlib.contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set `values` in this process's environment for the duration, then restore what was there.

    Why: Dagster resolves a resource's `EnvVar` secrets from the process environment when a run
    starts, so the demo's stand-in provider keys must be there while it runs in-process; this is
    the one place that writes the environment."""
    before = {var: os.environ.get(var) for var in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for var, old in before.items():
            if old is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = old
