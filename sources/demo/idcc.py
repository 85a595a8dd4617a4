"""Collective-agreement demo files for a generated universe, in the publishers' real layouts
(open_data.md §7): the SIRET -> IDCC CSV, the DARES workbook and the KALI list.

- `siret_idcc.csv`: header `MOIS,SIRET,IDCC,DATE_MAJ`, one row per (SIRET, IDCC) of the universe's
  active employer establishments (salaried headcount band), the IDCC chosen from the
  establishment's NAF code (bâtiment 1596 up to 10 employees and 1597 above, métallurgie 3248,
  Syntec 1486 ...); IDCC right-padded with spaces (`"1486  "`, small codes sometimes unpadded
  `"16    "`: the real file's spelling of codes under 1000 is not documented), DATE_MAJ with
  slashes, the DSN month some months before the universe's date. About 1 in 20 establishments
  declares a second agreement, those whose activity has none of the list declare 9999 (or are
  absent, like the real file's non-employers), and 1 row in 300 has a SIRET the cleaning
  drops (scientific notation, a wrong checksum) while others carry spaces or a lost leading zero
  it repairs.
- `Dares_Suivi_Historique_convention_collective_demo.xlsx`: sheet `Conventions de branche`,
  `IDCC` zero-padded to 5 digits and `Libellé`.
- `Dila_Kali_Liste_correspondances_conventions-idcc-demo.xlsx`: three lines before the header
  (read with skiprows=3), a first unnamed column, `IDCC` unpadded, several rows for some agreements
  with an older DEBUT.
The titles are the real agreements' titles (a handful of well-known ones, nothing invented); the
KALI ids are visibly not real ones (`KALICONT99999999` + the IDCC), since this file is generated.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from firmo.xlsx import write_xlsx
from sources.demo.universe import Universe

# IDCC -> title (the agreements' official titles)
TITLES = {
    "0016": "Convention collective nationale des transports routiers et activités auxiliaires du transport",
    "0573": "Convention collective nationale des commerces de gros",
    "0843": "Convention collective nationale de la boulangerie-pâtisserie -entreprises artisanales-",
    "1486": "Convention collective nationale des bureaux d'études techniques, des cabinets "
    "d'ingénieurs-conseils et des sociétés de conseils",
    "1501": "Convention collective nationale de la restauration rapide",
    "1596": "Convention collective nationale concernant les ouvriers employés par les entreprises du bâtiment "
    "visées par le décret du 1er mars 1962 -c'est-à-dire occupant jusqu'à 10 salariés-",
    "1597": "Convention collective nationale concernant les ouvriers employés par les entreprises du bâtiment "
    "non visées par le décret 1er mars 1962 -c'est-à-dire occupant plus de 10 salariés-",
    "1979": "Convention collective nationale des hôtels, cafés, restaurants (HCR)",
    "2098": "Convention collective nationale du personnel des prestataires de services dans le domaine du "
    "secteur tertiaire",
    "2120": "Convention collective nationale de la banque",
    "2216": "Convention collective nationale du commerce de détail et de gros à prédominance alimentaire "
    "(entrepôts d'alimentation, supérettes, supermarchés, hypermarchés, grande distribution)",
    "3248": "Convention collective nationale de la métallurgie",
    "5516": "Convention d'entreprise La Poste - France Télécom",
}
# NAF prefix -> IDCC (longest prefix wins); "BTP" = 1596 up to 10 employees, 1597 above
BY_NAF = {
    "41": "BTP",
    "43": "BTP",
    "24": "3248",
    "25": "3248",
    "28": "3248",
    "29": "3248",
    "30": "3248",
    "33": "3248",
    "10.71C": "0843",
    "10.71D": "0843",
    "46": "0573",
    "47.11": "2216",
    "49.41": "0016",
    "52.29": "0016",
    "55": "1979",
    "56.10A": "1979",
    "56.30": "1979",
    "56.10C": "1501",
    "62": "1486",
    "70.22": "1486",
    "71.12": "1486",
    "73": "1486",
    "64.19": "2120",
    "82": "2098",
}
SECOND = {"1486": "2098", "1597": "1596", "1596": "1597", "2216": "0573", "0573": "2216", "3248": "1486"}
SMALL_BANDS = {"01", "02", "03"}  # 1 to 9 employees: 1596 in the bâtiment
NON_EMPLOYER = {None, "NN", "00"}
FILE = "siret_idcc.csv"
DARES_FILE = "Dares_Suivi_Historique_convention_collective_demo.xlsx"
KALI_FILE = "Dila_Kali_Liste_correspondances_conventions-idcc-demo.xlsx"
KALI_START = {  # DEBUT of the text in force (older versions below)
    "0016": date(1950, 12, 21),
    "0573": date(1969, 5, 23),
    "0843": date(1976, 7, 19),
    "1486": date(1987, 12, 15),
    "1501": date(1988, 6, 18),
    "1596": date(1990, 7, 8),
    "1597": date(1990, 7, 8),
    "1979": date(1997, 4, 30),
    "2098": date(1999, 2, 13),
    "2120": date(2000, 1, 10),
    "2216": date(2001, 7, 12),
    "3248": date(2022, 2, 7),
}


def idcc_for(naf: str | None, band: str | None) -> str | None:
    """The agreement an establishment of this activity and size plausibly applies, or None."""
    if not naf:
        return None
    for length in (6, 5, 2):
        code = BY_NAF.get(naf[:length])
        if code == "BTP":
            return "1596" if band in SMALL_BANDS else "1597"
        if code:
            return code
    return None


def _padded(idcc: str, rng: random.Random) -> str:
    spelled = idcc.lstrip("0") if idcc.startswith("0") and rng.random() < 0.3 else idcc
    return spelled.ljust(6)


def _spoiled(siret: str, scientific: bool) -> str:
    """A SIRET as a spreadsheet or a typo leaves it: dropped by the cleaning."""
    if scientific:
        return f"{int(siret) / 10**13:.13f}".rstrip("0") + "E+13"
    last = (int(siret[-1]) + 1) % 10
    return siret[:-1] + str(last)


def siret_idcc_rows(universe: Universe) -> list[tuple[str, str, str, str]]:
    """(MOIS, SIRET as written, IDCC as written, DATE_MAJ) rows, deterministic from the seed."""
    rng = random.Random(universe.seed * 7919 + 15)
    month = (universe.as_of.replace(day=1) - timedelta(days=100)).strftime("%Y-%m")
    updated = (universe.as_of - timedelta(days=68)).strftime("%Y/%m/%d")
    rows = []
    establishments = universe.establishments.select("siret", "active", "tranche_effectifs", "naf").sort("siret")
    for siret, active, band, naf in establishments.iter_rows():
        if not active or band in NON_EMPLOYER:
            continue
        code = idcc_for(naf, band)
        if code is None:
            if rng.random() < 0.4:
                rows.append((month, siret, "9999", updated))
            continue
        codes = [code] + ([SECOND[code]] if code in SECOND and rng.random() < 0.05 else [])
        for c in codes:
            rows.append((month, siret, c, updated))
    spoiled = set(rng.sample(range(len(rows)), len(rows) // 300))  # 1 in 300: well under the 1 % tolerated
    written: list[tuple[str, str, str, str]] = []
    for n, (mois, siret, idcc, day) in enumerate(rows):
        draw = rng.random()
        if n in spoiled:
            siret = _spoiled(siret, len(written) % 2 == 0)
        elif draw < 0.02:
            siret = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"  # spaces the cleaning removes
        elif siret.startswith("0") and draw < 0.05:
            siret = siret[1:]  # a leading zero lost by a spreadsheet: padded back
        written.append((mois, siret, _padded(idcc, rng), day))
    return written


def write_idcc(universe: Universe, out_dir: Path) -> dict[str, str]:
    """Write the three files under `out_dir` and return {name: path}."""
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / FILE
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("MOIS,SIRET,IDCC,DATE_MAJ\n")
        fh.writelines(f"{m},{s},{i},{d}\n" for m, s, i, d in siret_idcc_rows(universe))
    dares = write_xlsx(
        out_dir / DARES_FILE,
        {"Conventions de branche": [["IDCC", "Libellé"]] + [[k.zfill(5), t] for k, t in sorted(TITLES.items())]},
    )
    kali_rows: list[list] = [
        ["Liste des correspondances conventions collectives - IDCC (fichier de démonstration généré)"],
        [],
        [],
        [None, "IDCC", "ID", "TITRE", "NATURE", "ETAT", "DEBUT", "FIN", "URL", "CC_TI"],
    ]
    for idcc, start in sorted(KALI_START.items()):
        kali_id = f"KALICONT99999999{idcc}"
        row = [None, int(idcc), kali_id, TITLES[idcc], "IDCC", "VIGUEUR_ETEN", start, None,
               f"https://www.legifrance.gouv.fr/conv_coll/id/{kali_id}", None]  # fmt: skip
        if idcc in ("1486", "3248"):  # an older version of the same text, superseded
            kali_rows.append(row[:5] + ["ABROGE", start - timedelta(days=3650), start - timedelta(days=1)] + row[8:])
        kali_rows.append(row)
    kali = write_xlsx(out_dir / KALI_FILE, {"Feuil1": kali_rows})
    return {"siret_idcc": str(csv_path), "dares": str(dares), "kali": str(kali)}
