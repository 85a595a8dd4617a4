"""Decision makers (what the RNE lists as `pouvoirs`): a président for a SAS, a gérant for a
SARL or SCI, the entrepreneur himself for a sole trader. Some companies changed officer
recently; the old officer then has an end date, which is what the `officer_change` signal
is about. About 1.4 officers per unit."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from sources.demo.names import Pools, first_names, pick

EPOCH = dt.date(1970, 1, 1)

# main role (RNE roleEntreprise code) by catégorie juridique prefix; default '30' Gérant
MAIN_ROLE = {
    "1000": "101",
    "5710": "73",
    "5785": "73",
    "5599": "60",
    "5699": "52",
    "5800": "60",
    "9220": "205",
    "9230": "205",
    "9300": "205",
    "7210": "99",
    "7346": "99",
    "9110": "99",
}
SECOND_ROLE = {"73": "53", "60": "70", "52": "61", "205": "207", "30": "30", "99": "99"}
P_SECOND = {"73": 0.55, "60": 0.9, "52": 1.0, "205": 0.9, "30": 0.45, "99": 0.3, "101": 0.0}
P_COMPANY_OFFICER = 0.10  # a SAS presided by another company (a holding)
P_CHANGE = 0.15  # active companies whose main officer changed within two years

COLUMNS = [
    "siren",
    "officer_id",
    "kind",
    "last_name",
    "first_names",
    "role_code",
    "start_date",
    "end_date",
    "birth_year_month",
    "company_siren",
]


def recent_day(rng: np.random.Generator, n: int, as_of: dt.date) -> np.ndarray:
    """Day numbers mostly within two years before as_of, a third of them in the last 90 days."""
    today = (as_of - EPOCH).days
    back = np.where(rng.random(n) < 0.35, rng.integers(1, 90, n), rng.integers(1, 730, n))
    return today - back


def build_officers(rng: np.random.Generator, pools: Pools, units: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    n = units.height
    today = (as_of - EPOCH).days
    is_person = units["is_person"].to_numpy()
    created = np.maximum(units["date_creation"].cast(pl.Int32).to_numpy(), (dt.date(1950, 1, 1) - EPOCH).days)
    active = units["active"].to_numpy()
    main_role = units["categorie_juridique"].replace_strict(MAIN_ROLE, default="30").to_numpy().astype(object)

    # 1. main officer of every unit; sole traders are their own officer
    main = _people(rng, pools, n, as_of)
    main = main.with_columns(
        pl.Series("siren", units["siren"]),
        pl.Series("role_code", main_role),
        pl.Series("start_day", created),
        pl.lit(None, pl.Int32).alias("end_day"),
        pl.Series("change", ~is_person & active & (rng.random(n) < P_CHANGE) & (created < today - 60)),
    )
    main = main.with_columns(
        pl.when(pl.Series(is_person)).then(units["last_name"]).otherwise(pl.col("last_name")).alias("last_name"),
        pl.when(pl.Series(is_person)).then(units["first_name"]).otherwise(pl.col("first_names")).alias("first_names"),
    )
    # a share of SAS presided by another company
    company_officer = (main_role == "73") & (rng.random(n) < P_COMPANY_OFFICER)
    companies = units.filter(~pl.col("is_person"))
    pick_idx = rng.integers(0, max(companies.height, 1), n)
    main = main.with_columns(
        pl.Series("kind", np.where(company_officer, "company", "person")),
        pl.when(pl.Series(company_officer)).then(companies["siren"].gather(pick_idx)).alias("company_siren"),
        pl.when(pl.Series(company_officer))
        .then(companies["denomination"].gather(pick_idx))
        .otherwise(pl.col("last_name"))
        .alias("last_name"),
        pl.when(pl.Series(company_officer)).then(None).otherwise(pl.col("first_names")).alias("first_names"),
        pl.when(pl.Series(company_officer)).then(None).otherwise(pl.col("birth_year_month")).alias("birth_year_month"),
    )

    # 2. officer changes: the current main officer started recently, the previous one ended then
    change = main["change"].to_numpy()
    change_day = np.maximum(recent_day(rng, n, as_of), created + 30)
    main = main.with_columns(
        pl.when(pl.col("change")).then(pl.Series(change_day)).otherwise(pl.col("start_day")).alias("start_day")
    )
    rows = np.flatnonzero(change)
    old = _people(rng, pools, rows.size, as_of).with_columns(
        pl.Series("siren", units["siren"].gather(rows)),
        pl.Series("role_code", main_role[rows]),
        pl.Series("start_day", created[rows]),
        pl.Series("end_day", change_day[rows].astype(np.int32)),
        pl.lit(False).alias("change"),
        pl.lit("person").alias("kind"),
        pl.lit(None, pl.String).alias("company_siren"),
    )

    # 3. a second officer (directeur général, trésorier...)
    second_p = np.array([P_SECOND.get(r, 0.1) for r in main_role])
    rows2 = np.flatnonzero(~is_person & (rng.random(n) < second_p))
    start2 = created[rows2] + (rng.random(rows2.size) * (today - created[rows2])).astype(np.int64)
    second = _people(rng, pools, rows2.size, as_of).with_columns(
        pl.Series("siren", units["siren"].gather(rows2)),
        pl.Series("role_code", np.array([SECOND_ROLE.get(r, "99") for r in main_role[rows2]], dtype=object)),
        pl.Series("start_day", start2),
        pl.lit(None, pl.Int32).alias("end_day"),
        pl.lit(False).alias("change"),
        pl.lit("person").alias("kind"),
        pl.lit(None, pl.String).alias("company_siren"),
    )

    cols = [
        "siren",
        "kind",
        "last_name",
        "first_names",
        "role_code",
        "start_day",
        "end_day",
        "birth_year_month",
        "company_siren",
        "change",
    ]
    frame = pl.concat(
        [
            f.select(cols).with_columns(
                pl.col("start_day").cast(pl.Int32),
                pl.col("end_day").cast(pl.Int32),
                pl.col("role_code").cast(pl.String),
            )
            for f in (main, old, second)
        ]
    )
    frame = frame.with_columns(
        pl.col("start_day").cast(pl.Date).alias("start_date"),
        pl.col("end_day").cast(pl.Date).alias("end_date"),
    ).sort("siren", "start_day", maintain_order=True)
    # a few officers have no known start date (old filings)
    no_start = pl.Series(rng.random(frame.height) < 0.03)
    frame = frame.with_columns(
        pl.when(no_start & pl.col("end_date").is_null() & ~pl.col("change"))
        .then(None)
        .otherwise(pl.col("start_date"))
        .alias("start_date")
    )
    return (
        frame.with_row_index("officer_id", offset=1).with_columns(pl.col("officer_id").cast(pl.Int64)).select(COLUMNS)
    )


def _people(rng: np.random.Generator, pools: Pools, n: int, as_of: dt.date) -> pl.DataFrame:
    """n invented natural persons: last name, one to three first names, birth year-month."""
    sex = np.where(rng.random(n) < 0.65, "M", "F")
    first = first_names(rng, pools, sex)
    second = first_names(rng, pools, sex)
    third = first_names(rng, pools, sex)
    count = rng.choice(3, size=n, p=[0.45, 0.4, 0.15])
    names = pl.select(
        pl.when(pl.Series(count == 0))
        .then(first)
        .when(pl.Series(count == 1))
        .then(pl.concat_str([first, second], separator=" "))
        .otherwise(pl.concat_str([first, second, third], separator=" "))
    ).to_series()
    age_months = rng.integers(25 * 12, 75 * 12, n)
    months = as_of.year * 12 + as_of.month - 1 - age_months
    birth = pl.format("{}-{}", pl.Series(months // 12), pl.Series(months % 12 + 1).cast(pl.String).str.zfill(2))
    return pl.DataFrame(
        {
            "last_name": pick(rng, pools.last_names, n),
            "first_names": names,
            "birth_year_month": pl.select(birth).to_series(),
        }
    )
