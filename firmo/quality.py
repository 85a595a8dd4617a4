"""Data-quality checks: Great Expectations 1.x suites over the warehouse tables, a row-count guard,
and the record that lets a CRM export refuse to run after a blocking check failed.

Plain functions (no Dagster here; `assets/checks.py` wraps each entry of `CHECKS` as an asset
check). How a check runs:

- the table's suite function (`companies_suite`, `leads_suite`...) lists its rules: a GE
  expectation, the SQL expressions of any computed column it tests (checksums are not GE
  built-ins: the stored DuckDB macros give a boolean column that is expected to be true), and
  which column to show as a failing example;
- `validate` fetches from DuckDB only the columns those rules read (memory grows with the columns
  checked, not the table width), runs them as GE `ExpectationSuite`s (one per tested column) on
  pandas batches of an ephemeral GE context, and returns a `QualityResult` (per expectation:
  success, observed value, failing examples);
- `row_count_guard` compares a table's rows with the latest accepted load of another run
  (the annuaire-entreprises guard: below 98 % of it, something went wrong upstream);
- `run_check` does one of the two for a `QualityCheck` and appends the result to
  `quality.check_results`; `assert_exports_allowed` reads the latest results back.

Contact values (emails, phones) are personal data: their failing examples are masked and shown
with the company's SIREN, so neither the Dagster event log nor quality.check_results keeps them.
Great Expectations is imported on first use only (it takes seconds), never at definition time.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import duckdb

from firmo import db, identifiers
from firmo.compliance import prospecting
from firmo.metadata import markdown_table
from firmo.sqlfiles import load_sql, quote_ident

TIERS = ("hot", "warm", "cold")
# A syntactically valid address: dot-atom local part (no leading, trailing or doubled dot), a
# domain of LDH labels and an alphabetic TLD. `\Z`, not `$`: pandas searches, and `$` would
# accept a trailing newline.
EMAIL_REGEX = (
    r"^(?!\.)(?!.*\.\.)[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}(?<!\.)@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\Z"
)
E164_REGEX = r"^\+[1-9]\d{7,14}\Z"
NAF_REV2_REGEX = r"^\d{2}\.\d{2}[A-Z]\Z"
OPPOSITION_LABEL = "unit not opposed to commercial use at the RNE (diffusionCommerciale)"


def siren_ok(column: str = "siren") -> str:
    return identifiers.siren_sql(column)


def siret_ok(column: str = "siret") -> str:
    """Luhn, or La Poste's digit sum for SIREN 356000000 (firmo.identifiers)."""
    return identifiers.siret_sql(column)


# --------------------------------------------------------------------------- thresholds


@dataclass(frozen=True)
class Thresholds:
    """The configurable bounds, each with its environment variable (see README "Data quality")."""

    min_row_ratio: float = 0.98  # FIRMO_QUALITY_MIN_ROW_RATIO: rows / previous accepted load
    max_hot_share: float = 0.5  # FIRMO_QUALITY_MAX_HOT_SHARE: share of a lead list tiered hot
    min_tiers: int = 2  # FIRMO_QUALITY_MIN_TIERS: distinct tiers in a lead list
    tier_min_leads: int = 20  # FIRMO_QUALITY_TIER_MIN_LEADS: smaller lists skip the two above
    naf_known_share: float = 0.95  # FIRMO_QUALITY_NAF_KNOWN_SHARE: NAF rév. 2 codes found in ref.naf_codes
    examples: int = 5  # FIRMO_QUALITY_EXAMPLES: failing examples kept per expectation

    ENV = {
        "min_row_ratio": "FIRMO_QUALITY_MIN_ROW_RATIO",
        "max_hot_share": "FIRMO_QUALITY_MAX_HOT_SHARE",
        "min_tiers": "FIRMO_QUALITY_MIN_TIERS",
        "tier_min_leads": "FIRMO_QUALITY_TIER_MIN_LEADS",
        "naf_known_share": "FIRMO_QUALITY_NAF_KNOWN_SHARE",
        "examples": "FIRMO_QUALITY_EXAMPLES",
    }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Thresholds:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name, var in cls.ENV.items():
            raw = env.get(var)
            if raw is None or not raw.strip():
                continue
            kind = type(getattr(cls, name))
            try:
                value = kind(raw)
            except ValueError:
                raise ValueError(f"{var}={raw!r} is not a {'number' if kind is float else 'whole number'}") from None
            if kind is float and not 0 <= value <= 1:
                raise ValueError(f"{var}={raw!r} must be between 0 and 1")
            if kind is int and value < 0:
                raise ValueError(f"{var}={raw!r} must not be negative")
            values[name] = value
        return cls(**values)


