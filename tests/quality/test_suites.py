"""Each expectation of each suite, failing on a crafted bad table with its exact observed value
and failing examples, and passing on a clean one."""

from __future__ import annotations

import pytest

from assets import checks
from firmo.crm.tables import ensure_tables
from firmo.quality.model import Thresholds

from .tables import (
    ACME,
    BAD_SIREN,
    COMPANIES,
    ENRICHED,
    ETAB,
    FINANCIALS,
    GANYMEDE,
    LA_POSTE,
    LEADS,
    SECRET,
    SIRETS,
    TITAN,
    UL,
    clean_companies,
    table,
    warehouse,
)


@pytest.fixture()
def con():
    connection = warehouse()
    yield connection
    connection.close()


def run(con, check: str, icp: str | None = None, **limits) -> list[tuple]:
    result = checks.run_check(con, check, run_id="test-run", icp=icp, limits=Thresholds(**limits))
    assert result.name == check
    return [(o.label, o.success, o.observed, list(o.examples)) for o in result.outcomes]


def passed(*labels_and_observed: tuple[str, str]) -> list[tuple]:
    return [(label, True, observed, []) for label, observed in labels_and_observed]


SIREN_LABELS = ("SIREN present", "SIREN: 9 digits, Luhn checksum", "SIREN unique")
NAF_LABELS = ("NAF rév. 2 code shaped NN.NNL", "NAF rév. 2 division in ref.naf_divisions",
              "NAF rév. 2 code in ref.naf_codes (at least 95%)", "headcount band in ref.headcount_bands")


def test_unites_legales_clean(con):
    table(con, "sirene.unites_legales", UL, [
        (ACME, "62.01Z", "NAFRev2", "12"), (GANYMEDE, "45.2B", "NAFRev1", None), (TITAN, "70.22Z", "NAFRev2", "NN")])
    zero = "0 of 3 rows (0.0%)"
    assert run(con, "unites_legales_siren") == passed(*((label, zero) for label in SIREN_LABELS))
    assert run(con, "unites_legales_codes") == passed(*((label, zero) for label in NAF_LABELS))


def test_unites_legales_bad(con):
    table(con, "sirene.unites_legales", UL, [
        (ACME, "62.01Z", "NAFRev2", "12"),
        (BAD_SIREN, "6201Z", "NAFRev2", "12"),   # checksum; NAF shape; unknown code
        ("ABC", "00.00Z", "NAFRev2", "ZZ"),      # not digits; division 00; unknown code; unknown band
        (None, "45.2B", "NAFRev1", None),        # no SIREN (NAF rév. 1: not checked)
        (GANYMEDE, "62.01Z", "NAFRev2", "00"),
        (GANYMEDE, "62.01Z", "NAFRev2", "00"),   # duplicate
    ])
    assert run(con, "unites_legales_siren") == [
        ("SIREN present", False, "1 of 6 rows (16.7%)", ["NULL"]),
        ("SIREN: 9 digits, Luhn checksum", False, "2 of 6 rows (33.3%)", ["443061842", "ABC"]),
        ("SIREN unique", False, "2 of 6 rows (33.3%)", ["880878145"]),
    ]
    assert run(con, "unites_legales_codes") == [
        ("NAF rév. 2 code shaped NN.NNL", False, "1 of 6 rows (16.7%)", ["6201Z (siren 443061842)"]),
        ("NAF rév. 2 division in ref.naf_divisions", False, "1 of 6 rows (16.7%)", ["00.00Z (siren ABC)"]),
        ("NAF rév. 2 code in ref.naf_codes (at least 95%)", False, "2 of 6 rows (33.3%)",
         ["00.00Z (siren ABC)", "6201Z (siren 443061842)"]),
        ("headcount band in ref.headcount_bands", False, "1 of 6 rows (16.7%)", ["ZZ (siren ABC)"]),
    ]


