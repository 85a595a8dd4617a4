"""firmo.settings: every environment variable maps to one typed field with its default, a bad value
is one line naming the variable, and a secret never shows unless revealed on purpose."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from firmo.errors import InputError
from firmo.settings import REPO_ROOT, Settings, SettingsError, environment

# variable -> (value given, field, value expected)
EVERY_VARIABLE = {
    "FIRMO_DATA_DIR": ("/srv/firmo", "data_dir", Path("/srv/firmo")),
    "FIRMO_DB": ("/srv/wh/main.duckdb", "db_path", Path("/srv/wh/main.duckdb")),
    "FIRMO_EXPORTS_DIR": ("/srv/out", "exports_dir", Path("/srv/out")),
    "FIRMO_DEMO_DIR": ("/srv/demo", "demo_dir", Path("/srv/demo")),
    "FIRMO_ICP_DIR": ("/srv/icps", "icp_dir", Path("/srv/icps")),
    "DAGSTER_HOME": ("/srv/dagster", "dagster_home", Path("/srv/dagster")),
    "FIRMO_DUCKDB_MEMORY": ("12GB", "duckdb_memory", "12GB"),
    "FIRMO_DUCKDB_THREADS": ("3", "duckdb_threads", 3),
    "FIRMO_PARSE_WORKERS": ("2", "parse_workers", 2),
    "FIRMO_POLL_MINUTES": ("5", "poll_minutes", 5),
    "FIRMO_SOURCES": ("LIVE", "sources", "live"),
    "FIRMO_SIRENE_UL_SOURCE": ("/m/ul.parquet", "sirene_ul_source", "/m/ul.parquet"),
    "FIRMO_SIRENE_ETAB_SOURCE": ("/m/et.parquet", "sirene_etab_source", "/m/et.parquet"),
    "FIRMO_INPI_RNE_SOURCE": ("/m/stock.zip, /m/diff.ndjson", "inpi_rne_source", ("/m/stock.zip", "/m/diff.ndjson")),
    "FIRMO_INPI_RATIOS_SOURCE": ("/m/ratios.csv", "inpi_ratios_source", "/m/ratios.csv"),
    "FIRMO_BODACC_SOURCE": ("/m/a.json,/m/b.json", "bodacc_source", ("/m/a.json", "/m/b.json")),
    "FIRMO_BODACC_START": ("2025-03-01", "bodacc_start", date(2025, 3, 1)),
    "FIRMO_GEOLOC_SOURCE": ("/m/geo.zip", "geoloc_source", "/m/geo.zip"),
    "FIRMO_GEOLOC_MAX_REMOVAL_PCT": ("2.5", "geoloc_max_removal_pct", 2.5),
    "FIRMO_DECP_SOURCE": ("/m/decp.parquet", "decp_source", "/m/decp.parquet"),
    "FIRMO_DECP_API": ("http://127.0.0.1:9/api", "decp_api_url", "http://127.0.0.1:9/api"),
    "FIRMO_DECP_MAX_REJECT_SHARE": ("0.05", "decp_max_reject_share", 0.05),
    "FIRMO_IDCC_SIRET_SOURCE": ("/m/idcc.csv", "idcc_siret_source", "/m/idcc.csv"),
    "FIRMO_IDCC_DARES_SOURCE": ("https://x.test/page", "idcc_dares_source", "https://x.test/page"),
    "FIRMO_IDCC_KALI_SOURCE": ("/m/kali.xlsx", "idcc_kali_source", "/m/kali.xlsx"),
    "FIRMO_IDCC_MAX_REMOVAL_PCT": ("0.5", "idcc_max_removal_pct", 0.5),
    "FIRMO_NIGHTLY_CRON": ("15 4 * * 1-5", "nightly_cron", "15 4 * * 1-5"),
    "FIRMO_QUALITY_MIN_ROW_RATIO": ("0.9", "quality_min_row_ratio", 0.9),
    "FIRMO_QUALITY_MAX_HOT_SHARE": ("0.25", "quality_max_hot_share", 0.25),
    "FIRMO_QUALITY_MIN_TIERS": ("3", "quality_min_tiers", 3),
    "FIRMO_QUALITY_TIER_MIN_LEADS": ("40", "quality_tier_min_leads", 40),
    "FIRMO_QUALITY_NAF_KNOWN_SHARE": ("1", "quality_naf_known_share", 1.0),
    "FIRMO_QUALITY_EXAMPLES": ("0", "quality_examples", 0),
    "FIRMO_SIRENE_API_URL": ("http://127.0.0.1:9/sirene", "sirene_api_url", "http://127.0.0.1:9/sirene"),
    "FIRMO_RNE_API_URL": ("http://127.0.0.1:9/rne", "rne_api_url", "http://127.0.0.1:9/rne"),
    "FIRMO_HUBSPOT_BASE_URL": ("http://127.0.0.1:9/hs", "hubspot_base_url", "http://127.0.0.1:9/hs"),
    "FIRMO_CRM_DISQUALIFIED_DAYS": ("30", "crm_disqualified_days", 30),
    "FIRMO_SALESFORCE_LOGIN_URL": ("https://test.salesforce.com", "salesforce_login_url", "https://test.salesforce.com"),
    "FIRMO_SALESFORCE_INSTANCE_URL": ("https://acme.my.salesforce.com", "salesforce_instance_url", "https://acme.my.salesforce.com"),
    "FIRMO_SALESFORCE_CLIENT_ID": ("3MVG9-consumer", "salesforce_client_id", "3MVG9-consumer"),
    "FIRMO_SALESFORCE_USERNAME": ("firmo@acme.fr", "salesforce_username", "firmo@acme.fr"),
    "FIRMO_SALESFORCE_LEAD_OBJECT": ("Contact", "salesforce_lead_object", "Contact"),
    "FIRMO_SALESFORCE_BULK_THRESHOLD": ("500", "salesforce_bulk_threshold", 500),
    "FIRMO_WATERFALL_CONFIG": ("/srv/waterfall.yaml", "waterfall_config", Path("/srv/waterfall.yaml")),
    "FIRMO_RECHECK_DAYS": ("90", "recheck_days", 90),
    "FIRMO_DNS_RESOLVER": ("127.0.0.1:5353", "dns_resolver", "127.0.0.1:5353"),
    "FIRMO_RECHECK_MONTHLY_CREDITS": ("500", "recheck_monthly_credits", 500.0),
    "FIRMO_DEBUG": ("yes", "debug", True),
    "FIRMO_PIPEDRIVE_API_URL": ("http://127.0.0.1:9/pd", "pipedrive_api_url", "http://127.0.0.1:9/pd"),
    "FIRMO_PIPEDRIVE_TOKEN_BUDGET": ("50000", "pipedrive_token_budget", 50000),
    "FIRMO_PIPEDRIVE_DISQUALIFIED": ("label:Cold", "pipedrive_disqualified", "label:Cold"),
    "FIRMO_SALESFORCE_DISQUALIFIED_STATUSES": ("Rejected, Junk", "salesforce_disqualified_statuses", ("Rejected", "Junk")),
    "FIRMO_FRANCE_TRAVAIL_TOKEN_URL": ("http://127.0.0.1:9/ft/token", "france_travail_token_url", "http://127.0.0.1:9/ft/token"),
    "FIRMO_FRANCE_TRAVAIL_API_URL": ("http://127.0.0.1:9/ft", "france_travail_api_url", "http://127.0.0.1:9/ft"),
    "FIRMO_JOBS_DEPARTEMENTS": ("34, 2A", "jobs_departements", ("34", "2A")),
    "FIRMO_JOBS_DAYS_BACK": ("7", "jobs_days_back", 7),
    "FIRMO_JOBS_ROME_CODES": ("M1805,F1703", "jobs_rome_codes", ("M1805", "F1703")),
    "FIRMO_JOBS_MATCH_THRESHOLD": ("0.9", "jobs_match_threshold", 0.9),
    "FIRMO_LABELS_RGE_SOURCE": ("/m/labels/rge", "labels_rge_source", "/m/labels/rge"),
    "FIRMO_LABELS_QUALIOPI_SOURCE": ("/m/labels/qualiopi", "labels_qualiopi_source", "/m/labels/qualiopi"),
    "FIRMO_LABELS_ESS_FRANCE_SOURCE": ("/m/labels/ess_france", "labels_ess_france_source", "/m/labels/ess_france"),
    "FIRMO_LABELS_EGAPRO_SOURCE": ("/m/labels/egapro", "labels_egapro_source", "/m/labels/egapro"),
    "FIRMO_LABELS_AGENCE_BIO_SOURCE": ("/m/labels/agence_bio", "labels_agence_bio_source", "/m/labels/agence_bio"),
    "FIRMO_LABELS_SIAE_SOURCE": ("/m/labels/siae", "labels_siae_source", "/m/labels/siae"),
    "FIRMO_LABELS_PATRIMOINE_VIVANT_SOURCE": ("/m/labels/patrimoine_vivant", "labels_patrimoine_vivant_source", "/m/labels/patrimoine_vivant"),
    "FIRMO_LABELS_ACHATS_RESPONSABLES_SOURCE": ("/m/labels/achats_responsables", "labels_achats_responsables_source", "/m/labels/achats_responsables"),
    "FIRMO_LABELS_SPECTACLE_SOURCE": ("/m/labels/spectacle", "labels_spectacle_source", "/m/labels/spectacle"),
    "FIRMO_ALERT_WEBHOOK_URL": ("https://hooks.acme.fr/firmo", "alert_webhook_url", "https://hooks.acme.fr/firmo"),
    "FIRMO_ALERT_WEBHOOK_RETRIES": ("5", "alert_webhook_retries", 5),
    "FIRMO_ALERT_SMTP_HOST": ("smtp.acme.fr", "alert_smtp_host", "smtp.acme.fr"),
    "FIRMO_ALERT_SMTP_PORT": ("2525", "alert_smtp_port", 2525),
    "FIRMO_ALERT_SMTP_USERNAME": ("alerts@acme.fr", "alert_smtp_username", "alerts@acme.fr"),
    "FIRMO_ALERT_SMTP_CA_FILE": ("/srv/ca.pem", "alert_smtp_ca_file", Path("/srv/ca.pem")),
    "FIRMO_ALERT_EMAIL_FROM": ("firmo@acme.fr", "alert_email_from", "firmo@acme.fr"),
    "FIRMO_ALERT_EMAIL_TO": ("a@acme.fr, b@acme.fr", "alert_email_to", ("a@acme.fr", "b@acme.fr")),
    "FIRMO_ALERT_MAX_ATTEMPTS": ("3", "alert_max_attempts", 3),
    "FIRMO_ALERT_SIGNAL_DAYS": ("2", "alert_signal_days", 2),
    "FIRMO_UI_TOKEN_LABEL": ("sales-lyon", "ui_token_label", "sales-lyon"),
}
SECRETS = {
    "INSEE_API_KEY": ("insee-secret-1", "insee_api_key"),
    "INPI_USERNAME": ("bot@example.fr", "inpi_username"),
    "INPI_PASSWORD": ("inpi-secret-2", "inpi_password"),
    "HUBSPOT_ACCESS_TOKEN": ("pat-secret-3", "hubspot_access_token"),
    "HUBSPOT_SERVICE_KEY": ("pat-secret-service-key", "hubspot_service_key"),
    "FIRMO_PIPEDRIVE_API_TOKEN": ("pd-secret-9", "pipedrive_api_token"),
    "FIRMO_FRANCE_TRAVAIL_CLIENT_ID": ("ft-id-secret-4", "france_travail_client_id"),
    "FIRMO_FRANCE_TRAVAIL_CLIENT_SECRET": ("ft-secret-5", "france_travail_client_secret"),
    "FIRMO_MARCHE_INCLUSION_TOKEN": ("inclusion-secret-6", "marche_inclusion_token"),
    "FIRMO_SALESFORCE_PRIVATE_KEY": ("-----BEGIN PRIVATE KEY-----sf-secret-7", "salesforce_private_key"),
    "FIRMO_SALESFORCE_CLIENT_SECRET": ("sf-secret-8", "salesforce_client_secret"),
    "FIRMO_ALERT_SLACK_WEBHOOK_URL": ("https://hooks.slack.com/services/T/B/secret-10", "alert_slack_webhook_url"),
    "FIRMO_ALERT_WEBHOOK_SECRET": ("whsec-secret-11", "alert_webhook_secret"),
    "FIRMO_ALERT_SMTP_PASSWORD": ("smtp-secret-12", "alert_smtp_password"),
    "FIRMO_UI_TOKEN": ("ui-secret-13", "ui_token"),
}


def test_every_field_is_covered_here():
    """A new setting comes with a line in the tables above (and in the README's)."""
    aliases = {info.alias for info in Settings.model_fields.values() if info.alias}
    assert aliases == set(EVERY_VARIABLE) | set(SECRETS)
    assert set(Settings.model_fields) - {f for _, f, _ in EVERY_VARIABLE.values()} - {f for _, f in SECRETS.values()} == {
        "provider_keys", "provider_base_urls"}


def test_defaults():
    s = Settings.from_env({})
    data = REPO_ROOT / "data"
    assert (s.data_dir, s.db_path, s.exports_dir, s.demo_dir, s.raw_dir) == (
        data, data / "firmo.duckdb", data / "exports", data / "demo", data / "raw")
    assert (s.icp_dir, s.dagster_home, s.dagster_home_path) == (REPO_ROOT / "icps", None, data / "dagster_home")
    assert (s.duckdb_memory, s.duckdb_threads, s.parse_workers) == ("4GB", None, 4)
    assert s.poll_minutes == 15
    assert (s.sources, s.live, s.sirene_ul_source, s.sirene_etab_source) == ("demo", False, None, None)
    assert (s.inpi_rne_source, s.inpi_ratios_source, s.bodacc_source) == (None, None, None)
    assert (s.bodacc_start, s.nightly_cron) == (date(2024, 1, 1), "30 2 * * *")
    assert s.quality_bounds() == {"min_row_ratio": 0.98, "max_hot_share": 0.5, "min_tiers": 2,
                                  "tier_min_leads": 20, "naf_known_share": 0.95, "examples": 5}
    assert (s.sirene_api_url, s.rne_api_url, s.hubspot_base_url) == (
        "https://api.insee.fr/api-sirene/3.11", "https://registre-national-entreprises.inpi.fr", "https://api.hubapi.com")
    assert (s.insee_api_key, s.inpi_username, s.inpi_password, s.hubspot_access_token) == (None, None, None, None)
    assert (s.waterfall_config, s.provider_keys, s.provider_base_urls, s.debug) == (None, {}, {}, False)


def test_the_clients_defaults_are_the_settings_defaults():
    from assets.resources import HubSpotResource, RneApiResource, SireneApiResource
    from firmo.crm.hubspot_api import BASE_URL
    from sources.inpi.rne_client import BASE_URL as RNE_URL

    s = Settings.from_env({})
    assert s.hubspot_base_url == BASE_URL == HubSpotResource.model_fields["base_url"].default
    assert s.rne_api_url == RNE_URL == RneApiResource.model_fields["base_url"].default
    assert s.sirene_api_url == SireneApiResource.model_fields["base_url"].default


@pytest.mark.parametrize("var", sorted(EVERY_VARIABLE))
def test_each_variable_sets_its_field(var):
    raw, field, expected = EVERY_VARIABLE[var]
    assert getattr(Settings.from_env({var: raw}), field) == expected


@pytest.mark.parametrize("var", sorted(SECRETS))
def test_each_secret_is_read_but_kept_masked(var):
    raw, field = SECRETS[var]
    s = Settings.from_env({var: raw})
    assert getattr(s, field).get_secret_value() == raw
    for shown in (repr(s), str(s), s.model_dump_json(), json.dumps(s.describe()), str(s.model_dump())):
        assert raw not in shown
    assert (var, "**********") in [(v, value) for v, value, _ in s.describe()]


def test_provider_keys_and_endpoints_by_name():
    s = Settings.from_env({"FIRMO_HUNTER_API_KEY": " hk-secret ", "FIRMO_DROPCONTACT_API_KEY": "dc-secret",
                           "FIRMO_HUNTER_BASE_URL": "http://127.0.0.1:9/hunter", "FIRMO_LUSHA_API_KEY": "  ",
                           "FIRMO_HUBSPOT_BASE_URL": "http://127.0.0.1:9/hs", "UNRELATED": "x"})
    assert sorted(s.provider_keys) == ["dropcontact", "hunter"]  # an empty key is no key
    assert (s.provider_key("hunter"), s.provider_key("lusha")) == ("hk-secret", None)
    assert s.provider_base_urls == {"hunter": "http://127.0.0.1:9/hunter"}  # HubSpot's is a field of its own
    assert "hk-secret" not in repr(s) and "dc-secret" not in s.model_dump_json()
    assert ("FIRMO_HUNTER_API_KEY", "**********") in [(v, value) for v, value, _ in s.describe()]


def test_empty_variables_take_the_default_and_paths_follow_the_data_dir(tmp_path):
    s = Settings.from_env({"FIRMO_DATA_DIR": str(tmp_path), "FIRMO_DB": "", "FIRMO_DUCKDB_THREADS": " "})
    assert (s.db_path, s.exports_dir, s.demo_dir, s.duckdb_threads) == (
        tmp_path / "firmo.duckdb", tmp_path / "exports", tmp_path / "demo", None)
    moved = s.with_values(data_dir=tmp_path / "other")
    assert (moved.db_path, moved.icp_dir) == (tmp_path / "other" / "firmo.duckdb", REPO_ROOT / "icps")
    kept = Settings.from_env({"FIRMO_DB": str(tmp_path / "w.duckdb")}).with_values(data_dir=tmp_path / "other")
    assert kept.db_path == tmp_path / "w.duckdb"  # set explicitly: stays


def test_relative_paths_resolve_against_the_start_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({"FIRMO_DATA_DIR": "data"}).db_path == tmp_path / "data" / "firmo.duckdb"


@pytest.mark.parametrize(("var", "raw", "line"), [
    ("FIRMO_QUALITY_MIN_ROW_RATIO", "abc", "FIRMO_QUALITY_MIN_ROW_RATIO must be a number between 0 and 1, got 'abc'"),
    ("FIRMO_QUALITY_MAX_HOT_SHARE", "1.5", "FIRMO_QUALITY_MAX_HOT_SHARE must be a number between 0 and 1, got '1.5'"),
    ("FIRMO_QUALITY_MIN_TIERS", "-1", "FIRMO_QUALITY_MIN_TIERS must be a whole number (0 or more), got '-1'"),
    ("FIRMO_QUALITY_EXAMPLES", "2.5", "FIRMO_QUALITY_EXAMPLES must be a whole number (0 or more), got '2.5'"),
    ("FIRMO_DUCKDB_THREADS", "0", "FIRMO_DUCKDB_THREADS must be a whole number of at least 1, got '0'"),
    ("FIRMO_PARSE_WORKERS", "four", "FIRMO_PARSE_WORKERS must be a whole number of at least 1, got 'four'"),
    ("FIRMO_POLL_MINUTES", "0", "FIRMO_POLL_MINUTES must be a whole number of at least 1, got '0'"),
    ("FIRMO_SOURCES", "prod", "FIRMO_SOURCES must be one of demo, live, got 'prod'"),
    ("FIRMO_DEBUG", "maybe", "FIRMO_DEBUG must be one of 1, true, yes, on, 0, false, no, off, got 'maybe'"),
    ("FIRMO_BODACC_START", "2024-13-01", "FIRMO_BODACC_START must be a date (YYYY-MM-DD), got '2024-13-01'"),
    ("FIRMO_NIGHTLY_CRON", "every night",
     "FIRMO_NIGHTLY_CRON must be a cron expression of 5 fields (minute hour day month weekday), got 'every night'"),
])
def test_a_bad_value_is_one_line_naming_the_variable(var, raw, line):
    with pytest.raises(SettingsError) as info:
        Settings.from_env({var: raw})
    assert str(info.value) == line
    assert isinstance(info.value, InputError)  # the CLI prints it as `firmo: <line>`, exit 1


def test_a_bad_secret_is_named_but_not_shown():
    with pytest.raises(SettingsError) as info:
        Settings.from_env({}).with_values(hubspot_access_token=12345)
    assert str(info.value) == "HUBSPOT_ACCESS_TOKEN must be text, got (hidden)"
    s = Settings.from_env({"HUBSPOT_ACCESS_TOKEN": "pat-secret-3"})
    with pytest.raises(SettingsError) as bad:
        s.with_values(quality_min_row_ratio="x")
    assert str(bad.value) == "FIRMO_QUALITY_MIN_ROW_RATIO must be a number between 0 and 1, got 'x'"
    assert "pat-secret-3" not in str(bad.value)


def test_settings_are_frozen():
    s = Settings.from_env({})
    with pytest.raises(Exception, match="frozen"):
        s.data_dir = Path("/elsewhere")  # type: ignore[misc]


def test_environment_overlay_restores_what_was_there(monkeypatch):
    import os

    monkeypatch.setenv("FIRMO_SOURCES", "live")
    monkeypatch.delenv("FIRMO_HUNTER_API_KEY", raising=False)
    with environment({"FIRMO_SOURCES": "demo", "FIRMO_HUNTER_API_KEY": "k"}):
        assert Settings.from_env().sources == "demo" and Settings.from_env().provider_key("hunter") == "k"
    assert os.environ["FIRMO_SOURCES"] == "live" and "FIRMO_HUNTER_API_KEY" not in os.environ
