"""The shape of the generated economy: which legal forms, activities and sizes, in what shares.

Figures are rounded orders of magnitude of the French stock (many sole traders, SAS and SARL
dominate companies, one unit in seven is an SCI, associations are numerous, almost everyone has
fewer than 10 employees), good enough for a demo and for benchmarks whose speed depends on
realistic cardinalities. Every code used here exists in `firmo/reference` (a test checks it).
"""

from __future__ import annotations

import numpy as np

# Legal form (catégorie juridique niveau III) of a company (non-person unit) -> (weight, activity pool)
COMPANY_FORMS: dict[str, tuple[float, str]] = {
    "5710": (31.0, "business"),  # SAS / SASU
    "5499": (27.0, "business"),  # SARL / EURL
    "6540": (14.0, "sci"),  # SCI
    "9220": (12.0, "association"),
    "6599": (3.0, "liberal"),  # other société civile
    "9110": (2.0, "copro"),  # syndicat de copropriété
    "5485": (1.5, "liberal"),  # SELARL
    "5785": (1.0, "liberal"),  # SELAS
    "5599": (0.8, "business"),  # SA à conseil d'administration
    "6533": (0.7, "agri"),  # GAEC
    "6598": (0.8, "agri"),  # EARL
    "5202": (0.6, "business"),  # SNC
    "5410": (0.4, "business"),
    "6589": (0.5, "liberal"),  # société civile de moyens
    "6220": (0.3, "business"),  # GIE
    "9230": (0.2, "association"),
    "5699": (0.2, "business"),  # SA à directoire
    "7210": (0.3, "public"),  # commune
    "7346": (0.05, "public"),
    "9300": (0.1, "association"),  # fondation
    "5306": (0.1, "business"),
    "5800": (0.02, "business"),  # SE
}
# Share of SAS/SARL/SA that are holdings (64.20Z / 70.10Z).
HOLDING_SHARE = 0.14
HOLDING_FORMS = ("5710", "5499", "5599", "5699", "5800")

# Activity pools: NAF rév. 2 code -> weight
POOLS: dict[str, dict[str, float]] = {
    "business": {
        "70.22Z": 6,
        "62.01Z": 3,
        "62.02A": 2,
        "62.09Z": 1,
        "63.11Z": 0.6,
        "58.29C": 0.4,
        "73.11Z": 1.2,
        "70.21Z": 0.6,
        "71.12B": 1.5,
        "71.11Z": 0.6,
        "74.90B": 1,
        "74.10Z": 0.6,
        "82.99Z": 1.6,
        "78.20Z": 0.3,
        "41.20A": 1,
        "41.20B": 1,
        "41.10A": 0.8,
        "43.21A": 2,
        "43.22A": 1.4,
        "43.22B": 1.2,
        "43.99C": 2.2,
        "43.31Z": 0.8,
        "43.32A": 1,
        "43.34Z": 1,
        "43.91B": 0.6,
        "43.12A": 0.6,
        "43.39Z": 0.6,
        "43.29A": 0.4,
        "45.11Z": 1.2,
        "45.20A": 1.4,
        "46.90Z": 1.4,
        "46.19B": 0.8,
        "46.69B": 0.6,
        "46.51Z": 0.4,
        "46.39B": 0.4,
        "46.73A": 0.3,
        "47.11B": 0.7,
        "47.11D": 0.3,
        "47.71Z": 1.5,
        "47.91B": 1.5,
        "47.91A": 0.4,
        "47.73Z": 0.8,
        "47.24Z": 0.3,
        "47.25Z": 0.3,
        "47.26Z": 0.5,
        "47.78C": 0.8,
        "47.59B": 0.4,
        "47.77Z": 0.2,
        "47.30Z": 0.2,
        "10.71C": 1.2,
        "10.13B": 0.2,
        "25.62B": 0.4,
        "25.11Z": 0.3,
        "33.12Z": 0.4,
        "16.23Z": 0.3,
        "18.12Z": 0.2,
        "56.10A": 4,
        "56.10C": 2.5,
        "56.30Z": 1.2,
        "56.21Z": 0.4,
        "55.10Z": 0.8,
        "55.20Z": 0.4,
        "49.41A": 1.2,
        "49.41B": 0.6,
        "49.32Z": 0.6,
        "52.29B": 0.4,
        "53.20Z": 0.6,
        "49.42Z": 0.2,
        "68.31Z": 1.6,
        "68.32A": 0.5,
        "68.10Z": 0.8,
        "68.20B": 0.6,
        "69.20Z": 0.8,
        "66.22Z": 0.8,
        "64.99Z": 0.3,
        "64.30Z": 0.2,
        "66.30Z": 0.2,
        "77.39Z": 0.3,
        "77.11A": 0.3,
        "81.21Z": 1.2,
        "81.30Z": 0.6,
        "80.10Z": 0.4,
        "96.02A": 1.5,
        "96.02B": 0.8,
        "96.04Z": 0.3,
        "96.09Z": 0.4,
        "85.59A": 1.2,
        "85.53Z": 0.3,
        "86.90F": 0.2,
        "87.10A": 0.2,
        "88.10A": 0.3,
        "90.01Z": 0.3,
        "59.11B": 0.3,
        "93.13Z": 0.3,
        "79.11Z": 0.3,
        "35.11Z": 0.5,
        "38.11Z": 0.1,
        "01.50Z": 0.2,
        "11.02B": 0.2,
    },
    "holding": {"64.20Z": 7, "70.10Z": 3},
    "sci": {"68.20B": 45, "68.20A": 30, "68.32B": 15, "68.10Z": 5, "41.10D": 5},
    "association": {
        "94.99Z": 60,
        "93.12Z": 12,
        "88.99B": 6,
        "90.01Z": 5,
        "85.59B": 5,
        "93.29Z": 4,
        "85.52Z": 3,
        "94.91Z": 2,
        "88.10A": 2,
        "94.12Z": 1,
    },
    "liberal": {
        "69.10Z": 20,
        "86.23Z": 15,
        "86.21Z": 12,
        "86.22C": 8,
        "69.20Z": 12,
        "71.11Z": 8,
        "75.00Z": 6,
        "86.90B": 4,
        "86.90E": 5,
        "68.20B": 10,
    },
    "copro": {"81.10Z": 70, "68.32A": 30},
    "agri": {
        "01.50Z": 20,
        "01.41Z": 20,
        "01.11Z": 20,
        "01.21Z": 15,
        "01.13Z": 6,
        "01.47Z": 5,
        "01.45Z": 6,
        "01.42Z": 8,
    },
    "public": {"84.11Z": 100},
    # sole traders (entrepreneurs individuels, micro-entrepreneurs included)
    "person": {
        "47.91B": 5,
        "86.90D": 4,
        "86.90E": 3,
        "86.21Z": 2,
        "86.90F": 2,
        "96.02A": 3,
        "96.02B": 4,
        "96.09Z": 3,
        "49.32Z": 3,
        "53.20Z": 4,
        "56.10C": 2,
        "56.10A": 1.5,
        "47.89Z": 2,
        "47.82Z": 1,
        "47.81Z": 1.5,
        "43.99C": 3,
        "43.34Z": 3,
        "43.21A": 2,
        "43.22A": 2,
        "43.32A": 2,
        "43.39Z": 2,
        "81.21Z": 2,
        "81.30Z": 2,
        "88.10A": 1,
        "85.59B": 4,
        "85.59A": 2,
        "85.51Z": 2,
        "70.22Z": 5,
        "74.90B": 3,
        "74.10Z": 2,
        "74.20Z": 1.5,
        "73.11Z": 1,
        "62.01Z": 3,
        "62.02A": 1.5,
        "90.03A": 1.5,
        "90.03B": 1.5,
        "90.01Z": 1,
        "68.20A": 3,
        "68.20B": 1,
        "68.31Z": 1,
        "01.50Z": 2,
        "01.21Z": 1,
        "01.11Z": 1,
        "45.20A": 1,
        "95.29Z": 1,
        "82.99Z": 2,
        "66.22Z": 0.6,
        "71.12B": 0.6,
        "93.19Z": 1,
        "47.71Z": 1,
        "47.78C": 1,
        "10.71C": 0.5,
        "49.41B": 0.5,
        "55.20Z": 1,
    },
}