def test_unknown_naf_codes_within_the_tolerated_share_pass(con):
    """A few codes outside the nomenclature (62.10Z is none) only fail the rule past the share."""
    rows = [(f"{i:09d}", "62.01Z", "NAFRev2", "12") for i in range(19)] + [("000000019", "62.10Z", "NAFRev2", "12")]
    table(con, "sirene.unites_legales", UL, rows)
    label = "NAF rév. 2 code in ref.naf_codes (at least 95%)"
    outcome = {o[0]: o for o in run(con, "unites_legales_codes")}[label]
    assert outcome == (label, True, "1 of 20 rows (5.0%)", ["62.10Z (siren 000000019)"])
    outcome = {o[0]: o for o in run(con, "unites_legales_codes", naf_known_share=0.99)}
    assert outcome["NAF rév. 2 code in ref.naf_codes (at least 99%)"][1] is False


def test_etablissements(con):
    clean = [(ACME, "00013", SIRETS[ACME]), (LA_POSTE[:9], LA_POSTE[9:], LA_POSTE)]
    table(con, "sirene.etablissements", ETAB, clean)
    zero = "0 of 2 rows (0.0%)"
    labels = ("SIRET present", "SIRET: 14 digits, Luhn checksum (La Poste: digit sum)", "SIRET is SIREN + NIC",
              "SIRET unique")
    assert run(con, "etablissements_siret") == passed(*((label, zero) for label in labels))
    table(con, "sirene.etablissements", ETAB, clean + [
        (ACME, "00048", "44306184100048"),        # Luhn fails
        ("356000000", "12345", "35600000012345"),  # La Poste, digit sum fails
        (ACME, "00099", SIRETS[ACME]),            # not SIREN + NIC, and a duplicate
        (ACME, "00021", None),
    ])
    assert run(con, "etablissements_siret") == [
        ("SIRET present", False, "1 of 6 rows (16.7%)", ["NULL"]),
        ("SIRET: 14 digits, Luhn checksum (La Poste: digit sum)", False, "2 of 6 rows (33.3%)",
         ["35600000012345", "44306184100048"]),
        ("SIRET is SIREN + NIC", False, "2 of 6 rows (33.3%)", ["44306184100013", "NULL"]),
        ("SIRET unique", False, "2 of 6 rows (33.3%)", ["44306184100013"]),
    ]


def test_companies(con):
    clean_companies(con)
    zero = "0 of 4 rows (0.0%)"
    assert run(con, "companies_siren") == passed(*((label, zero) for label in SIREN_LABELS),
                                                 ("head-office SIRET checksum (when known)", zero))
    assert run(con, "companies_codes") == passed(*((label, zero) for label in NAF_LABELS))
    table(con, "core.companies", COMPANIES, [
        (ACME, "44306184100014", "62.01Z", "NAFRev2", "12", True),   # head-office SIRET fails
        (ACME, SIRETS[ACME], "62.01Z", "NAFRev2", "12", True),       # duplicate SIREN
        ("12345678", None, "62.01Z", "NAFRev2", "12", True),         # 8 digits
        (TITAN, SIRETS[TITAN], "62.01Z", "NAFRev2", "99", True),     # no band 99
    ])
    assert run(con, "companies_siren") == [
        ("SIREN present", True, "0 of 4 rows (0.0%)", []),
        ("SIREN: 9 digits, Luhn checksum", False, "1 of 4 rows (25.0%)", ["12345678"]),
        ("SIREN unique", False, "2 of 4 rows (50.0%)", ["443061841"]),
        ("head-office SIRET checksum (when known)", False, "1 of 4 rows (25.0%)", ["44306184100014"]),
    ]
    assert run(con, "companies_codes")[3] == (
        "headcount band in ref.headcount_bands", False, "1 of 4 rows (25.0%)", ["99 (siren 732829320)"])


def test_latest_financials(con):
    clean = [(ACME, 1_000), (GANYMEDE, None), (TITAN, 0)]
    table(con, "core.latest_financials", FINANCIALS, clean)
    assert run(con, "latest_financials_values") == passed(("SIREN unique", "0 of 3 rows (0.0%)"),
                                                          ("revenue ≥ 0 (NULL allowed)", "0 of 3 rows (0.0%)"))
    table(con, "core.latest_financials", FINANCIALS, clean + [(SECRET, -5), (ACME, 20)])
    assert run(con, "latest_financials_values") == [
        ("SIREN unique", False, "2 of 5 rows (40.0%)", ["443061841"]),
        ("revenue ≥ 0 (NULL allowed)", False, "1 of 5 rows (20.0%)", ["-5 (siren 552100554)"]),
    ]