# --------------------------------------------------------------------------- rules and suites


@dataclass(frozen=True)
class Rule:
    """One expectation of a table's suite, tagged with the check (`QualityCheck.name`) it belongs to.

    `computed` maps a column the expectation tests to the SQL expression computing it;
    `example` is the column whose values are reported for failing rows (the SIREN for a checksum
    flag), `key` the row identifier shown beside them, `mask` hides personal data. A rule
    without an expectation is a note shown with the results (a rule left out, and why)."""

    check: str
    label: str
    expectation: Any = None  # a great_expectations.expectations.Expectation
    computed: Mapping[str, str] = field(default_factory=dict)
    example: str | None = None
    key: str | None = None
    mask: Callable[[str], str] | None = None

    @property
    def column(self) -> str | None:
        return getattr(self.expectation, "column", None)

    @property
    def shown(self) -> str | None:
        return self.example or self.column


def mask_email(value: str) -> str:
    """`jeanne.martin@acme.fr` -> `j***@acme.fr`: the shape of the fault, not the person."""
    local, at, domain = value.partition("@")
    return f"{local[:1]}***{at}{domain}"


def mask_phone(value: str) -> str:
    """`+33612345678` -> `+33***78`."""
    return f"{value[:3]}***{value[-2:]}" if len(value) > 5 else "***"


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None) -> Any:
    # every row fetched: DuckDB 2 refuses `con.sql` while an execute() result is left unfinished
    [(value,)] = con.execute(sql, dict(params or {})).fetchall()
    return value


def _gxe():
    import great_expectations.expectations as gxe

    return gxe


def _reference_codes(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    if not db.table_exists(con, table):
        from firmo.reference import load_reference

        load_reference(con)
    return [code for (code,) in con.execute(f"SELECT code FROM {quote_ident(table)} ORDER BY code").fetchall()]


def _unique_rule(check: str, label: str, column: str, gxe) -> Rule:
    """`column` unique, tested on its dense rank (NULL stays NULL): the same answer, but GE then
    hashes 8-byte integers instead of strings (5M SIRETs: 0.5 s and 180 MB instead of 4.5 s and
    900 MB). The failing examples are the values themselves."""
    col = quote_ident(column)
    return Rule(
        check,
        label,
        gxe.ExpectColumnValuesToBeUnique(column=f"{column}_rank"),
        computed={f"{column}_rank": f"CASE WHEN {col} IS NOT NULL THEN dense_rank() OVER (ORDER BY {col}) END"},
        example=column,
    )


def _siren_rules(check: str, gxe) -> list[Rule]:
    return [
        Rule(check, "SIREN present", gxe.ExpectColumnValuesToNotBeNull(column="siren")),
        Rule(
            check,
            "SIREN: 9 digits, Luhn checksum",
            gxe.ExpectColumnValuesToBeInSet(column="siren_ok", value_set=[True]),
            computed={"siren_ok": siren_ok("siren")},
            example="siren",
        ),
        _unique_rule(check, "SIREN unique", "siren", gxe),
    ]


def _naf_band_rules(
    con, check: str, gxe, limits: Thresholds, *, naf: str, nomenclature: str, band: str, key: str = "siren"
) -> list[Rule]:
    """NAF rév. 2 codes in the nomenclature and headcount bands in INSEE's list. Older
    nomenclatures (ceased units keep NAF rév. 1 codes) are left out: ref.* holds rév. 2 only.
    ref.naf_divisions and ref.naf_codes are complete (all 732 sous-classes); `mostly` on the last
    rule still lets through the few codes SIRENE carries outside the nomenclature (`00.00Z`, a unit
    registered without an activity yet)."""
    rev2 = f"CASE WHEN {quote_ident(nomenclature)} = 'NAFRev2' THEN {quote_ident(naf)} END"
    divisions, codes = _reference_codes(con, "ref.naf_divisions"), _reference_codes(con, "ref.naf_codes")
    bands = _reference_codes(con, "ref.headcount_bands")
    return [
        Rule(
            check,
            "NAF rév. 2 code shaped NN.NNL",
            gxe.ExpectColumnValuesToMatchRegex(column="naf_rev2", regex=NAF_REV2_REGEX),
            computed={"naf_rev2": rev2},
            key=key,
        ),
        Rule(
            check,
            "NAF rév. 2 division in ref.naf_divisions",
            gxe.ExpectColumnValuesToBeInSet(column="naf_rev2_division", value_set=divisions),
            computed={"naf_rev2_division": f"substr({rev2}, 1, 2)", "naf_rev2": rev2},
            example="naf_rev2",
            key=key,
        ),
        Rule(
            check,
            f"NAF rév. 2 code in ref.naf_codes (at least {limits.naf_known_share:.0%})",
            gxe.ExpectColumnValuesToBeInSet(column="naf_rev2", value_set=codes, mostly=limits.naf_known_share),
            computed={"naf_rev2": rev2},
            key=key,
        ),
        Rule(
            check,
            "headcount band in ref.headcount_bands",
            gxe.ExpectColumnValuesToBeInSet(column=band, value_set=bands),
            key=key,
        ),
    ]


def unites_legales_suite(
    con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = "sirene.unites_legales"
) -> list[Rule]:
    """sirene.unites_legales (INSEE column names)."""
    gxe = _gxe()
    return _siren_rules("unites_legales_siren", gxe) + _naf_band_rules(
        con,
        "unites_legales_codes",
        gxe,
        limits,
        naf="activitePrincipaleUniteLegale",
        nomenclature="nomenclatureActivitePrincipaleUniteLegale",
        band="trancheEffectifsUniteLegale",
    )


def etablissements_suite(
    con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = "sirene.etablissements"
) -> list[Rule]:
    """sirene.etablissements: the SIRET is the key."""
    gxe = _gxe()
    check = "etablissements_siret"
    return [
        Rule(check, "SIRET present", gxe.ExpectColumnValuesToNotBeNull(column="siret")),
        Rule(
            check,
            "SIRET: 14 digits, Luhn checksum (La Poste: digit sum)",
            gxe.ExpectColumnValuesToBeInSet(column="siret_ok", value_set=[True]),
            computed={"siret_ok": siret_ok("siret")},
            example="siret",
        ),
        Rule(
            check,
            "SIRET is SIREN + NIC",
            gxe.ExpectColumnValuesToBeInSet(column="siret_is_siren_nic", value_set=[True]),
            computed={"siret_is_siren_nic": "coalesce(siret = siren || nic, false)"},
            example="siret",
        ),
        _unique_rule(check, "SIRET unique", "siret", gxe),
    ]


def companies_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = "core.companies") -> list[Rule]:
    """core.companies (one row per legal unit)."""
    gxe = _gxe()
    check = "companies_siren"
    return (
        _siren_rules(check, gxe)
        + [
            Rule(
                check,
                "head-office SIRET checksum (when known)",
                gxe.ExpectColumnValuesToBeInSet(column="siret_siege_ok", value_set=[True]),
                computed={"siret_siege_ok": siret_ok("siret_siege")},
                example="siret_siege",
            ),
        ]
        + _naf_band_rules(
            con, "companies_codes", gxe, limits, naf="naf_code", nomenclature="naf_nomenclature", band="headcount_band"
        )
    )


