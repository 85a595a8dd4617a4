"""Run an ICP against core.prospects: counts for a preview, the ranked lead rows for a build.

The scoring rules live in firmo/sql/icp/scored.sql (read its header); this module only turns a
resolved ICP into bound parameters and runs the queries. `as_of` is the day scores are computed
for ("12 days ago" counts from it, signals after it are ignored), so a re-run on the same data
and day gives the same list.

The open-data criteria read tables other loads publish (OPEN_DATA). `warehouse_inputs` checks,
before any query, that each table a criterion of the ICP needs is there (else one InputError line
naming the load to run), stands an empty TEMP table in for each absent table no criterion needs
(the query text names every table), looks up the point of a `near` commune and resolves an IDCC
`search` against ref.idcc: both are warehouse data, so they are resolved when the ICP runs.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

import duckdb
import polars as pl
import pyarrow as pa

from firmo import db, geo
from firmo.errors import InputError
from firmo.icp import authority
from firmo.icp.prospects import (
    NAF_TABLE,
    OPEN_DATA_FINGERPRINTS,
    OPEN_DATA_SOURCES,
    OPEN_DATA_TABLE,
    ROLE_SETS_TABLE,
    TABLE,
    fingerprint_sql,
)
from firmo.icp.validate import NO_IDCC, ResolvedIcp, resolve_idcc_search
from firmo.labels import LABELS
from firmo.labels import name as label_name
from firmo.signals import LABEL_EXPIRING_DAYS, SIGNAL_TYPES
from firmo.sqlfiles import load_sql, render_identifiers

DIMENSIONS = ("tier", "region", "naf_division", "headcount_band")
TIERS = ("hot", "warm", "cold")  # what scored.sql gives each lead, best first


@dataclass
class Preview:
    """What `firmo icp preview` prints: counts over the whole selection and the first leads."""

    icp: str
    total: int
    counts: dict[str, list[tuple[str, int]]]
    top: pl.DataFrame
    warnings: list[str] = field(default_factory=list)

    def tier_counts(self) -> dict[str, int]:
        found = dict(self.counts.get("tier", []))
        return {tier: found.get(tier, 0) for tier in TIERS}


# identifier in sql/icp/scored.sql -> (table, the criterion reading it, the command that loads it,
# the columns of its empty stand-in)
OPEN_DATA = {
    "locations": (
        geo.LOCATIONS,
        "near",
        "firmo load geoloc",
        "siret VARCHAR, siren VARCHAR, latitude DOUBLE, longitude DOUBLE, precise BOOLEAN, active BOOLEAN, "
        "grid_cell INTEGER",
    ),
    "labels": (
        "core.labels",
        "labels",
        "firmo load labels",
        "siren VARCHAR, siret VARCHAR, label VARCHAR, valid_from DATE, valid_to DATE",
    ),
    "company_idcc": ("core.company_idcc", "idcc", "firmo load idcc", "siren VARCHAR, siret VARCHAR, idcc VARCHAR"),
    "contracts": (
        "core.public_contracts",
        "public_contracts",
        "firmo load decp",
        "uid VARCHAR, siren VARCHAR, notification_date DATE, amount DOUBLE, cpv_code VARCHAR, buyer_category VARCHAR",
    ),
    "job_offers": (
        "core.job_offers",
        "hiring",
        "firmo load jobs",
        "offer_id VARCHAR, siren VARCHAR, created_date DATE, rome_code VARCHAR, temp_agency BOOLEAN",
    ),
}
IDCC_TITLES = "ref.idcc"


@dataclass
class WarehouseInputs:
    """What an ICP's query needs from the warehouse beyond core.prospects (see the module docstring)."""

    identifiers: dict[str, str]  # {{placeholder}} of sql/icp/scored.sql -> table or stand-in
    near_point: tuple[float, float] | None = None
    idcc_codes: list[str] = field(default_factory=list)  # the file's codes plus the one its search names


