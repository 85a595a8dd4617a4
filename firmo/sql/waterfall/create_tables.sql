-- Waterfall tables. Created once, never rebuilt: the cache is what keeps us from paying twice, the
-- provenance answers "where did you get my data?" (GDPR art. 14/15), the runs table is the ledger
-- of spend. firmo.compliance.forget deletes from cache and provenance by their `siren` and `email` columns.

CREATE TABLE IF NOT EXISTS waterfall.cache (
    provider    VARCHAR NOT NULL,
    field       VARCHAR NOT NULL,     -- domain | email | phone | verify
    input_key   VARCHAR NOT NULL,     -- Person.key(field), or the lower-cased email for verify
    siren       VARCHAR,              -- whose question it was (erasure by SIREN)
    email       VARCHAR,              -- the email found or verified (erasure by email)
    value       VARCHAR,              -- NULL on a miss
    status      VARCHAR NOT NULL,     -- valid | risky | invalid | unknown
    confidence  DOUBLE,
    raw_status  VARCHAR,              -- the provider's own word
    extra       JSON,
    credits     DOUBLE NOT NULL,      -- what the original call cost
    fetched_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,   -- hits live longer than misses
    PRIMARY KEY (provider, field, input_key)
);

CREATE TABLE IF NOT EXISTS waterfall.provenance (
    run_id      VARCHAR NOT NULL,
    icp         VARCHAR,
    siren       VARCHAR,
    field       VARCHAR NOT NULL,
    provider    VARCHAR NOT NULL,
    value       VARCHAR,
    email       VARCHAR,
    status      VARCHAR,              -- NULL when the question failed (see reason)
    raw_status  VARCHAR,
    confidence  DOUBLE,
    credits     DOUBLE NOT NULL,      -- spent by this run (0 when answered from the cache)
    from_cache  BOOLEAN NOT NULL,
    reason      VARCHAR,              -- why it failed or was discarded; NULL for a plain answer
    asked_at    TIMESTAMP NOT NULL    -- when the provider answered (fetched_at for cached answers)
);

CREATE TABLE IF NOT EXISTS waterfall.runs (
    run_id              VARCHAR NOT NULL,
    icp                 VARCHAR,
    started_at          TIMESTAMP NOT NULL,
    finished_at         TIMESTAMP NOT NULL,
    leads               BIGINT NOT NULL,
    blocked             BIGINT NOT NULL,
    credits_by_provider JSON,
    calls_by_provider   JSON,
    hits_by_provider    JSON
);

-- Added after the first release (ADD COLUMN IF NOT EXISTS keeps older warehouses working):
-- status: complete | interrupted (a killed run, recorded from its answer journal at the next start);
-- breakers: provider -> {reason, calls_after_open} for every circuit that opened during the run;
-- kept_by_field: field -> leads whose earlier value was kept because this run's re-check failed.
ALTER TABLE waterfall.runs ADD COLUMN IF NOT EXISTS status VARCHAR DEFAULT 'complete';
ALTER TABLE waterfall.runs ADD COLUMN IF NOT EXISTS breakers JSON;
ALTER TABLE waterfall.runs ADD COLUMN IF NOT EXISTS kept_by_field JSON;
ALTER TABLE waterfall.runs ADD COLUMN IF NOT EXISTS failed_questions BIGINT DEFAULT 0;
-- latency_ms: a live answer's time to answer, in ms (firmo waterfall stats); NULL for older rows
ALTER TABLE waterfall.provenance ADD COLUMN IF NOT EXISTS latency_ms DOUBLE;