def leads(con, rows, name="leads.demo"):
    table(con, name, LEADS, [("demo", i, siren, siret, tier, statut)
                             for i, (siren, siret, tier, statut) in enumerate(rows, start=1)])


CLEAN_LEADS = [(ACME, SIRETS[ACME], "warm", "O"), (GANYMEDE, None, "cold", "O"), (TITAN, SIRETS[TITAN], "hot", "O")]


def test_leads_identifiers_and_p_units(con):
    clean_companies(con)
    leads(con, CLEAN_LEADS)
    zero = "0 of 3 rows (0.0%)"
    assert run(con, "icp_leads_siren", "demo") == passed(*((label, zero) for label in SIREN_LABELS),
                                                        ("SIRET checksum (when known)", zero))
    assert run(con, "icp_leads_no_p_unit", "demo") == passed(("statut_diffusion is not P", zero),
                                                            ("unit diffusible in core.companies (not P)", zero))
    leads(con, CLEAN_LEADS + [(BAD_SIREN, "44306184200013", "cold", "O"), (ACME, SIRETS[ACME], "cold", "O"),
                              (SECRET, SIRETS[SECRET], "cold", "P")])
    assert run(con, "icp_leads_siren", "demo") == [
        ("SIREN present", True, "0 of 6 rows (0.0%)", []),
        ("SIREN: 9 digits, Luhn checksum", False, "1 of 6 rows (16.7%)", ["443061842"]),
        ("SIREN unique", False, "2 of 6 rows (33.3%)", ["443061841"]),
        ("SIRET checksum (when known)", False, "1 of 6 rows (16.7%)", ["44306184200013"]),
    ]
    assert run(con, "icp_leads_no_p_unit", "demo") == [
        ("statut_diffusion is not P", False, "1 of 6 rows (16.7%)", ["552100554"]),
        ("unit diffusible in core.companies (not P)", False, "1 of 6 rows (16.7%)", ["552100554"]),
    ]


def test_a_lead_whose_unit_became_p_in_the_registry_fails(con):
    """leads.<icp>.statut_diffusion is written when the list is built; the registry is the truth."""
    clean_companies(con)
    leads(con, CLEAN_LEADS + [(SECRET, SIRETS[SECRET], "cold", "O")])
    assert run(con, "icp_leads_no_p_unit", "demo") == [
        ("statut_diffusion is not P", True, "0 of 4 rows (0.0%)", []),
        ("unit diffusible in core.companies (not P)", False, "1 of 4 rows (25.0%)", ["552100554"]),
    ]


def tiers(con, counts: dict[str, int]) -> None:
    rows = [(f"{i:09d}", None, tier, "O") for tier, n in counts.items() for i in range(n)]
    leads(con, rows)


TIER_PRESENT = ("tier present", True, "0 of 20 rows (0.0%)", [])
TIER_SET = ("tier is hot, warm or cold", True, "0 of 20 rows (0.0%)", [])


def test_tier_distribution_within_bounds(con):
    tiers(con, {"hot": 4, "warm": 8, "cold": 8})
    assert run(con, "icp_leads_tier_distribution", "demo") == [
        TIER_PRESENT, TIER_SET, ("hot share ≤ 50%", True, "observed 0.2", []),
        ("at least 2 distinct tiers", True, "observed 3", [])]


def test_too_many_hot_leads(con):
    tiers(con, {"hot": 12, "warm": 8})
    assert run(con, "icp_leads_tier_distribution", "demo")[2] == ("hot share ≤ 50%", False, "observed 0.6", [])
    assert run(con, "icp_leads_tier_distribution", "demo", max_hot_share=0.6)[2] == (
        "hot share ≤ 60%", True, "observed 0.6", [])


def test_every_lead_in_one_tier(con):
    tiers(con, {"warm": 20})
    assert run(con, "icp_leads_tier_distribution", "demo") == [
        TIER_PRESENT, TIER_SET, ("hot share ≤ 50%", True, "observed 0.0", []),
        ("at least 2 distinct tiers", False, "observed 1", [])]