def latest_financials_suite(
    con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = "core.latest_financials"
) -> list[Rule]:
    """core.latest_financials: one row per SIREN, revenue never negative (NULL = unknown)."""
    gxe = _gxe()
    check = "latest_financials_values"
    return [
        _unique_rule(check, "SIREN unique", "siren", gxe),
        Rule(
            check,
            "revenue ≥ 0 (NULL allowed)",
            gxe.ExpectColumnValuesToBeBetween(column="revenue", min_value=0),
            key="siren",
        ),
    ]


def _registry_diffusible(con: duckdb.DuckDBPyConnection) -> str:
    """SQL: the lead's current diffusion in core.companies (NULL when the unit is unknown)."""
    if not db.table_exists(con, "core.companies"):
        return "CAST(NULL AS BOOLEAN)"
    return "(SELECT bool_and(c.diffusible) FROM core.companies c WHERE c.siren = t.siren)"


def _no_p_rules(con, check: str, gxe, *, statut: bool = True) -> list[Rule]:
    rules = [
        Rule(
            check,
            "unit diffusible in core.companies (not P)",
            gxe.ExpectColumnValuesToBeInSet(column="registry_diffusible", value_set=[True]),
            computed={"registry_diffusible": _registry_diffusible(con)},
            example="siren",
        )
    ]
    if statut:
        rules.insert(
            0,
            Rule(
                check,
                "statut_diffusion is not P",
                gxe.ExpectColumnValuesToNotBeInSet(column="statut_diffusion", value_set=["P"]),
                example="siren",
            ),
        )
    return rules


