"""The demo's GeolocalisationEtablissement_Sirene_pour_etudes_statistiques: the real zip (one member
`..._utf8.csv`, `;`-separated, the 19 columns of open_data.md §8.1) for the universe's establishments.

Points: the reference tables carry no coordinates, so each establishment is placed within about
5-8 km of its département's chef-lieu (approximate positions below, to 0.01°: plausible, inside the
département, not a reference anything is checked against); plg_code_commune is the establishment's
commune. x / y are the point in Lambert-93 (EPSG 2154) in metropolitan France; overseas the file's
EPSG is the one search-infra lists (5490, 2972, 2975, 4467, 4471) but x / y are written `[ND]`
(no UTM projection here; nothing reads them).
Quirks, as in the real file: the establishments with statutDiffusion 'P' and ~1 % more are masked
(`[ND]` everywhere), ~7 % have qualite_xy 33 (placed at random in the commune), ~1 % of the
establishments are absent from the file, and a few bad rows: a line with a column missing,
unparseable coordinates, a point outside France, one SIRET with a wrong checksum per 500 rows
(below the 1 % removal bound, FIRMO_GEOLOC_MAX_REMOVAL_PCT).
"""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

HEADER = (
    "siret;x;y;qualite_xy;epsg;plg_qp24;plg_iris;plg_zus;plg_qp15;plg_qva;plg_code_commune;distance_precision;"
    "qualite_qp24;qualite_iris;qualite_zus;qualite_qp15;qualite_qva;y_latitude;x_longitude"
)
MEMBER = "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.csv"
ZIP_NAME = "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.zip"

# Approximate position (lat, lon) of each département's chef-lieu, for placing demo points only.
CHEF_LIEU: dict[str, tuple[float, float]] = {
    "01": (46.21, 5.23), "02": (49.56, 3.62), "03": (46.57, 3.33), "04": (44.09, 6.24), "05": (44.56, 6.08),
    "06": (43.71, 7.26), "07": (44.74, 4.60), "08": (49.77, 4.72), "09": (42.97, 1.61), "10": (48.30, 4.07),
    "11": (43.21, 2.35), "12": (44.35, 2.58), "13": (43.30, 5.37), "14": (49.18, -0.37), "15": (44.93, 2.44),
    "16": (45.65, 0.16), "17": (46.16, -1.15), "18": (47.08, 2.40), "19": (45.27, 1.77), "21": (47.32, 5.04),
    "22": (48.51, -2.77), "23": (46.17, 1.87), "24": (45.18, 0.72), "25": (47.24, 6.02), "26": (44.93, 4.89),
    "27": (49.02, 1.15), "28": (48.45, 1.49), "29": (48.00, -4.10), "2A": (41.92, 8.74), "2B": (42.70, 9.45),
    "30": (43.84, 4.36), "31": (43.60, 1.44), "32": (43.65, 0.59), "33": (44.84, -0.58), "34": (43.61, 3.88),
    "35": (48.12, -1.68), "36": (46.81, 1.69), "37": (47.39, 0.69), "38": (45.19, 5.72), "39": (46.68, 5.56),
    "40": (43.89, -0.50), "41": (47.59, 1.34), "42": (45.44, 4.39), "43": (45.04, 3.89), "44": (47.22, -1.55),
    "45": (47.90, 1.91), "46": (44.45, 1.44), "47": (44.20, 0.62), "48": (44.52, 3.50), "49": (47.48, -0.56),
    "50": (49.12, -1.09), "51": (48.96, 4.37), "52": (48.11, 5.14), "53": (48.07, -0.77), "54": (48.69, 6.18),
    "55": (48.77, 5.16), "56": (47.66, -2.76), "57": (49.12, 6.18), "58": (46.99, 3.16), "59": (50.63, 3.06),
    "60": (49.43, 2.08), "61": (48.43, 0.09), "62": (50.29, 2.78), "63": (45.78, 3.09), "64": (43.30, -0.37),
    "65": (43.23, 0.08), "66": (42.70, 2.90), "67": (48.57, 7.75), "68": (48.08, 7.36), "69": (45.76, 4.84),
    "70": (47.62, 6.16), "71": (46.31, 4.83), "72": (48.01, 0.20), "73": (45.56, 5.92), "74": (45.90, 6.13),
    "75": (48.86, 2.35), "76": (49.44, 1.10), "77": (48.54, 2.66), "78": (48.80, 2.12), "79": (46.32, -0.46),
    "80": (49.89, 2.30), "81": (43.93, 2.15), "82": (44.02, 1.36), "83": (43.12, 5.93), "84": (43.95, 4.81),
    "85": (46.67, -1.43), "86": (46.58, 0.34), "87": (45.83, 1.26), "88": (48.17, 6.45), "89": (47.80, 3.57),
    "90": (47.64, 6.86), "91": (48.63, 2.44), "92": (48.89, 2.21), "93": (48.91, 2.44), "94": (48.79, 2.46),
    "95": (49.05, 2.10), "971": (16.00, -61.73), "972": (14.62, -61.06), "973": (4.92, -52.31),
    "974": (-20.88, 55.45), "975": (46.78, -56.18), "976": (-12.78, 45.23), "977": (17.90, -62.85),
    "978": (18.07, -63.08), "986": (-13.28, -176.17), "987": (-17.54, -149.57), "988": (-22.28, 166.46),
}  # fmt: skip
# Small territories and islands get a tighter spread (degrees of latitude; longitude x1.4).
SPREAD = {"75": 0.015, "92": 0.02, "93": 0.02, "94": 0.02, "975": 0.01, "977": 0.005, "978": 0.01, "986": 0.01}
SPREAD.update({"972": 0.03, "974": 0.03, "976": 0.03, "987": 0.02, "988": 0.03})
DEFAULT_SPREAD = 0.05
EPSG = {"971": "5490", "972": "5490", "977": "5490", "978": "5490", "973": "2972", "974": "2975", "975": "4467"}
EPSG.update({"976": "4471", "986": "4326", "987": "4326", "988": "4326"})
QUALITY = (("11", 0.70), ("12", 0.10), ("21", 0.08), ("22", 0.05), ("33", 0.07))