def criteria_on(icp: ResolvedIcp) -> set[str]:
    """The open-data criteria the ICP sets (names of OPEN_DATA's second column)."""
    c = icp.config.criteria
    on = {
        "near": icp.near is not None,
        "labels": bool(icp.labels_any or icp.labels_all),
        "idcc": bool(icp.idcc_codes or icp.idcc_search),
        "public_contracts": c.public_contracts is not None,
        "hiring": c.hiring is not None,
    }
    return {name for name, active in on.items() if active}


def _present(con: duckdb.DuckDBPyConnection, tables: list[str]) -> set[str]:
    """Which of `tables` exist, in one catalog query (a preview checks ten: ~1 ms each apart)."""
    return {name for (name,) in con.execute(load_sql("icp/present_tables"), {"wanted": tables}).fetchall()}


def warehouse_inputs(con: duckdb.DuckDBPyConnection, icp: ResolvedIcp) -> WarehouseInputs:
    """Check and resolve what the ICP reads besides core.prospects; InputError when a criterion's
    table is not loaded, its commune has no point or its IDCC search does not name one agreement."""
    on = criteria_on(icp)
    identifiers: dict[str, str] = {}
    present = _present(
        con, [*(t for t, *_ in OPEN_DATA.values()), OPEN_DATA_TABLE, OPEN_DATA_FINGERPRINTS, geo.COMMUNE_POINTS]
    )
    for key, (table, criterion, command, columns) in OPEN_DATA.items():
        if table in present:
            identifiers[key] = table
        elif criterion in on:
            raise InputError(f"criteria.{criterion} needs {table}: run `{command}`")
        else:
            identifiers[key] = f"icp_empty_{key}"
            con.execute(f"CREATE OR REPLACE TEMP TABLE icp_empty_{key} ({columns})")
    identifiers["prospects"] = prospects_table(con, on, present)
    out = WarehouseInputs(identifiers=identifiers, idcc_codes=list(icp.idcc_codes))
    near = icp.near
    if near is not None and near.commune_code is not None:
        if geo.COMMUNE_POINTS not in present:
            raise InputError(f"criteria.near.commune needs {geo.COMMUNE_POINTS}: run `firmo load geoloc`")
        out.near_point = geo.commune_point(con, near.commune_code)
        if out.near_point is None:
            raise InputError(
                f"criteria.near.commune: {near.name} ({near.commune_code}) has no geolocated establishment "
                "to stand for its position: give lat and lon instead"
            )
    elif near is not None and near.lat is not None and near.lon is not None:
        out.near_point = (near.lat, near.lon)
    if "idcc" in on and (icp.idcc_search or icp.idcc_codes):
        out.idcc_codes = _idcc_codes(con, icp)
    return out


def prospects_table(con: duckdb.DuckDBPyConnection, on: set[str], present: set[str] | None = None) -> str:
    """The table the ICP's query reads: core.prospects, or its open-data subset when the ICP sets a
    criterion of OPEN_DATA_SOURCES whose table still has the fingerprint it had when the subset was
    built (firmo.icp.prospects). That criterion's gate keeps only SIRENs of its table, so the subset
    then holds every lead the full table would give, and the scan reads a tenth of the rows. One
    criterion is enough (the gates are ANDed): the one with the fewest SIRENs is checked.
    `present`: the tables warehouse_inputs found (else they are looked up here)."""
    sources = [OPEN_DATA_SOURCES[c] for c in sorted(on) if c in OPEN_DATA_SOURCES]
    if not sources:
        return TABLE
    present = present if present is not None else _present(con, [OPEN_DATA_TABLE, OPEN_DATA_FINGERPRINTS])
    if OPEN_DATA_TABLE not in present or OPEN_DATA_FINGERPRINTS not in present:
        return TABLE
    built = con.execute(
        f"SELECT source, sirens, fingerprint FROM {OPEN_DATA_FINGERPRINTS} "
        "WHERE list_contains($sources, source) ORDER BY sirens, source LIMIT 1",
        {"sources": sources},
    ).fetchall()
    if not built:
        return TABLE  # none of the criteria's tables was there at the build
    source, sirens, fingerprint = built[0]
    now = con.execute(f"SELECT {fingerprint_sql(source)}").fetchall()[0]
    return OPEN_DATA_TABLE if (now[0], now[1]) == (sirens, fingerprint) else TABLE