def test_unknown_or_missing_tier(con):
    leads(con, [(ACME, None, "lukewarm", "O"), (GANYMEDE, None, None, "O"), (TITAN, None, "hot", "O")])
    result = checks.run_check(con, "icp_leads_tier_distribution", run_id="r", icp="demo", limits=Thresholds())
    assert [(o.label, o.success, o.observed, list(o.examples)) for o in result.outcomes] == [
        ("tier present", False, "1 of 3 rows (33.3%)", ["880878145"]),
        ("tier is hot, warm or cold", False, "1 of 3 rows (33.3%)", ["lukewarm (siren 443061841)"]),
    ]
    # 3 leads: the share rules are left out, and the result says so
    assert result.notes == ("hot share and tier count not checked: 3 leads, fewer than FIRMO_QUALITY_TIER_MIN_LEADS (20)",)
    assert "_hot share and tier count not checked" in result.markdown()


def enriched(con, rows):
    table(con, "leads.demo_enriched", ENRICHED, [("demo", i, siren, statut, email, phone)
                                                 for i, (siren, statut, email, phone) in enumerate(rows, start=1)])


def test_enriched_contacts(con):
    clean_companies(con)
    clean = [(ACME, "O", "jeanne.martin@acme.fr", "+33612345678"), (GANYMEDE, "O", None, None),
             (TITAN, "O", "o'brien+crm@sub.titan.co.uk", "+442071234567")]
    enriched(con, clean)
    zero = "0 of 3 rows (0.0%)"
    assert run(con, "enriched_leads_contacts", "demo") == passed(
        ("email syntactically valid (NULL allowed)", zero), ("phone in E.164 (+ and 8 to 15 digits; NULL allowed)", zero))
    assert run(con, "enriched_leads_no_p_unit", "demo") == passed(("statut_diffusion is not P", zero),
                                                                 ("unit diffusible in core.companies (not P)", zero))
    enriched(con, clean + [
        ("000000018", "O", "jeanne.martin@@acme.fr", "0612345678"),
        ("000000026", "O", "paul.durand@ganymede", "+33 6 12 34 56 78"),
        ("000000034", "O", "a..b@acme.fr", "+0612345678"),
        ("000000042", "O", "x@acme.fr\n", "+331234"),
        (SECRET, "P", None, None),
    ])
    assert run(con, "enriched_leads_contacts", "demo") == [
        ("email syntactically valid (NULL allowed)", False, "4 of 8 rows (50.0%)",
         ["a***@acme.fr (siren 000000034)", "j***@@acme.fr (siren 000000018)", "p***@ganymede (siren 000000026)",
          "x***@acme.fr\n (siren 000000042)"]),
        ("phone in E.164 (+ and 8 to 15 digits; NULL allowed)", False, "4 of 8 rows (50.0%)",
         ["+06***78 (siren 000000034)", "+33***34 (siren 000000042)", "+33***78 (siren 000000026)",
          "061***78 (siren 000000018)"]),
    ]
    assert run(con, "enriched_leads_no_p_unit", "demo") == [
        ("statut_diffusion is not P", False, "1 of 8 rows (12.5%)", ["552100554"]),
        ("unit diffusible in core.companies (not P)", False, "1 of 8 rows (12.5%)", ["552100554"]),
    ]


def test_contact_values_never_reach_the_results(con):
    enriched(con, [(ACME, "O", "jeanne.martin@@acme.fr", "06 12 34 56 78")])
    result = checks.run_check(con, "enriched_leads_contacts", run_id="r", icp="demo", limits=Thresholds())
    (details, summary), = con.execute("SELECT details, summary FROM quality.check_results").fetchall()
    for text in (details, summary, result.markdown(), result.examples_markdown()):
        assert "jeanne.martin" not in text and "34 56" not in text
        assert "j***@@acme.fr (siren 443061841)" in text


