"""Decision makers (what the RNE lists as `pouvoirs`): a président for a SAS, a gérant for a
SARL or SCI, the entrepreneur himself for a sole trader. Some companies changed officer
recently; the old officer then has an end date, which is what the `officer_change` signal
is about. About 1.4 officers per unit.

Holdings (`_holdings`): a share of the decision-maker roles is held by a company, as the RNE
shows (about 7 % of Président / Gérant / DG / DGD roles in real payloads). The law decides where:
a SAS may be presided or directed by a company (C. com. L.227-7), a société civile or SNC managed
by one (C. civ. 1846, C. com. L.221-3), while a SARL gérant and the executives of an SA are
natural persons (L.223-18, L.225-51-1, L.225-53). So the demo gives companies the Président of
SAS (`P_HELD["73"]` on top of `P_COMPANY_OFFICER`), SAS DGs and the gérants of civil companies
and SNC, which makes about 8 to 9 % of all those roles. The holding is another company of the
universe (so its own payload names its officers; `P_CHAIN` of them are themselves held, giving
chains of two levels and more), or a foreign company without a French SIREN (`P_FOREIGN`); a
`P_REPRESENTATIVE` share names a permanent representative; `CYCLE_SHARE` of the held SAS form
pairs presiding each other (A -> B -> A), as filings sometimes do."""

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
# holdings (_holdings): extra share of each (legal-form prefix, role) held by a company
P_HELD = {("57", "73"): 0.12, ("57", "53"): 0.08, ("65", "30"): 0.10, ("52", "30"): 0.10, ("53", "30"): 0.10}
P_HELD_ROLES = ("73", "30", "53", "70", "60", "52", "51", "61")  # decision makers a cycle must be alone of
P_FOREIGN = 0.10  # holdings registered abroad: no French SIREN
P_CHAIN = 0.30  # holdings drawn among the companies that are held themselves
P_REPRESENTATIVE = 0.35  # legal-person officers whose pouvoir names their permanent representative
CYCLE_SHARE = 0.005  # of the legal-person officers: SAS pairs presiding each other
HOLDING_FORMS = ("57", "54", "55", "65")  # SAS, SARL, SA, sociétés civiles: what holdings are
FOREIGN_HOLDINGS = (
    ("BELGIQUE", "{} HOLDING SA"), ("LUXEMBOURG", "{} INVEST S.A R.L."), ("SUISSE", "{} BETEILIGUNGEN AG"),
    ("PAYS-BAS", "{} HOLDING B.V."), ("ROYAUME-UNI", "{} CAPITAL LTD"), ("ALLEMAGNE", "{} HOLDING GMBH"),
)  # fmt: skip

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
    "company_country",  # legal-person officer: None for a French company, else its country
    "rep_last_name",  # legal-person officer: its permanent representative, when named
    "rep_first_names",
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
    frame = frame.with_row_index("officer_id", offset=1).with_columns(pl.col("officer_id").cast(pl.Int64))
    # own stream: the draws above, and everything built from them, are what they were before holdings
    return _holdings(rng.spawn(1)[0], pools, units, frame, as_of).select(COLUMNS)