# Headcount band -> weight, for active companies / active sole traders (null = not filled)
BANDS_ACTIVE_COMPANY: dict[str | None, float] = {
    "NN": 38,
    None: 22,
    "00": 5,
    "01": 12,
    "02": 8,
    "03": 5,
    "11": 4,
    "12": 3,
    "21": 1.2,
    "22": 0.7,
    "31": 0.2,
    "32": 0.25,
    "41": 0.1,
    "42": 0.05,
    "51": 0.03,
    "52": 0.012,
    "53": 0.006,
}
BANDS_ACTIVE_PERSON: dict[str | None, float] = {"NN": 70, None: 24, "00": 2, "01": 3, "02": 0.8, "03": 0.2}
BANDS_CLOSED: dict[str | None, float] = {None: 70, "NN": 25, "00": 2, "01": 2, "02": 0.7, "03": 0.3}
# Forms that never employ (SCI, copro) stay NN / null.
NON_EMPLOYER_POOLS = ("sci", "copro")

# Band order, to compare sizes and derive catégorie d'entreprise.
BAND_ORDER = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53")

# Typical share capitals (euros) of small companies
CAPITALS = np.array([1, 100, 500, 1000, 1500, 2000, 3000, 5000, 7500, 8000, 10000, 15000, 20000, 37000, 50000, 100000])
CAPITAL_WEIGHTS = np.array([2, 4, 4, 22, 4, 6, 4, 12, 3, 4, 12, 3, 5, 4, 5, 6], dtype=float)
NO_CAPITAL_POOLS = ("association", "copro", "public")

PERSON_SHARE = 0.45  # entrepreneurs individuels among units
P_SHARE_PERSON = 0.055  # statut de diffusion 'P'
P_SHARE_COMPANY = 0.01
ACTIVE_SHARE = 0.60
# RNE `diffusionCommerciale: false` (opposition to commercial use, R.123-320). Independent of the
# SIRENE status: most opposed units are 'O' in SIRENE, and not every 'P' unit opposed at the RNE.
OPPOSITION_SHARE_PERSON = 0.02  # entrepreneurs individuels with statut 'O'
OPPOSITION_SHARE_COMPANY = 0.005  # other units with statut 'O'
OPPOSITION_SHARE_P = 0.6  # units with statut 'P'
OPPOSITION_FLIP_SHARE = 0.05  # of the units in the RNE /diff: the later payload flips the flag

# NAF 2025 code of a unit: INSEE's correspondence (sources.demo.universe.naf2025_of; a split
# goes to one of its targets); left empty for ceased units and this share of active ones.
NAF25_MISSING_SHARE = 0.20

# NAF rév. 1 codes (as kept by units ceased before 2008), by NAF rév. 2 section
NAFREV1_BY_SECTION = {"L": "70.2C", "F": "45.2B", "M": "74.1G", "I": "55.3A", "J": "72.2C", "Q": "85.1C", "G": "52.4C"}
NAFREV1_DEFAULT = "74.1G"


def normalised(weights: dict) -> tuple[list, np.ndarray]:
    keys = list(weights)
    w = np.array([weights[k] for k in keys], dtype=float)
    return keys, w / w.sum()
