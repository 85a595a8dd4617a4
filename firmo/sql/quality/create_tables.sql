-- Data-quality bookkeeping (schema `quality`): every asset check's result, and each load's row
-- count for the row-count guard. Idempotent: run before every check.
CREATE SCHEMA IF NOT EXISTS quality;

-- One row per execution of a check (assets/checks.py CHECKS). crm_exports refuses to run while the
-- latest result of a blocking check on one of its upstream tables failed, even from another run.
CREATE TABLE IF NOT EXISTS quality.check_results (
    check_name    VARCHAR   NOT NULL,   -- e.g. 'companies_siren'
    asset         VARCHAR   NOT NULL,   -- Dagster asset key, e.g. 'core/companies'
    partition_key VARCHAR,              -- the ICP for per-ICP assets, NULL otherwise
    run_id        VARCHAR   NOT NULL,   -- Dagster run id (or any id a caller passes)
    passed        BOOLEAN   NOT NULL,
    blocking      BOOLEAN   NOT NULL,
    severity      VARCHAR   NOT NULL,   -- 'ERROR' | 'WARN'
    summary       VARCHAR   NOT NULL,   -- one line, as shown in the Dagster UI
    details       JSON,                 -- per expectation: success, observed value, failing examples
    checked_at    TIMESTAMP NOT NULL    -- naive UTC
);

-- Rows of a table at each checked load. `accepted` = the load passed the guard: only accepted
-- loads are baselines, so reloading the same truncated file does not become the new normal.
CREATE TABLE IF NOT EXISTS quality.row_counts (
    table_name VARCHAR   NOT NULL,      -- e.g. 'sirene.unites_legales'
    run_id     VARCHAR   NOT NULL,
    rows       BIGINT    NOT NULL,
    accepted   BOOLEAN   NOT NULL,
    checked_at TIMESTAMP NOT NULL,      -- naive UTC
    PRIMARY KEY (table_name, run_id)
);
