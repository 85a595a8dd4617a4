"""Rule builders several tables share: a computed SQL condition true on every row, a column never
negative, identifiers, NAF codes and headcount bands, the two registry flags that forbid
prospecting, and the masks of personal data. The rule lists themselves live beside
the tables they guard (sources/*/quality.py, firmo/icp/quality.py, waterfall/quality.py,
firmo/crm/quality.py).

Checksums are not Great Expectations built-ins: the stored DuckDB macros (firmo.identifiers) give a
boolean column that is expected to be true. Great Expectations is imported on first use only (it
takes seconds), never when a rule module is imported.
"""

from __future__ import annotations

from typing import Any

import duckdb

from firmo import db, identifiers
from firmo.compliance import prospecting
from firmo.quality.model import Rule, Thresholds
from firmo.sqlfiles import quote_ident

NAF_REV2_REGEX = r"^\d{2}\.\d{2}[A-Z]\Z"
OPPOSITION_LABEL = "unit not opposed to commercial use at the RNE (diffusionCommerciale)"


def gxe() -> Any:
    """great_expectations.expectations, imported when a suite is built."""
    import great_expectations.expectations as gxe

    return gxe


def mask_email(value: str) -> str:
    """`jeanne.martin@acme.fr` -> `j***@acme.fr`: the shape of the fault, not the person."""
    local, at, domain = value.partition("@")
    return f"{local[:1]}***{at}{domain}"


def mask_phone(value: str) -> str:
    """`+33612345678` -> `+33***78`."""
    return f"{value[:3]}***{value[-2:]}" if len(value) > 5 else "***"