def _idcc_codes(con: duckdb.DuckDBPyConnection, icp: ResolvedIcp) -> list[str]:
    """The file's IDCC codes, each known to ref.idcc, plus the one its search names."""
    if not db.table_exists(con, IDCC_TITLES):
        if icp.idcc_search:
            raise InputError(
                f"criteria.idcc.search needs {IDCC_TITLES} (the agreements' titles): run `firmo load idcc`"
            )
        return list(icp.idcc_codes)  # codes need no titles
    titles = {code: title or "" for code, title in con.execute(f"SELECT idcc, title FROM {IDCC_TITLES}").fetchall()}
    from firmo.icp.config import suggest

    unknown = [code for code in icp.idcc_codes if code not in titles]
    if unknown:
        raise InputError(
            "criteria.idcc.codes: unknown IDCC "
            + ", ".join(f"{code}{suggest(code, [c for c in titles if c != NO_IDCC])}" for code in unknown)
            + f" (not in {IDCC_TITLES})"
        )
    codes = set(icp.idcc_codes)
    if icp.idcc_search:
        code, error = resolve_idcc_search(icp.idcc_search, titles)
        if error:
            raise InputError(error)
        codes.add(str(code))
    return sorted(codes)


def years_before(day: date, years: int) -> date:
    """Same calendar day `years` earlier (29 Feb -> 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def query_params(icp: ResolvedIcp, as_of: date, inputs: WarehouseInputs | None = None) -> dict[str, object]:
    """Every parameter of firmo/sql/icp/*.sql for this ICP (NULL / empty / false = criterion not set).
    `inputs` (warehouse_inputs) gives a `near` commune's point and an IDCC search's code."""
    c, s = icp.config.criteria, icp.config.scoring
    age = c.age_years
    weights = s.weights()
    return {
        **open_data_params(icp, as_of, inputs),
        "as_of": as_of,
        "icp": icp.name,
        "naf_on": bool(icp.naf_include_terms),
        **naf_params(icp),
        "geo_on": bool(icp.regions or icp.departements or icp.communes),
        "regions": icp.regions,
        "departements": icp.departements,
        "communes": icp.communes,
        "hc_on": c.headcount.active,
        "hc_min": c.headcount.min,
        "hc_max": c.headcount.max,
        # revenue counts when a range is set, or when the file says what to do with unknown revenue
        "rev_on": c.revenue.active or "unknown" in c.revenue.model_fields_set,
        "rev_min": c.revenue.min,
        "rev_max": c.revenue.max,
        "rev_unknown": c.revenue.unknown,
        "rev_penalty": float(c.revenue.penalty),
        # age in full years: min 2 -> created on or before as_of - 2y; max 10 -> after as_of - 11y
        "created_to": years_before(as_of, int(age.min)) if age.min is not None else None,
        "created_from": years_before(as_of, int(age.max) + 1) + timedelta(days=1) if age.max is not None else None,
        "lf_on": bool(icp.legal_forms),
        "legal_forms": icp.legal_forms,
        "employer_only": c.employer_only,
        "cat_on": bool(c.company_categories),
        "categories": list(c.company_categories),
        "exclude_proceedings": c.exclude_collective_proceedings,
        "exclude_closed": c.exclude_closed,
        "role_groups": icp.role_groups,
        **authority.query_params(icp),
        "require_decision_maker": c.require_decision_maker,
        "w_naf": s.fit_weights.naf,
        "w_headcount": s.fit_weights.headcount,
        "w_revenue": s.fit_weights.revenue,
        "w_authority": s.fit_weights.authority,
        "signal_types": list(SIGNAL_TYPES),
        "signal_weights": [float(weights[t]) for t in SIGNAL_TYPES],
        "half_life_days": float(s.half_life_days),
        "fit_share": s.fit_share,
        "tier_hot": s.tiers.hot,
        "tier_warm": s.tiers.warm,
    }


def open_data_params(icp: ResolvedIcp, as_of: date, inputs: WarehouseInputs | None) -> dict[str, object]:
    """Parameters of the open-data criteria (sql/icp/scored.sql: near_hits ... hiring_hits)."""
    c = icp.config.criteria
    on = criteria_on(icp)
    point: tuple[float, float] | None = None
    if inputs is not None:
        point = inputs.near_point
    elif icp.near is not None and icp.near.lat is not None and icp.near.lon is not None:
        point = (icp.near.lat, icp.near.lon)
    if "near" in on and point is None:
        raise ValueError("criteria.near.commune: its point comes from the warehouse (pass warehouse_inputs)")
    near: dict[str, object] = {"near_on": False, "near_lat": 0.0, "near_lon": 0.0, "near_km": 0.0, "near_name": ""}
    near |= {"near_cell_min": 0, "near_cell_max": -1, "near_col_min": 0, "near_col_max": -1}
    near |= {"near_lat_min": 0.0, "near_lat_max": -1.0, "near_lon_min": 0.0, "near_lon_max": -1.0}
    if icp.near is not None and point is not None:
        ranges = geo.cell_ranges(point[0], point[1], icp.near.radius_km)
        lat_min, lat_max, lon_min, lon_max = geo.bounding_box(point[0], point[1], icp.near.radius_km)
        near = {
            "near_on": True,
            "near_lat": float(point[0]),
            "near_lon": float(point[1]),
            "near_km": float(icp.near.radius_km),
            "near_name": icp.near.name,
            "near_cell_min": ranges[0][0],
            "near_cell_max": ranges[-1][1],
            "near_col_min": ranges[0][0] % geo.COLUMNS,
            "near_col_max": ranges[0][1] % geo.COLUMNS,
            "near_lat_min": lat_min,
            "near_lat_max": lat_max,
            "near_lon_min": lon_min,
            "near_lon_max": lon_max,
        }
    wanted = list(dict.fromkeys([*icp.labels_any, *icp.labels_all]))
    contracts, hiring = c.public_contracts, c.hiring
    return {
        **near,
        "labels_on": "labels" in on,
        "labels_any": icp.labels_any,
        "labels_all": icp.labels_all,
        "labels_wanted": wanted,
        "labels_day": c.labels.valid_on or as_of,
        "label_codes": list(LABELS),
        "label_names": [label_name(code) for code in LABELS],
        "idcc_on": "idcc" in on,
        "idcc_codes": inputs.idcc_codes if inputs is not None else icp.idcc_codes,
        "contracts_on": contracts is not None,
        "contracts_after": as_of - timedelta(days=contracts.within_days if contracts else 365),
        "contracts_days": contracts.within_days if contracts else 365,
        "contracts_min": contracts.min_contracts if contracts else 1,
        "contracts_min_amount": contracts.min_amount if contracts else None,
        "cpv_prefixes": icp.cpv_prefixes,
        "buyer_categories": icp.buyer_categories,
        "hiring_on": hiring is not None,
        "hiring_after": as_of - timedelta(days=hiring.within_days if hiring else 30),
        "hiring_days": hiring.within_days if hiring else 30,
        "hiring_min": hiring.min_offers if hiring else 1,
        "rome_prefixes": icp.rome_prefixes,
        "label_expiring_days": LABEL_EXPIRING_DAYS,
    }


def naf_params(icp: ResolvedIcp) -> dict[str, list]:
    """The NAF patterns as parallel lists (one entry per pattern; firmo/sql/icp/scored.sql unnests them)."""
    inc, exc = icp.naf_include_terms, icp.naf_exclude_terms
    return {
        "naf_inc_text": [t.text for t in inc],
        "naf_inc_nom": [t.nomenclature for t in inc],
        "naf_inc_value": [t.value for t in inc],
        "naf_inc_fit": [t.fit for t in inc],
        "naf_inc_other": [list(t.translation) for t in inc],
        "naf_inc_reason": [t.reason for t in inc],
        "naf_inc_reason_other": [t.reason_by_correspondence for t in inc],
        "naf_exc_nom": [t.nomenclature for t in exc],
        "naf_exc_value": [t.value for t in exc],
        "naf_exc_other": [list(t.translation) for t in exc],
    }


def _bind(sql: str, params: dict[str, object]) -> dict[str, object]:
    """Only the parameters this statement uses (DuckDB rejects unused named parameters)."""
    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())  # '--' never occurs in a value here
    used = set(re.findall(r"\$([a-z_]+)", code))
    missing = used - set(params)
    if missing:
        raise KeyError(f"ICP query needs parameters {sorted(missing)}")
    return {k: v for k, v in params.items() if k in used}


# A preview's answer is one row (two lists), so the extra copy DuckDB warns about when a DB-API
# result is read as Arrow costs nothing here, while con.sql(...).to_arrow_table(), which it
# suggests, binds the 30 kB statement once more first (~0.03 CPU s a preview, a tenth of most).
_ONE_ROW_ARROW = "Arrow output on a DB-API result makes an extra copy of the rows"

_ONLY_WITH = re.compile(r"--\s*only with criteria\.([a-z_]+)\s*$")


def render_query(sql: str, on: set[str]) -> str:
    """`sql` without the lines marked `-- only with criteria.<name>` for criteria not in `on`:
    DuckDB does not fold a semi-join away when a bound flag turns it off (8M probes cost
    ~80 ms for an empty set), and a line left out costs nothing. Lines only, never values."""
    return "\n".join(
        line for line in sql.splitlines() if (found := _ONLY_WITH.search(line)) is None or found.group(1) in on
    )


def _query(part: str, inputs: WarehouseInputs, icp: ResolvedIcp, listed: str | None = None) -> str:
    """firmo/sql/icp/scored.sql followed by the part that continues its WITH clause; `listed`
    (a table or registered frame with a `siren` column) keeps only those companies."""
    on = criteria_on(icp) | ({"listed"} if listed else set())
    sql = render_query(load_sql("icp/scored") + "\n" + load_sql(f"icp/{part}"), on)
    return render_identifiers(sql, **inputs.identifiers, scored="scored", **({"listed": listed} if listed else {}))


def _with_lines(part: str) -> str:
    """The lines of firmo/sql/icp/<part>.sql that continue the WITH clause (all but its last line,
    the statement)."""
    return load_sql(f"icp/{part}").rstrip().rsplit("\n", 1)[0]


def _preview_query(inputs: WarehouseInputs, icp: ResolvedIcp) -> str:
    """One statement for a preview: scored.sql, the narrow rows kept once (preview_kept.sql), the
    WITH lines of counts.sql and leads.sql reading them, and preview.sql's one-row answer."""
    parts = [load_sql("icp/scored"), load_sql("icp/preview_kept"), _with_lines("counts"), _with_lines("leads")]
    sql = render_query("\n".join([*parts, load_sql("icp/preview")]), criteria_on(icp))
    return render_identifiers(sql, **inputs.identifiers, scored="kept")


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Check core.prospects is there and create the text macros on this connection."""
    present = _present(con, [TABLE, NAF_TABLE, ROLE_SETS_TABLE])
    for table in (TABLE, NAF_TABLE, ROLE_SETS_TABLE):
        if table not in present:
            raise RuntimeError(
                f"{table} does not exist: build it first (asset core/prospects, "
                "or firmo.icp.build_prospects after core.signals)"
            )
    con.execute(load_sql("icp/macros"))


def counts(
    con: duckdb.DuckDBPyConnection, icp: ResolvedIcp, as_of: date, inputs: WarehouseInputs | None = None
) -> dict[str, list[tuple[str, int]]]:
    """Leads per tier, région, NAF division and headcount band (whole selection, before the cap);
    `inputs` when the caller already resolved them (a preview resolves them once for both queries)."""
    inputs = inputs or warehouse_inputs(con, icp)
    sql = _query("counts", inputs, icp)
    rows = con.execute(sql, _bind(sql, query_params(icp, as_of, inputs))).fetchall()
    out: dict[str, list[tuple[str, int]]] = {d: [] for d in DIMENSIONS}
    for dimension, value, n in rows:
        out[dimension].append((value, int(n)))
    return out


def leads_statement(
    con: duckdb.DuckDBPyConnection,
    icp: ResolvedIcp,
    as_of: date,
    *,
    limit: int | None = None,
    updated_at: datetime | None = None,
    listed: str | None = None,
    inputs: WarehouseInputs | None = None,
) -> tuple[str, dict[str, object]]:
    """SELECT of the ranked leads (at most `limit`, default the ICP's max_leads) and its parameters;
    `listed` names a relation of SIRENs to score alone (firmo.icp.byol: same rules, same reasons)."""
    inputs = inputs or warehouse_inputs(con, icp)
    params = query_params(icp, as_of, inputs) | {
        "max_leads": limit if limit is not None else icp.config.max_leads,
        "updated_at": updated_at or datetime.now().replace(microsecond=0),
    }
    sql = _query("leads", inputs, icp, listed)
    return sql, _bind(sql, params)


def lead_rows(
    con: duckdb.DuckDBPyConnection,
    icp: ResolvedIcp,
    as_of: date,
    *,
    limit: int | None = None,
    inputs: WarehouseInputs | None = None,
) -> pl.DataFrame:
    """The ranked leads as a Polars frame (preview; a build writes them straight into a table)."""
    sql, params = leads_statement(con, icp, as_of, limit=limit, inputs=inputs)
    return cast(pl.DataFrame, pl.from_arrow(con.sql(sql, params=params).to_arrow_table()))  # a table gives a frame


def preview(con: duckdb.DuckDBPyConnection, icp: ResolvedIcp, *, as_of: date | None = None, top: int = 20) -> Preview:
    """Counts over everything the ICP selects plus its first `top` leads; writes nothing. One
    statement (`_preview_query`): the counts and the leads then share one scan of core.prospects,
    one intent computation and one evaluation of each open-data criterion, where `counts` then
    `lead_rows` would do each twice; same rows, same order."""
    as_of = as_of or date.today()
    prepare(con)
    inputs = warehouse_inputs(con, icp)  # once: the subset check reads a criterion's whole table
    sql = _preview_query(inputs, icp)
    params = query_params(icp, as_of, inputs) | {"max_leads": top, "updated_at": datetime.now().replace(microsecond=0)}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=re.escape(_ONE_ROW_ARROW), category=UserWarning)
        answer = cast(pa.Table, con.execute(sql, _bind(sql, params)).to_arrow_table())
    grouped: dict[str, list[tuple[str, int]]] = {d: [] for d in DIMENSIONS}
    for row in answer.column("counts")[0].as_py() or []:
        grouped[row["dimension"]].append((row["value"], int(row["leads"])))
    leads = answer.column("top").combine_chunks().flatten()  # the list's structs, one per lead
    return Preview(
        icp=icp.name,
        total=sum(n for _, n in grouped["tier"]),
        counts=grouped,
        top=cast(pl.DataFrame, pl.from_arrow(pa.Table.from_struct_array(leads))),
        warnings=list(icp.warnings),
    )
