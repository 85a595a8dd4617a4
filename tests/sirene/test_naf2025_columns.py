"""core.companies carries both activity codes, NAF rév. 2 and NAF 2025, each with where it comes
from: SIRENE's own code first, INSEE's correspondence when it gives one code, else NULL and why.
Every row is a stock line in the real format (35 columns), loaded by the real loader."""

from __future__ import annotations

from firmo import db
from sources.sirene.ingest import load_sirene
from sources.sirene.schema import ETABLISSEMENTS_COLUMNS, UNITES_LEGALES_COLUMNS
from tests.sirene.builders import etab_row, siren, siret, ul_row, write_csv

# prefix -> (activitePrincipale, nomenclature, activitePrincipaleNAF25, etat) and the expected
# (naf_code, naf_source, naf2025_code, naf2025_source)
CASES = {
    "10000001": (("62.01Z", "NAFRev2", "62.10Y", "A"), ("62.01Z", "sirene", "62.10Y", "sirene")),
    "10000002": (("62.02A", "NAFRev2", "", "A"), ("62.02A", "sirene", "62.20G", "correspondence")),
    "10000003": (("77.39Z", "NAFRev2", "", "A"), ("77.39Z", "sirene", None, "split: no 1-to-1 correspondence")),
    # INSEE recodes units one by one: its own code wins over the correspondence (43.12B -> 43.12H)
    "10000004": (("43.12B", "NAFRev2", "66.30Y", "A"), ("43.12B", "sirene", "66.30Y", "sirene")),
    # after the switchover: coded only in NAF 2025
    "10000005": (("62.10Y", "NAF2025", "", "A"), ("62.01Z", "correspondence", "62.10Y", "sirene")),
    "10000006": (("77.39Y", "NAF2025", "", "A"), ("77.39Z", "correspondence", "77.39Y", "sirene")),  # 1-n: back is 1
    "10000007": (("58.29Y", "NAF2025", "", "A"), (None, "merge: no 1-to-1 correspondence", "58.29Y", "sirene")),
    "10000008": (("46.89Y", "NAF2025", "", "A"), (None, "no NAF rév. 2 counterpart", "46.89Y", "sirene")),
    "10000009": (("62.11Y", "NAF2025", "", "A"), (None, "unknown code", "62.11Y", "sirene")),
    # recoded before its nomenclature column was: the code says NAF 2025
    "10000010": (("62.20G", "NAFRev2", "", "A"), ("62.02A", "correspondence", "62.20G", "sirene")),
    "10000011": (("62.20G", "", "62.20G", "A"), ("62.02A", "correspondence", "62.20G", "sirene")),
    # ceased units keep the nomenclature of their time (sirene.md §3.3)
    "10000012": (("45.2B", "NAFRev1", "", "C"), ("45.2B", "sirene", None, "NAFRev1: no correspondence")),
    "10000013": (("00.00Z", "NAFRev2", "", "A"), ("00.00Z", "sirene", None, "unknown code")),
    "10000014": (("", "", "", "A"), (None, "no activity code", None, "no activity code")),
}


def test_both_codes_and_their_source(data_env, tmp_path):
    ul_rows, et_rows = [], []
    for prefix, ((code, nomenclature, naf25, etat), _) in CASES.items():
        s = siren(prefix)
        ul_rows.append(ul_row(s, activitePrincipaleUniteLegale=code, nomenclatureActivitePrincipaleUniteLegale=nomenclature,
                              activitePrincipaleNAF25UniteLegale=naf25, etatAdministratifUniteLegale=etat))
        et_rows.append(etab_row(siret(s, "0001")))
    ul = write_csv(tmp_path / "ul.csv", UNITES_LEGALES_COLUMNS, ul_rows)
    et = write_csv(tmp_path / "et.csv", ETABLISSEMENTS_COLUMNS, et_rows)
    with db.connection() as con:
        report = load_sirene(con, unites_legales=ul, etablissements=et)
        assert report.tables["unites_legales"].rows_rejected == 0
        got = {r[0]: r[1:] for r in con.execute(
            "SELECT siren, naf_code, naf_source, naf2025_code, naf2025_source FROM core.companies").fetchall()}
        assert got == {siren(prefix): expected for prefix, (_, expected) in CASES.items()}
        # the section / division columns follow each code, in its own nomenclature
        rows = {r[0]: r[1:] for r in con.execute(
            "SELECT siren, naf_nomenclature, naf_section, naf_division, naf_division_label, naf2025_section, "
            "naf2025_division, naf2025_division_label FROM core.companies").fetchall()}
        assert rows[siren("10000005")] == ("NAF2025", "J", "62", "Programmation, conseil et autres activités informatiques",
                                           "K", "62", "Programmation, conseil et autres activités informatiques")
        assert rows[siren("10000007")] == ("NAF2025", None, None, None, "J", "58", "Activités d’édition")
        assert rows[siren("10000012")] == ("NAFRev1", None, None, None, None, None, None)
        assert rows[siren("10000013")][1:4] == (None, None, None)   # 00.00Z: no activity yet, no division 00
