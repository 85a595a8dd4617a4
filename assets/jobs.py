"""Hiring assets (open_data.md §9): France Travail job offers, La Bonne Boîte, and the offers matched
to SIRENE establishments.

`raw/jobs/offres` polls Offres d'emploi v2 into a JSON-lines file under `<data dir>/raw/jobs/`
(recruiter contact fields dropped before anything is written), `jobs/offres` upserts it,
`jobs/labonneboite` searches La Bonne Boîte where the offers are (skipped, once logged, when the
account lacks the habilitation) and rebuilds `core/hiring_potential`, and `core/job_offers` runs
the matcher. Without FIRMO_FRANCE_TRAVAIL_CLIENT_ID / _SECRET the poll is skipped with a log line
and the tables keep what they hold.
"""

from datetime import date
from pathlib import Path

from dagster import AssetExecutionContext, AssetIn, AssetKey, MaterializeResult, MetadataValue

from assets.common import NETWORK_RETRY, preview, raw_file_asset, rejects_table, table_asset, table_assets, table_spec
from assets.resources import FranceTravailResource, PathsResource, WarehouseResource
from firmo.metadata import bar_chart, markdown_table
from firmo.sqlfiles import load_sql, render_identifiers
from sources.jobs.fetch import fetch_offers
from sources.jobs.load import HIRING_POTENTIAL, LBB, OFFRES, build_hiring_potential, load_offers
from sources.jobs.match import TARGET, match_offers
from sources.jobs.refresh import all_departements, fetch_and_load_labonneboite

OFFRES_FILE = AssetKey(["raw", "jobs", "offres"])
OFFRES_KEY = AssetKey(["jobs", "offres"])
LBB_KEY = AssetKey(["jobs", "labonneboite"])
POTENTIAL_KEY = AssetKey(["core", "hiring_potential"])
JOB_OFFERS_KEY = AssetKey(["core", "job_offers"])
SKIPPED = "skipped: FIRMO_FRANCE_TRAVAIL_CLIENT_ID / FIRMO_FRANCE_TRAVAIL_CLIENT_SECRET not set"


@raw_file_asset(OFFRES_FILE)
def jobs_offres_file(
    context: AssetExecutionContext, france_travail: FranceTravailResource, paths: PathsResource
) -> str:
    """Offres d'emploi v2: the offers created in the last FIRMO_JOBS_DAYS_BACK days in each
    département polled, flattened, without contact / agence / description. "" when not configured."""
    if not france_travail.configured:
        context.log.info(SKIPPED)
        context.add_output_metadata({"result": SKIPPED})
        return ""
    with france_travail.client() as client:
        summary = fetch_offers(
            client,
            paths.raw("jobs"),
            departements=france_travail.departements or all_departements(),
            today=date.today(),
            days_back=france_travail.days_back,
            log=context.log,
        )
    assert summary.path is not None
    context.add_output_metadata(
        {
            "path": MetadataValue.path(str(summary.path)),
            "offers": summary.rows,
            "requests": summary.requests,
            "token requests": summary.token_requests,
            "offers by département (top 15)": MetadataValue.md(
                bar_chart(sorted(summary.by_departement.items(), key=lambda kv: -kv[1])[:15])
            ),
        }
    )
    return str(summary.path)