def lambert93(lat: float, lon: float) -> tuple[float, float]:
    """WGS84 degrees to Lambert-93 metres (EPSG 2154: GRS80, conic conformal, standard parallels
    44° and 49°, origin 46.5° N 3° E at 700 000 / 6 600 000)."""
    a, e = 6378137.0, 0.0818191910428158
    phi1, phi2, phi0, lon0 = (math.radians(v) for v in (44.0, 49.0, 46.5, 3.0))

    def m(phi: float) -> float:
        return math.cos(phi) / math.sqrt(1 - (e * math.sin(phi)) ** 2)

    def t(phi: float) -> float:
        return math.tan(math.pi / 4 - phi / 2) / ((1 - e * math.sin(phi)) / (1 + e * math.sin(phi))) ** (e / 2)

    n = math.log(m(phi1) / m(phi2)) / math.log(t(phi1) / t(phi2))
    f = m(phi1) / (n * t(phi1) ** n)
    rho, rho0 = a * f * t(math.radians(lat)) ** n, a * f * t(phi0) ** n
    theta = n * (math.radians(lon) - lon0)
    return 700000 + rho * math.sin(theta), 6600000 + rho0 - rho * math.cos(theta)


def geoloc_lines(universe: Any, seed: int | None = None) -> list[str]:
    """The data lines (no header) for the universe's establishments, in SIRET order."""
    rng = np.random.default_rng([universe.seed if seed is None else seed, 15])
    etabs = universe.establishments.select("siret", "commune_code", "departement", "statut_diffusion").sort("siret")
    n = etabs.height
    absent = rng.random(n) < 0.01
    masked = rng.random(n) < 0.01
    quality = rng.choice([q for q, _ in QUALITY], size=n, p=[p for _, p in QUALITY])
    du, dv = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
    precision = rng.choice([5.0, 12.5, 25.0, 50.0, 100.0, 250.0], size=n)
    lines = []
    for i, (siret, commune, dep, diffusion) in enumerate(etabs.iter_rows()):
        if absent[i]:
            continue
        epsg = EPSG.get(dep, "2154")
        if diffusion == "P" or masked[i] or dep not in CHEF_LIEU:
            row = [siret, "[ND]", "[ND]", "[ND]", epsg, "", "[ND]", "", "", "", commune or "", "[ND]"]
            lines.append(";".join(row + ["", "[ND]", "", "", "", "[ND]", "[ND]"]))
            continue
        lat0, lon0 = CHEF_LIEU[dep]
        # a point placed at random in the commune strays further (metropole: the islands stay on land)
        spread = SPREAD.get(dep, DEFAULT_SPREAD) * (3 if quality[i] == "33" and len(dep) == 2 else 1)
        lat, lon = round(lat0 + du[i] * spread, 6), round(lon0 + dv[i] * spread * 1.4, 6)
        x, y = lambert93(lat, lon) if epsg == "2154" else (None, None)
        dist = 1500.0 if quality[i] == "33" else float(precision[i])
        iris = f"{commune}0000" if commune else ""
        row = [
            siret,
            "[ND]" if x is None else f"{x:.1f}",
            "[ND]" if y is None else f"{y:.1f}",
            str(quality[i]),
            epsg,
            "",
            iris,
            "",
            "",
            "",
            commune or "",
            f"{dist:.1f}",
            "",
            "11" if iris else "",
            "",
            "",
            "",
            f"{lat:.6f}",
            f"{lon:.6f}",
        ]
        lines.append(";".join(row))
    return _with_bad_rows(lines, rng)


def _with_bad_rows(lines: list[str], rng: np.random.Generator) -> list[str]:
    """Replace a few rows by the faults a loader must quarantine (not for a tiny universe)."""
    if len(lines) < 20:
        return lines
    out = list(lines)
    picks = rng.choice(len(out), size=3 + len(out) // 500, replace=False)
    short, text, outside, *checksums = (int(p) for p in picks)
    out[short] = out[short].rsplit(";", 1)[0]  # a column missing
    fields = out[text].split(";")
    fields[17], fields[18] = "48,85x", "2.35"
    out[text] = ";".join(fields)
    fields = out[outside].split(";")
    fields[17], fields[18] = "0.000000", "0.000000"  # swapped to the Gulf of Guinea
    out[outside] = ";".join(fields)
    for p in checksums:
        fields = out[p].split(";")
        fields[0] = fields[0][:-1] + str((int(fields[0][-1]) + 1) % 10)  # one digit off: Luhn fails
        out[p] = ";".join(fields)
    return out


def write_geoloc(universe: Any, out_dir: Path) -> dict[str, Path]:
    """Write the zip; return {'csv_zip': path}. Deterministic for a universe."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ZIP_NAME
    text = io.StringIO()
    text.write(HEADER + "\n")
    for line in geoloc_lines(universe):
        text.write(line + "\n")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(MEMBER, date_time=(2026, 11, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, text.getvalue().encode("utf-8"))
    return {"csv_zip": path}