def _registry_not_opposed(con: duckdb.DuckDBPyConnection) -> str:
    """SQL: the lead's unit is not under RNE opposition now (inpi.companies, its latest payload;
    TRUE when the RNE is not loaded). Lead rows carry no copy of the flag: firmo/compliance/prospecting.py."""
    opposed = prospecting.opposed_subquery(con)
    return "TRUE" if opposed is None else f"coalesce(t.siren NOT IN ({opposed}), true)"


def _no_opposition_rules(check: str, con, gxe) -> list[Rule]:
    return [
        Rule(
            check,
            OPPOSITION_LABEL,
            gxe.ExpectColumnValuesToBeInSet(column="registry_not_opposed", value_set=[True]),
            computed={"registry_not_opposed": _registry_not_opposed(con)},
            example="siren",
        )
    ]


def leads_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str) -> list[Rule]:
    """leads.<icp>: identifiers, no P unit, no unit opposed at the RNE, and a tier distribution
    within bounds. The two distribution rules apply from `tier_min_leads` leads on (a list of 3 says nothing)."""
    gxe = _gxe()
    rules = (
        _siren_rules("icp_leads_siren", gxe)
        + [
            Rule(
                "icp_leads_siren",
                "SIRET checksum (when known)",
                gxe.ExpectColumnValuesToBeInSet(column="siret_ok", value_set=[True]),
                computed={"siret_ok": siret_ok("siret")},
                example="siret",
            ),
        ]
        + _no_p_rules(con, "icp_leads_no_p_unit", gxe)
        + _no_opposition_rules("icp_leads_no_opposed_unit", con, gxe)
        + [
            Rule(
                "icp_leads_tier_distribution",
                "tier present",
                gxe.ExpectColumnValuesToNotBeNull(column="tier"),
                example="siren",
            ),
            Rule(
                "icp_leads_tier_distribution",
                "tier is hot, warm or cold",
                gxe.ExpectColumnValuesToBeInSet(column="tier", value_set=list(TIERS)),
                key="siren",
            ),
        ]
    )
    rows = _scalar(con, f"SELECT count(*) FROM {quote_ident(table)}")
    if rows < limits.tier_min_leads:
        rules.append(
            Rule(
                "icp_leads_tier_distribution",
                f"hot share and tier count not checked: {rows} leads, fewer "
                f"than FIRMO_QUALITY_TIER_MIN_LEADS ({limits.tier_min_leads})",
            )
        )
    else:
        rules += [
            Rule(
                "icp_leads_tier_distribution",
                f"hot share ≤ {limits.max_hot_share:.0%}",
                gxe.ExpectColumnMeanToBeBetween(column="is_hot", min_value=0, max_value=limits.max_hot_share),
                computed={"is_hot": "CASE WHEN tier = 'hot' THEN 1.0 ELSE 0.0 END::DOUBLE"},
            ),
            Rule(
                "icp_leads_tier_distribution",
                f"at least {limits.min_tiers} distinct tiers",
                gxe.ExpectColumnUniqueValueCountToBeBetween(column="tier", min_value=limits.min_tiers),
            ),
        ]
    return rules


def enriched_leads_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str) -> list[Rule]:
    """leads.<icp>_enriched: contacts a CRM accepts, and still no P unit nor opposed unit."""
    gxe = _gxe()
    return (
        [
            Rule(
                "enriched_leads_contacts",
                "email syntactically valid (NULL allowed)",
                gxe.ExpectColumnValuesToMatchRegex(column="email", regex=EMAIL_REGEX),
                key="siren",
                mask=mask_email,
            ),
            Rule(
                "enriched_leads_contacts",
                "phone in E.164 (+ and 8 to 15 digits; NULL allowed)",
                gxe.ExpectColumnValuesToMatchRegex(column="phone", regex=E164_REGEX),
                key="siren",
                mask=mask_phone,
            ),
        ]
        + _no_p_rules(con, "enriched_leads_no_p_unit", gxe)
        + _no_opposition_rules("enriched_leads_no_opposed_unit", con, gxe)
    )


def exports_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = "exports.ledger") -> list[Rule]:
    """exports.ledger rows (of one ICP): every unit sent to a CRM is still diffusible and not opposed."""
    gxe = _gxe()
    return _no_p_rules(con, "crm_exports_no_p_unit", gxe, statut=False) + _no_opposition_rules(
        "crm_exports_no_opposed_unit", con, gxe
    )


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class QualityCheck:
    """One Dagster asset check. `suite=None` is the row-count guard. `table` may hold `{icp}`
    (per-ICP assets, checked on the partition being materialised); `where` filters the table
    (bound parameter `$icp`); `optional`: a missing table passes (nothing exported yet)."""

    name: str
    asset: str
    table: str
    blocking: bool
    severity: str
    description: str
    suite: Callable[..., list[Rule]] | None = None
    where: str | None = None
    optional: bool = False

    @property
    def per_icp(self) -> bool:
        return "{icp}" in self.table or "$icp" in (self.where or "")

    def table_for(self, icp: str | None) -> str:
        if self.per_icp and not icp:
            raise ValueError(f"check {self.name} runs per ICP: give the ICP")
        table = self.table.format(icp=icp) if "{icp}" in self.table else self.table
        quote_ident(table)  # an ICP name is a plain identifier, or nothing is queried
        return table


