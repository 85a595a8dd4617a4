"""The open-data criteria (near, labels, idcc, public_contracts, hiring) and the open-data signals
in the score, on a hand-built warehouse: every table row is written below, so each expected lead,
matched establishment, distance and reason is worked out by hand (distances: firmo.geo.haversine_km)."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pytest

from firmo.errors import InputError
from firmo.icp import IcpError, build_leads, build_prospects, parse_icp, preview, resolve
from firmo.icp.score import query_params, render_query
from firmo.signals import build_signals
from firmo.sqlfiles import load_sql
from tests.icp.warehouse import AS_OF, build_warehouse, company

NANTES = (47.2184, -1.5536)  # core.commune_points of 44109 here


def ids(*numbers: int) -> set[str]:
    return {f"{n:09d}" for n in numbers}


def siret(n: int, nic: str) -> str:
    return f"{n:09d}{nic}"


def table(con, name: str, columns: str, rows: list[tuple]) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {name} ({columns})")
    if rows:
        con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in columns.split(', '))})", rows)


def location(n: int, nic: str, lat: float, lon: float, *, precise: bool = True, active: bool = True) -> tuple:
    cell = int((lat + 90) // 0.1) * 3600 + int((lon + 180) // 0.1)
    return (siret(n, nic), f"{n:09d}", lat, lon, "11" if precise else "33", precise, 10.0, "44109", "244400404",
            active, cell)


LOCATIONS = [
    location(1, "00012", 48.8566, 2.3522),                  # 1: head office in Paris, 342.7 km away
    location(1, "00038", 47.1917, -1.5694),                 #    and an establishment in Rezé, 3.2 km
    location(2, "00012", 47.2200, -1.5500, precise=False),  # 2: qualite_xy 33, placed at random: never matched
    location(3, "00012", 47.2200, -1.5500, active=False),   # 3: closed establishment
    location(4, "00012", 47.0384, -1.5536),                 # 4: 20.0 km south ...
    location(4, "00020", 47.3084, -1.5536),                 #    ... and 10.0 km north: the nearest is reported
    location(5, "00012", 47.5334, -1.5536),                 # 5: 35.0 km
]
LABELS = [
    ("000000001", siret(1, "00012"), "rge", "Isolation des murs", date(2024, 1, 1), date(2026, 1, 1), "ademe_rge"),
    ("000000001", None, "qualiopi", "Actions de formations", date(2020, 1, 1), date(2025, 1, 1), "dgefp"),
    ("000000002", siret(2, "00012"), "rge", "Pompe à chaleur", date(2025, 7, 15), None, "ademe_rge"),
    ("000000002", None, "qualiopi", "Actions de formations", date(2022, 3, 1), None, "dgefp"),
    ("000000003", siret(3, "00012"), "rge", "Fenêtres", date(2023, 1, 1), None, "ademe_rge"),
    ("000000003", None, "qualiopi", "VAE", date(2021, 1, 1), None, "dgefp"),
    ("000000004", None, "ess", None, None, None, "sirene"),
]
IDCC = [
    ("000000001", siret(1, "00012"), "1486", "2025-04"),
    ("000000001", siret(1, "00038"), "1486", "2025-04"),
    ("000000002", siret(2, "00012"), "0176", "2025-04"),
    ("000000003", siret(3, "00012"), "1486", "2025-03"),
    ("000000003", siret(3, "00012"), "2098", "2025-04"),
]
IDCC_TITLES = [
    ("1486", "Convention collective nationale des bureaux d'études techniques, des cabinets d'ingénieurs-conseils "
             "et des sociétés de conseils (Syntec)"),
    ("0176", "Convention collective nationale de l'industrie pharmaceutique"),
    ("2098", "Convention collective nationale du personnel des prestataires de services dans le domaine du "
             "secteur tertiaire"),
    ("3248", "Convention collective nationale de la métallurgie"),
]


def contract(uid, n, day, amount, cpv, category, *, co=1):
    return (uid, f"{n:09d}", siret(n, "00012"), day, amount, cpv, "Travaux", "21440109300015", "ACHETEUR PUBLIC",
            category, "Travaux de rénovation", "Procédure adaptée", co, "decp-test")


CONTRACTS = [
    contract("U1", 1, date(2025, 6, 9), 240_000, "45210000", "Commune"),   # 21 days before AS_OF
    contract("U2", 1, date(2025, 1, 10), 30_000, "72000000", "Région"),
    contract("U3", 2, date(2024, 3, 1), 500_000, "45210000", "Commune"),   # more than a year ago
    contract("U4", 3, date(2025, 5, 1), None, "45300000", "État"),
    contract("U5", 4, date(2025, 6, 1), 1_500_000, "72200000", "Établissement hospitalier", co=2),
]


def offer(offer_id, n, day, rome, *, temp=False):
    return (offer_id, f"{n:09d}", siret(n, "00012"), 0.97, "name+commune+naf", day, day, "Poste", rome, "Métier",
            "CDI", 1, "44109", "62.01Z", temp, "france_travail")


OFFERS = [
    offer("O1", 1, date(2025, 6, 28), "M1805"),
    offer("O2", 1, date(2025, 6, 20), "M1805"),
    offer("O3", 1, date(2025, 6, 10), "M1810"),
    offer("O4", 2, date(2025, 5, 21), "M1805"),                 # 40 days before AS_OF
    offer("O5", 3, date(2025, 6, 25), "M1805", temp=True),     # a temp agency's offer: never counts
    offer("O6", 3, date(2025, 6, 26), "M1805", temp=True),
    offer("O7", 4, date(2025, 6, 20), "K2111"),
]

LOCATION_COLUMNS = (
    "siret VARCHAR, siren VARCHAR, latitude DOUBLE, longitude DOUBLE, geocode_quality VARCHAR, precise BOOLEAN, "
    "precision_m DOUBLE, commune_code VARCHAR, epci_siren VARCHAR, active BOOLEAN, grid_cell INTEGER"
)
CONTRACT_COLUMNS = (
    "uid VARCHAR, siren VARCHAR, siret VARCHAR, notification_date DATE, amount DOUBLE, cpv_code VARCHAR, "
    "contract_type VARCHAR, buyer_siret VARCHAR, buyer_name VARCHAR, buyer_category VARCHAR, object VARCHAR, "
    "procedure VARCHAR, co_contractors INTEGER, source_dataset VARCHAR"
)
OFFER_COLUMNS = (
    "offer_id VARCHAR, siren VARCHAR, siret VARCHAR, match_confidence DOUBLE, match_method VARCHAR, "
    "created_date DATE, updated_date DATE, title VARCHAR, rome_code VARCHAR, rome_label VARCHAR, "
    "contract_type VARCHAR, positions INTEGER, commune_code VARCHAR, naf_code VARCHAR, temp_agency BOOLEAN, "
    "source VARCHAR"
)


def open_data(con, *, skip: tuple[str, ...] = ()) -> None:
    """Every open-data table of the contract, minus `skip`."""
    tables = {
        "core.establishment_locations": (LOCATION_COLUMNS, LOCATIONS),
        "core.commune_points": ("commune_code VARCHAR, latitude DOUBLE, longitude DOUBLE, establishments BIGINT",
                                [("44109", *NANTES, 2)]),
        "core.labels": ("siren VARCHAR, siret VARCHAR, label VARCHAR, detail VARCHAR, valid_from DATE, "
                        "valid_to DATE, source VARCHAR", LABELS),
        "core.company_idcc": ("siren VARCHAR, siret VARCHAR, idcc VARCHAR, month VARCHAR", IDCC),
        "ref.idcc": ("idcc VARCHAR, title VARCHAR, kali_id VARCHAR, nature VARCHAR, etat VARCHAR, url VARCHAR",
                     [(c, t, None, None, None, None) for c, t in IDCC_TITLES]),
        "core.public_contracts": (CONTRACT_COLUMNS, CONTRACTS),
        "core.job_offers": (OFFER_COLUMNS, OFFERS),
    }
    for name, (columns, rows) in tables.items():
        if name not in skip:
            table(con, name, columns, rows)


@pytest.fixture()
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.fixture()
def warehouse(con):
    build_warehouse(con, [company(f"{n:09d}") for n in range(1, 7)])
    open_data(con)
    return con


def icp_of(criteria: dict, **extra):
    return resolve(parse_icp({"criteria": {"decision_makers": [], **criteria}, **extra}, default_name="t"))


def leads(con, criteria: dict, **extra):
    return preview(con, icp_of(criteria, **extra), as_of=AS_OF, top=100).top


def selected(con, criteria: dict) -> set[str]:
    return set(leads(con, criteria)["siren"].to_list())


def by_siren(frame, *columns: str) -> dict[str, tuple]:
    return {row["siren"]: tuple(row[c] for c in columns) for row in frame.iter_rows(named=True)}


# --- near ------------------------------------------------------------------------------------

def test_near_a_commune_matches_any_active_precise_establishment_and_reports_it(warehouse):
    got = leads(warehouse, {"near": {"commune": "Nantes", "radius_km": 30}})
    assert by_siren(got, "near_siret", "near_distance_km", "score_reasons") == {
        "000000001": (siret(1, "00038"), 3.2, ["establishment 3.2 km from Nantes"]),
        "000000004": (siret(4, "00020"), 10.01, ["establishment 10.0 km from Nantes"]),
    }
    assert got["siret"].to_list() == [siret(1, "00012"), siret(4, "00012")]  # the head office stays the lead's SIRET


@pytest.mark.parametrize("near, expected", [
    ({"commune": "44109", "radius_km": 36}, ids(1, 4, 5)),
    ({"commune": "Nantes", "radius_km": 5}, ids(1)),
    ({"lat": NANTES[0], "lon": NANTES[1], "radius_km": 15}, ids(1, 4)),
    ({"lat": 48.8566, "lon": 2.3522, "radius_km": 1}, ids(1)),
    ({"lat": 45.0, "lon": 5.0, "radius_km": 50}, set()),
])
def test_near_radius_and_point(warehouse, near, expected):
    assert selected(warehouse, {"near": near}) == expected


def test_near_a_point_is_named_by_its_coordinates(warehouse):
    got = leads(warehouse, {"near": {"lat": NANTES[0], "lon": NANTES[1], "radius_km": 5}})
    assert got["score_reasons"].to_list() == [["establishment 3.2 km from 47.2184, -1.5536"]]


def test_near_combines_with_the_other_gates(warehouse):
    assert selected(warehouse, {"near": {"commune": "Nantes", "radius_km": 30}, "labels": {"any": ["rge"]}}) == ids(1)


# --- labels ----------------------------------------------------------------------------------

@pytest.mark.parametrize("labels, expected", [
    ({"any": ["rge"]}, ids(1, 3)),
    ({"any": ["rge"], "valid_on": "2025-08-01"}, ids(1, 2, 3)),    # 2's RGE starts on 2025-07-15
    ({"all": ["rge", "qualiopi"]}, ids(3)),                        # 1's Qualiopi ended on 2025-01-01
    ({"all": ["rge", "qualiopi"], "valid_on": date(2024, 6, 1)}, ids(1, 3)),
    ({"any": ["rge", "ess"]}, ids(1, 3, 4)),                        # ESS without dates: always valid
    ({"any": ["rge"], "all": ["qualiopi"]}, ids(3)),
    ({"any": "RGE"}, ids(1, 3)),
])
def test_labels(warehouse, labels, expected):
    assert selected(warehouse, {"labels": labels}) == expected


def test_labels_reason_names_them(warehouse):
    got = leads(warehouse, {"labels": {"any": ["rge", "qualiopi"]}})
    assert by_siren(got, "score_reasons") == {
        "000000001": (["holds RGE qualification"],),
        "000000002": (["holds Qualiopi certification"],),
        "000000003": (["holds Qualiopi certification, RGE qualification"],),
    }


def test_unknown_label_is_an_error_with_a_suggestion():
    known = ("rge, qualiopi, organisme_formation, ess, egapro, bio, siae, entreprise_a_mission, patrimoine_vivant, "
             "achats_responsables, spectacle")
    with pytest.raises(IcpError) as exc:
        icp_of({"labels": {"any": ["rgee"], "all": ["Qualiopy"]}})
    assert exc.value.errors == [
        f"criteria.labels.any: unknown label 'rgee' (did you mean 'rge'?); known: {known}",
        f"criteria.labels.all: unknown label 'Qualiopy' (did you mean 'qualiopi'?); known: {known}",
    ]
    with pytest.raises(IcpError) as exc:
        icp_of({"labels": {"valid_on": "2025-01-01"}})
    assert exc.value.errors == ["criteria.labels.valid_on: no labels listed (write any: [...] or all: [...])"]


# --- idcc ------------------------------------------------------------------------------------

@pytest.mark.parametrize("idcc, expected", [
    ({"codes": [1486]}, ids(1, 3)),
    ({"codes": ["176"]}, ids(2)),            # zero-padded to 0176
    ({"codes": ["0176", "2098"]}, ids(2, 3)),
    ({"search": "syntec"}, ids(1, 3)),
    ({"search": "Industrie pharmaceutique"}, ids(2)),
    ({"search": "pharma", "codes": ["2098"]}, ids(2, 3)),
])
def test_idcc(warehouse, idcc, expected):
    assert selected(warehouse, {"idcc": idcc}) == expected


def test_idcc_reason(warehouse):
    got = leads(warehouse, {"idcc": {"codes": ["1486", "2098"]}})
    assert by_siren(got, "score_reasons") == {
        "000000001": (["collective agreement IDCC 1486"],),
        "000000003": (["collective agreement IDCC 1486, 2098"],),
    }


def test_bad_idcc_codes_are_refused_when_the_file_is_read():
    with pytest.raises(IcpError) as exc:
        icp_of({"idcc": {"codes": ["9999", "12345", "AB"], "search": "  "}})
    assert exc.value.errors == [
        "criteria.idcc.codes: 9999 means 'no collective agreement', it selects nothing",
        "criteria.idcc.codes: '12345' is not an IDCC (1 to 4 digits, e.g. 1486 or 0176)",
        "criteria.idcc.codes: 'AB' is not an IDCC (1 to 4 digits, e.g. 1486 or 0176)",
        "criteria.idcc.search: empty search (write a word of the agreement's title, e.g. syntec)",
    ]


@pytest.mark.parametrize("idcc, message", [
    ({"search": "syntek"}, "criteria.idcc.search: no collective agreement title contains 'syntek' (did you mean 'syntec'?)"),
    ({"search": "convention nationale"},
     "criteria.idcc.search: 'convention nationale' matches 4 collective agreements: 0176 Convention collective "
     "nationale de l'industrie pharmaceutique; 1486 Convention collective nationale des bureaux d'études techniques, "
     "des cabinets d'ingénieurs-conseils et des sociétés de conseils (Syntec); 2098 Convention collective nationale "
     "du personnel des prestataires de services dans le domaine du secteur tertiaire; 3248 Convention collective "
     "nationale de la métallurgie; write more words of the title or list the codes in criteria.idcc.codes"),
    ({"codes": ["1487"]}, "criteria.idcc.codes: unknown IDCC 1487 (did you mean '1486'?) (not in ref.idcc)"),
])
def test_bad_idcc_search_or_unknown_code_is_one_error_line_when_the_icp_runs(warehouse, idcc, message):
    with pytest.raises(InputError) as exc:
        leads(warehouse, {"idcc": idcc})
    assert str(exc.value) == message


# --- public contracts ------------------------------------------------------------------------

@pytest.mark.parametrize("contracts, expected", [
    ({}, ids(1, 3, 4)),                                              # within 365 days: not U3 (2024)
    ({"within_days": 800}, ids(1, 2, 3, 4)),
    ({"min_contracts": 2}, ids(1)),
    ({"min_amount": 200_000}, ids(1, 4)),                            # 3's amount is unknown
    ({"cpv_prefixes": [45]}, ids(1, 3)),
    ({"cpv_prefixes": ["722"]}, ids(4)),
    ({"buyer_categories": ["etat"]}, ids(3)),
    ({"buyer_categories": ["Établissement hospitalier", "commune"]}, ids(1, 4)),
    ({"within_days": 30}, ids(1, 4)),                                # U1 21 days, U5 29 days before
])
def test_public_contracts(warehouse, contracts, expected):
    assert selected(warehouse, {"public_contracts": contracts}) == expected


def test_public_contracts_reason(warehouse):
    got = leads(warehouse, {"public_contracts": {}})
    assert by_siren(got, "score_reasons") == {
        "000000001": (["2 public contracts won in 365 days (€270k)"],),
        "000000003": (["1 public contract won in 365 days"],),
        "000000004": (["1 public contract won in 365 days (€1.5M)"],),
    }


def test_bad_cpv_and_rome_prefixes():
    with pytest.raises(IcpError) as exc:
        icp_of({"public_contracts": {"cpv_prefixes": ["45-1"]}, "hiring": {"rome_prefixes": ["18", "MX"]}})
    assert exc.value.errors == [
        "criteria.public_contracts.cpv_prefixes: '45-1' is not a prefix (1 to 8 digits of a CPV code, e.g. 45 or 72200000)",
        "criteria.hiring.rome_prefixes: '18' is not a prefix (a ROME letter and up to 4 digits, e.g. M18 or M1805)",
        "criteria.hiring.rome_prefixes: 'MX' is not a prefix (a ROME letter and up to 4 digits, e.g. M18 or M1805)",
    ]


# --- hiring ----------------------------------------------------------------------------------

@pytest.mark.parametrize("hiring, expected", [
    ({}, ids(1, 4)),                          # 30 days; 3's offers are a temp agency's
    ({"min_offers": 2}, ids(1)),
    ({"rome_prefixes": ["M18"]}, ids(1)),
    ({"rome_prefixes": "k"}, ids(4)),
    ({"within_days": 60}, ids(1, 2, 4)),
])
def test_hiring(warehouse, hiring, expected):
    assert selected(warehouse, {"hiring": hiring}) == expected


def test_hiring_reason(warehouse):
    got = leads(warehouse, {"hiring": {"rome_prefixes": ["M"]}})
    assert by_siren(got, "score_reasons") == {"000000001": (["3 job offers in 30 days"],)}


# --- missing tables --------------------------------------------------------------------------

@pytest.mark.parametrize("criteria, message", [
    ({"near": {"commune": "Nantes", "radius_km": 10}},
     "criteria.near needs core.establishment_locations: run `firmo load geoloc`"),
    ({"labels": {"any": ["rge"]}}, "criteria.labels needs core.labels: run `firmo load labels`"),
    ({"idcc": {"codes": ["1486"]}}, "criteria.idcc needs core.company_idcc: run `firmo load idcc`"),
    ({"public_contracts": {}}, "criteria.public_contracts needs core.public_contracts: run `firmo load decp`"),
    ({"hiring": {}}, "criteria.hiring needs core.job_offers: run `firmo load jobs`"),
])
def test_a_criterion_whose_table_is_not_loaded_is_one_error_naming_the_load(con, criteria, message):
    build_warehouse(con, [company("000000001")])
    with pytest.raises(InputError) as exc:
        leads(con, criteria)
    assert str(exc.value) == message


def test_without_open_data_tables_other_icps_run_as_before(con):
    build_warehouse(con, [company("000000001"), company("000000002")])
    assert selected(con, {}) == ids(1, 2)


def test_missing_commune_point_and_idcc_titles(con):
    build_warehouse(con, [company("000000001")])
    open_data(con, skip=("core.commune_points", "ref.idcc"))
    with pytest.raises(InputError, match=r"^criteria.near.commune needs core.commune_points: run `firmo load geoloc`$"):
        leads(con, {"near": {"commune": "Nantes", "radius_km": 10}})
    with pytest.raises(InputError, match=r"^criteria.idcc.search needs ref.idcc \(the agreements' titles\): run "):
        leads(con, {"idcc": {"search": "syntec"}})
    assert selected(con, {"idcc": {"codes": ["1486"]}}) == ids(1)  # codes need no titles
    table(con, "core.commune_points", "commune_code VARCHAR, latitude DOUBLE, longitude DOUBLE, establishments BIGINT",
          [])
    with pytest.raises(InputError) as exc:
        leads(con, {"near": {"commune": "Rennes", "radius_km": 10}})
    assert str(exc.value) == ("criteria.near.commune: Rennes (35238) has no geolocated establishment to stand for "
                              "its position: give lat and lon instead")


def test_near_commune_must_be_one_commune():
    with pytest.raises(IcpError) as exc:
        icp_of({"near": {"commune": "Saint-Denis", "radius_km": 10}})
    assert exc.value.errors[0].startswith("criteria.near.commune: 'Saint-Denis' is ambiguous, 4 communes have this name")
    with pytest.raises(IcpError) as exc:
        icp_of({"near": {"commune": "Nantes", "lat": 47.2, "lon": -1.5, "radius_km": 10}})
    assert exc.value.errors == ["criteria.near: give either commune or lat/lon, not both"]
    with pytest.raises(IcpError) as exc:
        icp_of({"near": {"lat": 47.2, "radius_km": 3}})
    assert exc.value.errors == ["criteria.near: give a commune, or both lat and lon"]
    with pytest.raises(IcpError) as exc:
        icp_of({"near": {"lat": 47.2, "lon": -1.5, "radius_km": 0}})
    assert exc.value.errors == ["criteria.near.radius_km: Input should be greater than 0 (got 0)"]
    with pytest.raises(IcpError) as exc:
        icp_of({"near": {"comune": "Nantes", "radius_km": 3}})
    assert exc.value.errors == [
        "criteria.near.comune: unknown key (did you mean 'commune'?); allowed: commune, lat, lon, radius_km"]


def test_a_criterion_left_out_leaves_its_gate_out_of_the_query():
    scored = load_sql("icp/scored")
    gates = [line.split("--")[0].strip() for line in scored.splitlines()
             if re.search(r"-- only with criteria\.[a-z_]+$", line)]
    assert gates == [f"AND p.siren IN (SELECT siren FROM {cte}_hits)"
                     for cte in ("near", "label", "idcc", "contract", "hiring")] + [
        "AND p.siren IN (SELECT siren FROM {{listed}})"]  # firmo score's list, never in a build
    assert not any(gate in render_query(scored, set()) for gate in gates)
    assert [gate in render_query(scored, {"labels", "hiring"}) for gate in gates] == [False, True, False, False, True, False]


def test_unused_criteria_bind_off(warehouse):
    params = query_params(icp_of({}), AS_OF)
    assert {k: params[k] for k in ("near_on", "labels_on", "idcc_on", "contracts_on", "hiring_on")} == {
        "near_on": False, "labels_on": False, "idcc_on": False, "contracts_on": False, "hiring_on": False}
    assert (params["near_cell_min"], params["near_cell_max"]) == (0, -1)


# --- open-data signals in the score ----------------------------------------------------------

def test_open_data_signals_score_and_explain_leads(warehouse, tmp_path):
    """core.signals built from the tables above (plus an expiring RGE), then scored: the reasons
    name each signal with its numbers and relative dates."""
    con = warehouse
    con.execute("INSERT INTO core.labels VALUES ('000000004', '00000000400012', 'rge', 'Chaudière bois', "
                "DATE '2021-08-09', DATE '2025-08-09', 'ademe_rge'), "
                # 5 obtains two labels on the same day from two registers: two events, both count
                "('000000005', '00000000500012', 'rge', 'Fenêtres', DATE '2025-06-16', NULL, 'ademe_rge'), "
                "('000000005', NULL, 'qualiopi', 'VAE', DATE '2025-06-16', NULL, 'dgefp')")
    build_signals(con, as_of=AS_OF, lookback_days=365)
    build_prospects(con)
    icp = icp_of({}, scoring={"signal_weights": {"contract_won": 40, "job_offers": 35, "label_expiring": 30,
                                                 "label_obtained": 15}})
    got = by_siren(preview(con, icp, as_of=AS_OF, top=100).top, "intent_score", "score_reasons")
    # intent = sum of weight x strength x 0.5^(days / 90), e.g. for 4:
    # 40 x 0.8 x 0.5^(29/90) + 30 x 1 x 0.5^(50/90) + 35 x 0.4 x 0.5^(10/90) = 25.6 + 20.4 + 13.0 = 59
    assert got == {
        "000000004": (59, ["won a €1.5M public contract 4 weeks ago",       # €1.5M, no revenue: band < 2M, 0.8
                           "RGE qualification expires in 40 days",          # ends 2025-08-09
                           "1 job offer in 30 days (latest 10 days ago)"]),
        "000000001": (52, ["3 job offers in 30 days (latest 2 days ago)",   # 3 offers: strength 0.8
                           "won a €240k public contract 3 weeks ago",       # band < 500k: 0.6
                           "won a €30k public contract 5 months ago"]),
        # 15 x 0.5^(14/90) twice: not one event told by two sources
        "000000005": (27, ["obtained Qualiopi certification 2 weeks ago", "obtained RGE qualification 2 weeks ago"]),
        "000000003": (13, ["won a public contract 2 months ago"]),         # amount unknown: 0.5
        "000000002": (10, ["1 job offer in 30 days (latest 5 weeks ago)"]),
        "000000006": (0, []),
    }
    result = build_leads(con, icp, as_of=AS_OF, csv_dir=tmp_path)
    assert result.rows == 6
    assert con.execute("SELECT signal_type, count(*) FROM core.signals GROUP BY 1 ORDER BY 1").fetchall() == [
        ("contract_won", 4), ("job_offers", 3), ("label_expiring", 1), ("label_obtained", 2)]
