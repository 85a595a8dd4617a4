"""core.signals from the open-data tables (public contracts, labels, job offers, La Bonne Boîte),
on hand-built tables with exact rows: every expected signal is worked out by hand below."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from firmo import db
from firmo.signals import PARTS, SIGNAL_TYPES, build_signals

AS_OF = date(2025, 6, 30)
A, B, C, D = "111111111", "222222222", "333333333", "444444444"

CONTRACT_COLUMNS = (
    "uid VARCHAR, siren VARCHAR, siret VARCHAR, notification_date DATE, amount DOUBLE, cpv_code VARCHAR, "
    "contract_type VARCHAR, buyer_siret VARCHAR, buyer_name VARCHAR, buyer_category VARCHAR, object VARCHAR, "
    "procedure VARCHAR, co_contractors INTEGER, source_dataset VARCHAR"
)
LABEL_COLUMNS = (
    "siren VARCHAR, siret VARCHAR, label VARCHAR, detail VARCHAR, valid_from DATE, valid_to DATE, source VARCHAR"
)
OFFER_COLUMNS = (
    "offer_id VARCHAR, siren VARCHAR, siret VARCHAR, match_confidence DOUBLE, match_method VARCHAR, "
    "created_date DATE, updated_date DATE, title VARCHAR, rome_code VARCHAR, rome_label VARCHAR, "
    "contract_type VARCHAR, positions INTEGER, commune_code VARCHAR, naf_code VARCHAR, temp_agency BOOLEAN, "
    "source VARCHAR"
)
POTENTIAL_COLUMNS = (
    "siret VARCHAR, siren VARCHAR, rome_code VARCHAR, hiring_potential DOUBLE, is_high_potential BOOLEAN, "
    "observed_date DATE"
)


def table(con, name: str, columns: str, rows: list[tuple]) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {name} ({columns})")
    if rows:
        con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in columns.split(', '))})", rows)


def contract(uid, siren, day, amount, *, co=1, buyer="COMMUNE DE NANTES", category="Commune", siret=None):
    return (uid, siren, siret or siren + "00011", day, amount, "45210000", "Travaux", "21440109300015", buyer,
            category, "Réfection de la toiture de l'école", "Procédure adaptée", co, "decp-test")


@pytest.fixture()
def con():
    connection = duckdb.connect()
    db.ensure_schemas(connection)
    yield connection
    connection.close()


def signals(con, *types: str) -> list[tuple]:
    return con.execute(
        "SELECT siren, signal_type, signal_date::VARCHAR, round(strength, 3), label, evidence, source, source_ref "
        "FROM core.signals WHERE list_contains(?, signal_type) ORDER BY siren, signal_type, signal_date, source_ref",
        [list(types)],
    ).fetchall()


def test_the_new_types_are_known_and_each_part_names_its_table():
    start = SIGNAL_TYPES.index("contract_won")
    assert SIGNAL_TYPES[start : start + 5] == ("contract_won", "label_obtained", "label_expiring", "job_offers",
                                 "hiring_potential_high")
    assert {k: v for k, v in PARTS.items() if k.split("_", 1)[1] in ("decp", "labels", "jobs", "hiring_potential")} == {
        "signals/from_decp": ("core.public_contracts",),
        "signals/from_labels": ("core.labels",),
        "signals/from_jobs": ("core.job_offers",),
        "signals/from_hiring_potential": ("core.hiring_potential",),
    }


def test_contract_won_one_per_uid_strength_from_revenue_or_amount_bands(con):
    table(con, "core.public_contracts", CONTRACT_COLUMNS, [
        contract("U1", A, date(2025, 6, 9), 240_000),                   # A: revenue 1.2M -> 240k / 120k = 1.0
        contract("U2", A, date(2025, 3, 1), 30_000),                    # 30k / 120k = 0.25
        contract("U2", A, date(2025, 3, 1), 30_000, siret=A + "00029"),  # same uid, other SIRET: one contract
        contract("U3", B, date(2025, 5, 1), 90_000, co=3, buyer="CHU DE RENNES", category="Établissement hospitalier"),
        contract("U4", C, date(2025, 4, 1), None),                      # C: no revenue, no amount: 0.5
        contract("U5", C, date(2025, 4, 2), 3_000_000),                 # no revenue: band >= 2M -> 1.0
        contract("U6", C, date(2023, 1, 1), 50_000),                    # before the window
    ])
    table(con, "core.latest_financials", "siren VARCHAR, fiscal_year_end DATE, revenue BIGINT",
          [(A, date(2024, 12, 31), 1_200_000), (B, date(2024, 12, 31), 30_000_000)])
    counts = build_signals(con, as_of=AS_OF, lookback_days=365)
    assert counts == {"contract_won": 5}
    assert signals(con, "contract_won") == [
        (A, "contract_won", "2025-03-01", 0.25, "won a €30k public contract",
         "DECP U2: COMMUNE DE NANTES (Commune), Travaux CPV 45210000, €30k notified 2025-03-01: "
         "Réfection de la toiture de l'école", "decp", "U2"),
        (A, "contract_won", "2025-06-09", 1.0, "won a €240k public contract",
         "DECP U1: COMMUNE DE NANTES (Commune), Travaux CPV 45210000, €240k notified 2025-06-09: "
         "Réfection de la toiture de l'école", "decp", "U1"),
        # B's share is a third of 90k: 30k / (10% of 30M) = 0.01, floored at 0.1
        (B, "contract_won", "2025-05-01", 0.1, "won a €90k public contract",
         "DECP U3: CHU DE RENNES (Établissement hospitalier), Travaux CPV 45210000, €90k notified 2025-05-01, "
         "with 2 co-contractors: Réfection de la toiture de l'école", "decp", "U3"),
        (C, "contract_won", "2025-04-01", 0.5, "won a public contract",
         "DECP U4: COMMUNE DE NANTES (Commune), Travaux CPV 45210000, amount unknown notified 2025-04-01: "
         "Réfection de la toiture de l'école", "decp", "U4"),
        (C, "contract_won", "2025-04-02", 1.0, "won a €3M public contract",
         "DECP U5: COMMUNE DE NANTES (Commune), Travaux CPV 45210000, €3M notified 2025-04-02: "
         "Réfection de la toiture de l'école", "decp", "U5"),
    ]


def test_contracts_without_latest_financials_use_the_amount_bands(con):
    table(con, "core.public_contracts", CONTRACT_COLUMNS, [contract("U1", A, date(2025, 6, 9), 240_000)])
    assert not db.table_exists(con, "core.latest_financials")
    build_signals(con, as_of=AS_OF, lookback_days=365)
    assert [(r[0], r[3]) for r in signals(con, "contract_won")] == [(A, 0.6)]


def test_label_obtained_and_expiring(con):
    table(con, "core.labels", LABEL_COLUMNS, [
        # A: RGE obtained on 2025-05-10, two qualifications and two establishments: one signal
        (A, A + "00011", "rge", "Isolation des murs", date(2025, 5, 10), date(2029, 5, 10), "ademe_rge"),
        (A, A + "00029", "rge", "Pompe à chaleur", date(2025, 5, 10), None, "ademe_rge"),
        # A: Qualiopi, obtained the same month from another register: its own event
        (A, None, "qualiopi", "Actions de formations", date(2025, 5, 20), None, "dgefp"),
        # B: RGE renewed (held the day before): no label_obtained; its last validity ends in 40 days
        (B, B + "00011", "rge", "Chaudière bois", date(2021, 8, 9), date(2025, 4, 30), "ademe_rge"),
        (B, B + "00011", "rge", "Chaudière bois", date(2025, 4, 30), date(2025, 8, 9), "ademe_rge"),
        # C: one RGE qualification ends in 20 days but another runs on: not expiring
        (C, C + "00011", "rge", "Fenêtres", date(2022, 1, 1), date(2025, 7, 20), "ademe_rge"),
        (C, C + "00011", "rge", "Toitures", date(2022, 1, 1), date(2027, 1, 1), "ademe_rge"),
        # D: an EGAPRO index (valid the year after it is computed) and a training organisation
        # dated by its latest yearly declaration: yearly publications, never a label event
        # (firmo.labels.UNDATED_EVENTS), even with dates inside the window or ending within 90 days
        (D, None, "egapro", "index 94/100 (2024)", date(2025, 1, 1), date(2025, 7, 31), "egapro"),
        (D, None, "organisme_formation", "NDA 11755555575", date(2025, 3, 2), None, "dgefp"),
    ])
    counts = build_signals(con, as_of=AS_OF, lookback_days=365)
    assert counts == {"label_obtained": 2, "label_expiring": 1}
    assert signals(con, "label_obtained", "label_expiring") == [
        (A, "label_obtained", "2025-05-10", 1.0, "obtained RGE qualification",
         f"labels: rge from ademe_rge (Isolation des murs), SIRET {A}00011, valid from 2025-05-10 to 2029-05-10, "
         "2 records", "labels", "rge:2025-05-10"),
        (A, "label_obtained", "2025-05-20", 1.0, "obtained Qualiopi certification",
         "labels: qualiopi from dgefp (Actions de formations), valid from 2025-05-20", "labels", "qualiopi:2025-05-20"),
        # dated 90 days before 2025-08-09, the end: the day the renewal window opened
        (B, "label_expiring", "2025-05-11", 1.0, "RGE qualification expires",
         f"labels: rge from ademe_rge (Chaudière bois), SIRET {B}00011, valid to 2025-08-09", "labels", "rge:2025-08-09"),
    ]


def offer(offer_id, siren, day, rome="M1805", *, temp=False):
    return (offer_id, siren, (siren or "999999999") + "00011", 0.97, "name+commune+naf", day, day, "Développeur",
            rome, "Études et développement informatique", "CDI", 1, "44109", "62.01Z", temp, "france_travail")


def test_job_offers_counted_per_30_day_window_temp_agencies_never(con):
    table(con, "core.job_offers", OFFER_COLUMNS, [
        offer("180AAA", A, date(2025, 6, 28)),
        offer("180AAB", A, date(2025, 6, 20)),
        offer("180AAC", A, date(2025, 6, 15), rome="M1810"),
        offer("180AAD", A, date(2025, 6, 1)),                  # 29 days before as_of: same window
        offer("180AAE", A, date(2025, 5, 31)),                 # 30 days: the previous window
        offer("180AAE", A, date(2025, 5, 31)),                 # the same offer loaded twice
        offer("180TMP", B, date(2025, 6, 20), temp=True),      # a temp agency's offer
        offer("180NUL", None, date(2025, 6, 20)),              # unmatched
    ])
    counts = build_signals(con, as_of=AS_OF, lookback_days=365)
    assert counts == {"job_offers": 2}
    assert signals(con, "job_offers") == [
        (A, "job_offers", "2025-05-31", 0.4, "1 job offer in 30 days",
         "France Travail offers 180AAE from 2025-05-31 to 2025-05-31 (ROME M1805)", "france_travail",
         f"{A}:2025-05-31"),
        (A, "job_offers", "2025-06-28", 1.0, "4 job offers in 30 days",
         "France Travail offers 180AAA, 180AAB, 180AAC, 180AAD from 2025-06-01 to 2025-06-28 (ROME M1805 x3, M1810)",
         "france_travail", f"{A}:2025-06-28"),
    ]


def test_hiring_potential_high_from_the_latest_observation(con):
    table(con, "core.hiring_potential", POTENTIAL_COLUMNS, [
        (A + "00011", A, "M1805", 2.5, True, date(2025, 6, 1)),
        (A + "00029", A, "M1810", 1.25, True, date(2025, 6, 1)),
        (A + "00011", A, "M1805", 2.0, True, date(2025, 5, 1)),     # older observation: not repeated
        (B + "00011", B, "M1805", 0.5, False, date(2025, 6, 1)),    # not high
        (C + "00011", C, "M1805", 3.0, True, date(2025, 5, 1)),     # high in May, not in June
        (C + "00011", C, "M1805", 0.1, False, date(2025, 6, 1)),
    ])
    assert build_signals(con, as_of=AS_OF, lookback_days=365) == {"hiring_potential_high": 1}
    assert signals(con, "hiring_potential_high") == [
        (A, "hiring_potential_high", "2025-06-01", 1.0, "high hiring potential",
         f"La Bonne Boîte 2025-06-01: SIRET {A}00011 ROME M1805 (potential 2.50), SIRET {A}00029 ROME M1810 "
         "(potential 1.25)", "labonneboite", f"{A}:2025-06-01"),
    ]


def test_absent_open_data_tables_are_skipped(con, caplog):
    caplog.set_level("INFO", logger="firmo.signals")
    assert build_signals(con, as_of=AS_OF) == {}
    skipped = next(r.getMessage() for r in caplog.records if "skipping" in r.getMessage())
    for part in ("signals/from_decp", "signals/from_labels", "signals/from_jobs", "signals/from_hiring_potential"):
        assert part in skipped