def _row_count(name: str, asset: str, table: str) -> QualityCheck:
    return QualityCheck(
        name,
        asset,
        table,
        blocking=True,
        severity="ERROR",
        description=f"{table} holds at least FIRMO_QUALITY_MIN_ROW_RATIO (98 %) of the rows of "
        "the previous accepted load (a truncated file or a failed download).",
    )


CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck(
        "unites_legales_siren",
        "sirene/unites_legales",
        "sirene.unites_legales",
        True,
        "ERROR",
        "Every SIREN present, 9 digits with a valid Luhn checksum, unique.",
        unites_legales_suite,
    ),
    QualityCheck(
        "unites_legales_codes",
        "sirene/unites_legales",
        "sirene.unites_legales",
        False,
        "WARN",
        "NAF rév. 2 codes in the nomenclature, headcount bands in INSEE's list.",
        unites_legales_suite,
    ),
    _row_count("unites_legales_row_count", "sirene/unites_legales", "sirene.unites_legales"),
    QualityCheck(
        "etablissements_siret",
        "sirene/etablissements",
        "sirene.etablissements",
        True,
        "ERROR",
        "Every SIRET present, valid (Luhn; La Poste's digit sum), SIREN + NIC, unique.",
        etablissements_suite,
    ),
    _row_count("etablissements_row_count", "sirene/etablissements", "sirene.etablissements"),
    QualityCheck(
        "companies_siren",
        "core/companies",
        "core.companies",
        True,
        "ERROR",
        "Every SIREN present, valid and unique; head-office SIRETs valid.",
        companies_suite,
    ),
    QualityCheck(
        "companies_codes",
        "core/companies",
        "core.companies",
        False,
        "WARN",
        "NAF rév. 2 codes in the nomenclature, headcount bands in INSEE's list.",
        companies_suite,
    ),
    _row_count("companies_row_count", "core/companies", "core.companies"),
    QualityCheck(
        "latest_financials_values",
        "core/latest_financials",
        "core.latest_financials",
        False,
        "ERROR",
        "One row per SIREN; revenue never negative (NULL = unknown).",
        latest_financials_suite,
    ),
    _row_count("latest_financials_row_count", "core/latest_financials", "core.latest_financials"),
    _row_count("officers_row_count", "inpi/officers", "inpi.officers"),
    QualityCheck(
        "icp_leads_siren",
        "icp_leads",
        "leads.{icp}",
        True,
        "ERROR",
        "Lead SIRENs valid and unique, SIRETs valid: never a broken identifier in a CRM.",
        leads_suite,
    ),
    QualityCheck(
        "icp_leads_no_p_unit",
        "icp_leads",
        "leads.{icp}",
        True,
        "ERROR",
        "No non-diffusible (statut P) unit in the lead list (décret 2022-1014).",
        leads_suite,
    ),
    QualityCheck(
        "icp_leads_no_opposed_unit",
        "icp_leads",
        "leads.{icp}",
        True,
        "ERROR",
        "No unit whose latest RNE payload opposes commercial use (diffusionCommerciale false, "
        "art. R.123-320) in the lead list.",
        leads_suite,
    ),
    QualityCheck(
        "icp_leads_tier_distribution",
        "icp_leads",
        "leads.{icp}",
        False,
        "WARN",
        "Tiers are hot/warm/cold; from FIRMO_QUALITY_TIER_MIN_LEADS leads on, at most "
        "FIRMO_QUALITY_MAX_HOT_SHARE hot and at least FIRMO_QUALITY_MIN_TIERS tiers.",
        leads_suite,
    ),
    QualityCheck(
        "enriched_leads_contacts",
        "enriched_leads",
        "leads.{icp}_enriched",
        True,
        "ERROR",
        "Emails syntactically valid, phones in E.164.",
        enriched_leads_suite,
    ),
    QualityCheck(
        "enriched_leads_no_p_unit",
        "enriched_leads",
        "leads.{icp}_enriched",
        True,
        "ERROR",
        "No non-diffusible (statut P) unit in the enriched list the export reads.",
        enriched_leads_suite,
    ),
    QualityCheck(
        "enriched_leads_no_opposed_unit",
        "enriched_leads",
        "leads.{icp}_enriched",
        True,
        "ERROR",
        "No unit opposed to commercial use at the RNE (diffusionCommerciale false) in the enriched list "
        "the export reads.",
        enriched_leads_suite,
    ),
    QualityCheck(
        "crm_exports_no_p_unit",
        "crm_exports",
        "exports.ledger",
        True,
        "ERROR",
        "Every unit exported for this ICP (exports.ledger) is still diffusible.",
        exports_suite,
        where="icp = $icp",
        optional=True,
    ),
    QualityCheck(
        "crm_exports_no_opposed_unit",
        "crm_exports",
        "exports.ledger",
        True,
        "ERROR",
        "No unit exported for this ICP (exports.ledger) is opposed to commercial use at the RNE now.",
        exports_suite,
        where="icp = $icp",
        optional=True,
    ),
)
# What gates an ICP's export: every blocking check on a table upstream of crm_exports.
EXPORT_GATES: tuple[str, ...] = tuple(c.name for c in CHECKS if c.blocking and c.asset != "crm_exports")