def _holdings(
    rng: np.random.Generator, pools: Pools, units: pl.DataFrame, frame: pl.DataFrame, as_of: dt.date
) -> pl.DataFrame:
    """Give a share of the decision-maker roles to companies (see the module docstring)."""
    m = frame.height
    info = frame.select("siren").join(
        units.select("siren", "categorie_juridique", "active", "denomination"), on="siren", how="left"
    )
    prefix = info["categorie_juridique"].fill_null("").str.slice(0, 2).to_numpy().astype(object)
    roles = frame["role_code"].to_numpy().astype(object)
    p = np.array([P_HELD.get((f, r), 0.0) for f, r in zip(prefix, roles, strict=True)])
    kind = frame["kind"].to_numpy().astype(object)
    company = (kind == "company") | (rng.random(m) < p)
    held_units = set(frame["siren"].filter(pl.Series(company)).to_list())

    pool = units.filter(~pl.col("is_person") & pl.col("active") & pl.col("categorie_juridique").str.slice(0, 2).is_in(
        list(HOLDING_FORMS)))  # fmt: skip
    pool_sirens = np.array(pool["siren"].to_list(), dtype=object)
    pool_names = dict(zip(pool["siren"].to_list(), pool["denomination"].to_list(), strict=True))
    chained = np.array([s for s in pool_sirens if s in held_units], dtype=object)
    own = np.array(frame["siren"].to_list(), dtype=object)
    target = np.array([None] * m, dtype=object)
    foreign = company & (rng.random(m) < P_FOREIGN)
    from_chain = rng.random(m) < P_CHAIN
    for i in np.flatnonzero(company & ~foreign):
        source = chained if from_chain[i] and chained.size > 1 else pool_sirens
        if source.size == 0:
            continue
        pick_one = source[int(rng.integers(source.size))]
        if pick_one == own[i]:  # never its own officer: the next one in the pool
            pick_one = source[(int(np.flatnonzero(source == pick_one)[0]) + 1) % source.size]
        target[i] = pick_one if pick_one != own[i] else None
    foreign |= company & (target == None)  # noqa: E711 (element-wise): no French company to point to

    # cycles: pairs of held SAS presiding each other, among those with no other current decision
    # maker (a DG who is a person would be found instead, and the cycle would not show)
    current = frame["end_date"].is_null().to_numpy()
    deciders = pl.Series("siren", own[current & np.isin(roles, list(P_HELD_ROLES))].tolist(), pl.String).value_counts()
    alone = set(deciders.filter(pl.col("count") == 1)["siren"].to_list())
    presided = np.flatnonzero(
        company & ~foreign & (roles == "73") & current & np.array([x in alone for x in own], dtype=bool)
    )
    n_cycles = max(1, int(round(CYCLE_SHARE * int(company.sum()))))
    in_cycle = np.zeros(m, dtype=bool)
    if presided.size >= 2 and n_cycles:
        first = np.unique(own[presided], return_index=True)[1]  # one row per SAS
        rows = rng.choice(presided[first], size=min(2 * n_cycles, first.size - first.size % 2), replace=False)
        for a, b in zip(rows[0::2], rows[1::2], strict=True):
            target[a], target[b] = own[b], own[a]
            in_cycle[[a, b]] = True

    country_pick = rng.integers(len(FOREIGN_HOLDINGS), size=m)
    words = pick(rng, pools.company_words, m).to_numpy().astype(object)
    rep = company & (rng.random(m) < P_REPRESENTATIVE) & ~in_cycle  # a named representative would end the cycle
    people = _people(rng, pools, m, as_of)
    name = np.array([None] * m, dtype=object)
    for i in np.flatnonzero(company):
        name[i] = FOREIGN_HOLDINGS[country_pick[i]][1].format(words[i]) if foreign[i] else pool_names.get(target[i])
    country = [FOREIGN_HOLDINGS[c][0] if f else None for c, f in zip(country_pick, foreign, strict=True)]
    siren_of = [t if c and not f else None for t, c, f in zip(target, company, foreign, strict=True)]
    is_company = pl.Series(company)
    return frame.with_columns(
        pl.Series("kind", np.where(company, "company", "person")),
        pl.when(is_company)
        .then(pl.Series(name.tolist(), dtype=pl.String))
        .otherwise(pl.col("last_name"))
        .alias("last_name"),
        pl.when(is_company).then(None).otherwise(pl.col("first_names")).alias("first_names"),
        pl.when(is_company).then(None).otherwise(pl.col("birth_year_month")).alias("birth_year_month"),
        pl.Series("company_siren", siren_of, dtype=pl.String),
        pl.Series("company_country", country, dtype=pl.String),
        pl.when(pl.Series(rep)).then(people["last_name"]).alias("rep_last_name"),
        pl.when(pl.Series(rep)).then(people["first_names"]).alias("rep_first_names"),
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