def test_exports_ledger(con):
    clean_companies(con)
    assert run(con, "crm_exports_no_p_unit", "demo") == []  # nothing exported yet: nothing to check
    ensure_tables(con)
    ledger = "INSERT INTO exports.ledger VALUES (?, ?, ?, ?, NULL, 'h', TIMESTAMP '2026-11-01 00:00:00', 'f.csv')"
    con.executemany(ledger, [("hubspot", "demo", f"{ACME}|x", ACME), ("salesforce", "other", f"{SECRET}|x", SECRET)])
    assert run(con, "crm_exports_no_p_unit", "demo") == passed(("unit diffusible in core.companies (not P)",
                                                               "0 of 1 rows (0.0%)"))
    con.executemany(ledger, [("hubspot", "demo", f"{SECRET}|x", SECRET), ("pipedrive", "demo", f"{SECRET}|x", SECRET)])
    assert run(con, "crm_exports_no_p_unit", "demo") == [
        ("unit diffusible in core.companies (not P)", False, "2 of 3 rows (66.7%)", ["552100554"])]


def test_markdown_shows_every_expectation_with_its_result(con):
    table(con, "core.latest_financials", FINANCIALS, [(ACME, -1), (GANYMEDE, 3)])
    result = checks.run_check(con, "latest_financials_values", run_id="r", limits=Thresholds())
    assert result.markdown() == (
        "| expectation | Great Expectations | column | result | observed | failing examples |\n"
        "|---|---|---|---|---|---|\n"
        "| SIREN unique | `expect_column_values_to_be_unique` | siren_rank | ✅ passed | 0 of 2 rows (0.0%) |  |\n"
        "| revenue ≥ 0 (NULL allowed) | `expect_column_values_to_be_between` | revenue | ❌ failed | 1 of 2 rows (50.0%) "
        "| -1 (siren 443061841) |")
    assert result.examples_markdown() == "- **revenue ≥ 0 (NULL allowed)**: `-1 (siren 443061841)`"
    assert result.summary == ("latest_financials_values: 1 of 2 expectations failed on core.latest_financials: "
                              "revenue ≥ 0 (NULL allowed): 1 of 2 rows (50.0%) (e.g. -1 (siren 443061841))")


class Recording:
    """A connection that remembers every statement it runs."""

    def __init__(self, con):
        self.con, self.statements = con, []

    def execute(self, sql, *params):
        self.statements.append(sql)
        return self.con.execute(sql, *params)

    def sql(self, query, **kwargs):
        self.statements.append(query)
        return self.con.sql(query, **kwargs)

    def __getattr__(self, name):
        return getattr(self.con, name)


def test_only_the_checked_columns_are_fetched(con):
    table(con, "core.latest_financials", {**FINANCIALS, "wide": "VARCHAR"}, [(ACME, 1, "x" * 100)])
    recording = Recording(con)
    checks.run_check(recording, "latest_financials_values", run_id="r", limits=Thresholds())
    fetches = [s for s in recording.statements if "latest_financials" in s]
    assert fetches == ['SELECT CASE WHEN "siren" IS NOT NULL THEN dense_rank() OVER (ORDER BY "siren") END AS "siren_rank", '
                       '"siren" AS "siren", "revenue" AS "revenue" FROM "core"."latest_financials" AS t']


def test_thresholds_from_the_environment():
    from firmo.settings import Settings, SettingsError

    assert Thresholds.from_settings(Settings.from_env({})) == Thresholds()
    limits = Thresholds.from_settings(Settings.from_env({
        "FIRMO_QUALITY_MIN_ROW_RATIO": "0.9", "FIRMO_QUALITY_MAX_HOT_SHARE": "0.3", "FIRMO_QUALITY_MIN_TIERS": "3",
        "FIRMO_QUALITY_TIER_MIN_LEADS": "50", "FIRMO_QUALITY_NAF_KNOWN_SHARE": "1", "FIRMO_QUALITY_EXAMPLES": "2"}))
    assert limits == Thresholds(min_row_ratio=0.9, max_hot_share=0.3, min_tiers=3, tier_min_leads=50,
                                        naf_known_share=1.0, examples=2)
    with pytest.raises(SettingsError, match=r"^FIRMO_QUALITY_MIN_ROW_RATIO must be a number between 0 and 1, got '98'$"):
        Settings.from_env({"FIRMO_QUALITY_MIN_ROW_RATIO": "98"})
    with pytest.raises(SettingsError, match=r"^FIRMO_QUALITY_MIN_TIERS must be a whole number \(0 or more\), got 'two'$"):
        Settings.from_env({"FIRMO_QUALITY_MIN_TIERS": "two"})