def check_named(name: str) -> QualityCheck:
    for check in CHECKS:
        if check.name == name:
            return check
    raise KeyError(f"no data-quality check named {name!r}")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Outcome:
    """One expectation's result. `examples` are failing values (masked when personal)."""

    label: str
    expectation: str
    column: str | None
    success: bool
    observed: str
    unexpected: int | None = None
    examples: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "expectation": self.expectation,
            "column": self.column,
            "success": self.success,
            "observed": self.observed,
            "unexpected": self.unexpected,
            "examples": list(self.examples),
        }


@dataclass(frozen=True)
class QualityResult:
    name: str
    table: str
    rows: int
    outcomes: tuple[Outcome, ...]
    notes: tuple[str, ...] = ()

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def summary(self) -> str:
        n = len(self.outcomes)
        if self.success:
            return f"{self.name}: {n} expectation{'s' * (n != 1)} on {self.rows:,} rows of {self.table}: all passed"
        faults = "; ".join(
            f"{o.label}: {o.observed}" + (f" (e.g. {', '.join(o.examples)})" if o.examples else "") for o in self.failed
        )
        return f"{self.name}: {len(self.failed)} of {n} expectations failed on {self.table}: {faults}"

    def markdown(self) -> str:
        """The expectations as a table: result, observed value, failing examples."""
        rows = [
            (
                o.label,
                f"`{o.expectation}`",
                o.column or "",
                "✅ passed" if o.success else "❌ failed",
                o.observed,
                ", ".join(o.examples),
            )
            for o in self.outcomes
        ]
        headers = ["expectation", "Great Expectations", "column", "result", "observed", "failing examples"]
        table = markdown_table(headers, rows)
        return "\n\n".join([table, *(f"_{note}_" for note in self.notes)])

    def examples_markdown(self) -> str:
        lines = [f"- **{o.label}**: " + (", ".join(f"`{e}`" for e in o.examples) or o.observed) for o in self.failed]
        return "\n".join(lines) or "none: every expectation passed"