@table_assets(
    specs=[
        table_spec(
            OFFRES_KEY,
            deps=[OFFRES_FILE],
            description="France Travail offers, one row per id (publisher's field names, flattened); no contact data.",
        )
    ],
    ins={"jobs_offres_file": AssetIn(OFFRES_FILE)},
)
def jobs_offres_table(context: AssetExecutionContext, warehouse: WarehouseResource, jobs_offres_file: str):
    with warehouse.get_connection() as con:
        if not jobs_offres_file:
            con.execute(render_identifiers(load_sql("jobs/create_offres"), table=OFFRES))
            total = con.execute(f"SELECT count(*) FROM {OFFRES}").fetchall()[0][0]
            yield MaterializeResult(asset_key=OFFRES_KEY, metadata={"result": SKIPPED, "dagster/row_count": total})
            return
        report = load_offers(con, [Path(jobs_offres_file)])
        total = con.execute(f"SELECT count(*) FROM {OFFRES}").fetchall()[0][0]
        contracts = con.execute(
            f"SELECT coalesce(typeContrat, '(none)'), count(*) FROM {OFFRES} GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
        yield MaterializeResult(
            asset_key=OFFRES_KEY,
            metadata={
                "offers in this poll": report.loaded.get(OFFRES, 0),
                "rows_rejected": report.rejected.get(OFFRES, 0),
                "rejects_by_reason": rejects_table(report.rejects_by_reason),
                "dagster/row_count": total,
                "offers by contract type": MetadataValue.md(bar_chart(contracts)),
                "preview": preview(con, OFFRES, ["id", "intitule", "dateCreation", "lieuTravail_commune", "codeNAF"]),
            },
        )


@table_assets(
    specs=[
        table_spec(
            LBB_KEY,
            deps=[OFFRES_KEY],
            description="La Bonne Boîte v2 companies by SIRET and ROME code, where the loaded offers are.",
        ),
        table_spec(
            POTENTIAL_KEY,
            deps=[LBB_KEY],
            description="Hiring potential by SIRET and ROME code (La Bonne Boîte; the SIRET is exact).",
        ),
    ],
    retry_policy=NETWORK_RETRY,
)
def labonneboite_tables(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    france_travail: FranceTravailResource,
    paths: PathsResource,
):
    with warehouse.get_connection() as con:
        result = SKIPPED
        if france_travail.configured:
            with france_travail.client() as client:
                summary, _ = fetch_and_load_labonneboite(
                    con,
                    client,
                    paths.raw("jobs"),
                    today=date.today(),
                    rome_codes=france_travail.rome_codes or None,
                    departements=france_travail.departements or None,
                    log=context.log,
                )
            result = (
                f"skipped: {summary.skipped}"
                if summary.skipped
                else f"{summary.rows:,} companies in {summary.requests} calls"
            )
        else:
            build_hiring_potential(con)
        lbb_rows = con.execute(f"SELECT count(*) FROM {LBB}").fetchall()[0][0]
        potential = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE is_high_potential) FROM {HIRING_POTENTIAL}"
        ).fetchall()[0]
        yield MaterializeResult(asset_key=LBB_KEY, metadata={"result": result, "dagster/row_count": lbb_rows})
        yield MaterializeResult(
            asset_key=POTENTIAL_KEY,
            metadata={"dagster/row_count": potential[0], "high potential": potential[1]},
        )


@table_asset(
    JOB_OFFERS_KEY, deps=[OFFRES_KEY, AssetKey(["sirene", "unites_legales"]), AssetKey(["sirene", "etablissements"])]
)
def core_job_offers(
    context: AssetExecutionContext, warehouse: WarehouseResource, france_travail: FranceTravailResource
) -> MaterializeResult:
    """Every offer with the SIRENE establishment it is credited to (name + commune + NAF, with a
    confidence); temp agencies (NAF 78) and anonymous offers never credited."""
    with warehouse.get_connection() as con:
        con.execute(render_identifiers(load_sql("jobs/create_offres"), table=OFFRES))
        outcomes = match_offers(con, threshold=france_travail.match_threshold)
        methods = con.execute(
            f"SELECT match_method, count(*) FROM {TARGET} WHERE siren IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 10"
        ).fetchall()
        return MaterializeResult(
            metadata={
                "dagster/row_count": sum(outcomes.values()),
                "threshold": france_travail.match_threshold,
                "outcomes": MetadataValue.md(markdown_table(["outcome", "offers"], sorted(outcomes.items()))),
                "credited by method": MetadataValue.md(bar_chart(methods)),
                "preview": preview(
                    con, TARGET, ["offer_id", "siren", "match_confidence", "match_method", "temp_agency"]
                ),
            }
        )