def reference_codes(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    if not db.table_exists(con, table):
        from firmo.reference import load_reference

        load_reference(con)
    return [code for (code,) in con.execute(f"SELECT code FROM {quote_ident(table)} ORDER BY code").fetchall()]


def true_rule(check: str, label: str, flag: str, sql: str, example: str) -> Rule:
    """The SQL condition `sql`, computed as the column `flag`, is true on every row (a NULL flag
    is not tested: write `coalesce(..., false)` when a NULL must fail). The shape of every
    checksum and cross-column relation; the failing examples are the `example` column's values."""
    return Rule(
        check,
        label,
        gxe().ExpectColumnValuesToBeInSet(column=flag, value_set=[True]),
        computed={flag: sql},
        example=example,
    )


def non_negative_rule(check: str, column: str, key: str) -> Rule:
    """`column` ≥ 0 where known (an amount, a revenue; NULL = unknown is allowed)."""
    return Rule(
        check,
        f"{column} ≥ 0 (NULL allowed)",
        gxe().ExpectColumnValuesToBeBetween(column=column, min_value=0),
        key=key,
    )


def unique_rule(check: str, label: str, column: str) -> Rule:
    """`column` unique, tested on its dense rank (NULL stays NULL): the same answer, but GE then
    hashes 8-byte integers instead of strings (5M SIRETs: 0.5 s and 180 MB instead of 4.5 s and
    900 MB). The failing examples are the values themselves."""
    col = quote_ident(column)
    return Rule(
        check,
        label,
        gxe().ExpectColumnValuesToBeUnique(column=f"{column}_rank"),
        computed={f"{column}_rank": f"CASE WHEN {col} IS NOT NULL THEN dense_rank() OVER (ORDER BY {col}) END"},
        example=column,
    )


def siret_rule(check: str, label: str, column: str, flag: str) -> Rule:
    """`column` is a valid SIRET when known (Luhn, or La Poste's digit sum), tested on `flag`."""
    return true_rule(check, label, flag, identifiers.siret_sql(column), column)


def siren_rules(check: str) -> list[Rule]:
    return [
        Rule(check, "SIREN present", gxe().ExpectColumnValuesToNotBeNull(column="siren")),
        true_rule(check, "SIREN: 9 digits, Luhn checksum", "siren_ok", identifiers.siren_sql("siren"), "siren"),
        unique_rule(check, "SIREN unique", "siren"),
    ]


def naf_band_rules(
    con: duckdb.DuckDBPyConnection,
    check: str,
    limits: Thresholds,
    *,
    naf: str,
    nomenclature: str,
    band: str,
    key: str = "siren",
) -> list[Rule]:
    """NAF rév. 2 codes in the nomenclature and headcount bands in INSEE's list. Older
    nomenclatures (ceased units keep NAF rév. 1 codes) are left out: ref.* holds rév. 2 only.
    ref.naf_divisions and ref.naf_codes are complete (all 732 sous-classes); `mostly` on the last
    rule still lets through the few codes SIRENE carries outside the nomenclature (`00.00Z`, a unit
    registered without an activity yet)."""
    ge = gxe()
    rev2 = f"CASE WHEN {quote_ident(nomenclature)} = 'NAFRev2' THEN {quote_ident(naf)} END"
    divisions, codes = reference_codes(con, "ref.naf_divisions"), reference_codes(con, "ref.naf_codes")
    bands = reference_codes(con, "ref.headcount_bands")
    return [
        Rule(
            check,
            "NAF rév. 2 code shaped NN.NNL",
            ge.ExpectColumnValuesToMatchRegex(column="naf_rev2", regex=NAF_REV2_REGEX),
            computed={"naf_rev2": rev2},
            key=key,
        ),
        Rule(
            check,
            "NAF rév. 2 division in ref.naf_divisions",
            ge.ExpectColumnValuesToBeInSet(column="naf_rev2_division", value_set=divisions),
            computed={"naf_rev2_division": f"substr({rev2}, 1, 2)", "naf_rev2": rev2},
            example="naf_rev2",
            key=key,
        ),
        Rule(
            check,
            f"NAF rév. 2 code in ref.naf_codes (at least {limits.naf_known_share:.0%})",
            ge.ExpectColumnValuesToBeInSet(column="naf_rev2", value_set=codes, mostly=limits.naf_known_share),
            computed={"naf_rev2": rev2},
            key=key,
        ),
        Rule(
            check,
            "headcount band in ref.headcount_bands",
            ge.ExpectColumnValuesToBeInSet(column=band, value_set=bands),
            key=key,
        ),
    ]


def _registry_diffusible(con: duckdb.DuckDBPyConnection) -> str:
    """SQL: the lead's current diffusion in core.companies (NULL when the unit is unknown)."""
    if not db.table_exists(con, "core.companies"):
        return "CAST(NULL AS BOOLEAN)"
    return "(SELECT bool_and(c.diffusible) FROM core.companies c WHERE c.siren = t.siren)"


def no_p_rules(con: duckdb.DuckDBPyConnection, check: str, *, statut: bool = True) -> list[Rule]:
    """No unit that is `P` in SIRENE now; with `statut`, none whose row says `P` either."""
    ge = gxe()
    rules = [
        true_rule(
            check,
            "unit diffusible in core.companies (not P)",
            "registry_diffusible",
            _registry_diffusible(con),
            "siren",
        )
    ]
    if statut:
        rules.insert(
            0,
            Rule(
                check,
                "statut_diffusion is not P",
                ge.ExpectColumnValuesToNotBeInSet(column="statut_diffusion", value_set=["P"]),
                example="siren",
            ),
        )
    return rules


def _registry_not_opposed(con: duckdb.DuckDBPyConnection) -> str:
    """SQL: the lead's unit is not under RNE opposition now (inpi.companies, its latest payload;
    TRUE when the RNE is not loaded). Lead rows carry no copy of the flag: firmo/compliance/prospecting.py."""
    opposed = prospecting.opposed_subquery(con)
    return "TRUE" if opposed is None else f"coalesce(t.siren NOT IN ({opposed}), true)"


def no_opposition_rules(con: duckdb.DuckDBPyConnection, check: str) -> list[Rule]:
    return [true_rule(check, OPPOSITION_LABEL, "registry_not_opposed", _registry_not_opposed(con), "siren")]