def _plain(value: Any) -> Any:
    """numpy / pandas scalars -> Python; NaN, NA and NaT -> None."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _show(value: Any, mask: Callable[[str], str] | None) -> str:
    value = _plain(value)
    if value is None:
        return "NULL"
    text = str(value)
    return mask(text) if mask else text


def _outcome(rule: Rule, result: Any, frame: Any, limit: int) -> Outcome:
    config = result.expectation_config
    info = result.exception_info or {}
    errors = [v.get("exception_message") for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    if info.get("raised_exception"):
        errors.append(info.get("exception_message"))
    if errors:
        return Outcome(rule.label, config.type, rule.column, False, f"error: {errors[0]}")
    res = result.result or {}
    if "unexpected_count" in res:
        total, bad = res.get("element_count") or 0, res["unexpected_count"] or 0
        observed = f"{bad:,} of {total:,} rows" + (f" ({bad / total:.1%})" if total else "")
        examples: list[str] = []
        for index in res.get("partial_unexpected_index_list") or []:  # labels of the first failing rows
            text = _show(frame.at[index, rule.shown], rule.mask)
            if rule.key and rule.key != rule.shown:
                text = f"{text} ({rule.key} {_show(frame.at[index, rule.key], None)})"
            if text not in examples:
                examples.append(text)
        return Outcome(
            rule.label, config.type, rule.column, bool(result.success), observed, bad, tuple(sorted(examples)[:limit])
        )
    observed_value = _plain(res.get("observed_value"))
    if isinstance(observed_value, float):
        observed_value = round(observed_value, 4)
    return Outcome(rule.label, config.type, rule.column, bool(result.success), f"observed {observed_value}")


def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.execution_engine import pandas_execution_engine

    # GE fingerprints every pandas batch under 1 GB by hashing each row (strings turned into
    # Python objects: ~300 bytes a row and seconds per million rows); the fingerprint is only a
    # batch marker, which nothing here reads. 0 turns it off.
    pandas_execution_engine.HASH_THRESHOLD = 0

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def validate(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rules: Sequence[Rule],
    *,
    name: str | None = None,
    where: str | None = None,
    params: Mapping[str, Any] | None = None,
    examples: int = 5,
) -> QualityResult:
    """Run `rules` on `table` with Great Expectations and report every expectation, in order.

    Only the columns the rules read (plain or computed) are fetched; `where` (bound `params`)
    narrows the rows."""
    import great_expectations as gx
    import pandas as pd

    name = name or table
    notes = tuple(r.label for r in rules if r.expectation is None)
    rules = [r for r in rules if r.expectation is not None]
    if not rules:
        rows = _scalar(
            con, f"SELECT count(*) FROM {quote_ident(table)} AS t" + (f" WHERE {where}" if where else ""), params
        )
        return QualityResult(name, table, rows, (), notes)
    columns: dict[str, str] = {}
    for rule in rules:
        columns.update(rule.computed)
    for rule in rules:
        for col in (rule.column, rule.example, rule.key):
            if col and col not in columns:
                columns[col] = quote_ident(col)
    select = ", ".join(f"{expr} AS {quote_ident(col)}" for col, expr in columns.items())
    sql = f"SELECT {select} FROM {quote_ident(table)} AS t" + (f" WHERE {where}" if where else "")
    if "firmo_" in select:
        identifiers.ensure_macros(con)
    # through Arrow: strings stay Arrow strings (no Python object per value)
    frame = con.sql(sql, params=dict(params or {})).to_arrow_table().to_pandas(types_mapper=pd.ArrowDtype)

    # One suite per tested column, on a batch of that column only: GE filters and copies whole
    # batches, so the columns kept for examples (the SIRET beside a checksum flag...) stay out.
    # SUMMARY gives counts and the index of the first failing rows; their shown / key values are
    # read from the frame (GE's `unexpected_index_column_names` walks every failing row in Python:
    # minutes on a table where most rows fail).
    context = _context()  # first: a suite binds to the current context
    source = context.data_sources.add_pandas("firmo")
    by_column: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        by_column.setdefault(rule.column, []).append(i)
    by_rule: dict[int, Any] = {}
    for column, indices in by_column.items():
        # each expectation carries its rule's index: GE returns results in its own order
        suite = gx.ExpectationSuite(
            name=f"{name}.{column}",
            expectations=[
                rules[i].expectation.copy(update={"meta": {**(rules[i].expectation.meta or {}), "rule": i}})
                for i in indices
            ],
        )
        batch = (
            source.add_dataframe_asset(f"{name}.{column}")
            .add_batch_definition_whole_dataframe("all")
            .get_batch(batch_parameters={"dataframe": frame[[column]] if column else frame})
        )
        run = batch.validate(
            suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": max(examples * 4, 20)}
        )
        by_rule.update({r.expectation_config.meta["rule"]: r for r in run.results})
    outcomes = tuple(_outcome(rule, by_rule[i], frame, examples) for i, rule in enumerate(rules))
    return QualityResult(name, table, len(frame), outcomes, notes)


def row_count_guard(
    con: duckdb.DuckDBPyConnection,
    table: str,
    *,
    run_id: str,
    min_ratio: float = 0.98,
    name: str | None = None,
    now: datetime | None = None,
) -> QualityResult:
    """Fail when `table` has fewer rows than `min_ratio` of the latest accepted load of another
    run. The first load passes. Every count is recorded in quality.row_counts, with whether it
    passed: a failing load never becomes the baseline (lower the ratio for one run to accept a
    genuine drop)."""
    ensure_tables(con)
    rows = _scalar(con, f"SELECT count(*) FROM {quote_ident(table)}")
    previous = next(
        iter(con.execute(load_sql("quality/previous_row_count"), {"table_name": table, "run_id": run_id}).fetchall()),
        None,
    )
    label = f"rows ≥ {min_ratio:.0%} of the previous accepted load"
    if previous is None:
        passed, observed = True, f"{rows:,} rows; first recorded load"
    else:
        before, before_run, _ = previous
        minimum = minimum_rows(before, min_ratio)
        passed = rows >= minimum
        observed = f"{rows:,} rows; previous accepted load {before:,} (run {before_run[:8]}); minimum {minimum:,}"
    con.execute(
        load_sql("quality/record_row_count"),
        {"table_name": table, "run_id": run_id, "rows": rows, "accepted": passed, "checked_at": _utc(now)},
    )
    outcome = Outcome(label, "row_count_guard", None, passed, observed)
    return QualityResult(name or table, table, rows, (outcome,))


def minimum_rows(previous: int, min_ratio: float) -> int:
    """Fewest rows a load may have after a load of `previous` rows (exact decimal: 0.98 x 1,000 = 980)."""
    return math.ceil(Decimal(str(min_ratio)) * previous)


def _utc(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(load_sql("quality/create_tables"))


def reset_row_counts(con: duckdb.DuckDBPyConnection) -> int:
    """Forget every load's row count: the next load of each table is a first load. For a source
    that is knowingly a different population (the demo regenerated at another size); returns
    the number of counts forgotten."""
    ensure_tables(con)
    return int(con.execute("DELETE FROM quality.row_counts").fetchall()[0][0])


def run_check(
    con: duckdb.DuckDBPyConnection,
    check: QualityCheck | str,
    *,
    run_id: str,
    icp: str | None = None,
    limits: Thresholds | None = None,
    now: datetime | None = None,
) -> QualityResult:
    """Run one check (on the ICP's table for per-ICP checks) and record its result."""
    check = check_named(check) if isinstance(check, str) else check
    limits = limits or Thresholds.from_env()
    table = check.table_for(icp)
    if check.suite is None:
        result = row_count_guard(con, table, run_id=run_id, min_ratio=limits.min_row_ratio, name=check.name, now=now)
    elif check.optional and not db.table_exists(con, table):
        result = QualityResult(check.name, table, 0, (), notes=(f"{table} does not exist yet: nothing to check",))
    else:
        rules = [r for r in check.suite(con, limits, table) if r.check == check.name]
        result = validate(
            con,
            table,
            rules,
            name=check.name,
            where=check.where,
            params={"icp": icp} if check.where else None,
            examples=limits.examples,
        )
    record(con, check, result, run_id=run_id, icp=icp, now=now)
    return result


def record(
    con: duckdb.DuckDBPyConnection,
    check: QualityCheck,
    result: QualityResult,
    *,
    run_id: str,
    icp: str | None = None,
    now: datetime | None = None,
) -> None:
    ensure_tables(con)
    con.execute(
        load_sql("quality/record_check_result"),
        {
            "check_name": check.name,
            "asset": check.asset,
            "partition_key": icp if check.per_icp else None,
            "run_id": run_id,
            "passed": result.success,
            "blocking": check.blocking,
            "severity": check.severity,
            "summary": result.summary,
            "details": json.dumps([o.as_dict() for o in result.outcomes], ensure_ascii=False),
            "checked_at": _utc(now),
        },
    )


# --------------------------------------------------------------------------- the export gate


class QualityGateError(RuntimeError):
    """A CRM export refused because a blocking data-quality check failed."""


def blocking_failures(con: duckdb.DuckDBPyConnection, icp: str) -> list[tuple]:
    """(check, asset, partition, run id, checked at, summary) of each blocking check gating
    `icp`'s export whose latest result failed, whatever run recorded it."""
    if not db.table_exists(con, "quality.check_results"):
        return []
    return con.execute(load_sql("quality/blocking_failures"), {"checks": list(EXPORT_GATES), "icp": icp}).fetchall()


def assert_exports_allowed(con: duckdb.DuckDBPyConnection, icp: str) -> None:
    """Raise QualityGateError naming every failing blocking check upstream of `icp`'s export."""
    failures = blocking_failures(con, icp)
    if not failures:
        return
    lines = [
        f"{check} on {asset}{f'[{part}]' if part else ''} (run {run_id[:8]}, {at:%Y-%m-%d %H:%M} UTC): {summary}"
        for check, asset, part, run_id, at, summary in failures
    ]
    raise QualityGateError(
        f"CRM export of {icp} refused: {len(failures)} blocking data-quality check{'s' * (len(failures) > 1)} "
        f"failed ({', '.join(f[0] for f in failures)}). Fix the data and re-materialize the checked asset; "
        "details in quality.check_results.\n" + "\n".join(lines)
    )
