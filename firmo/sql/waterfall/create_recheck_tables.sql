-- Job-change re-checks (waterfall.recheck, doc §7). Created once, never rebuilt.
-- firmo.compliance.forget reaches both by their `siren` and `email` columns.

-- One row per re-check question asked: what it cost (the monthly budget is summed from here) and
-- when, so a person is asked again only `recheck_days` after their last check.
CREATE TABLE IF NOT EXISTS waterfall.rechecks (
    person_key  VARCHAR   NOT NULL,   -- siren|first|last (folded), or siren|email
    siren       VARCHAR,              -- the company we held them at
    email       VARCHAR,              -- the address we held
    provider    VARCHAR   NOT NULL,
    outcome     VARCHAR   NOT NULL,   -- no_change | left | promotion | may_have_left | unknown | failed: <reason>
    credits     DOUBLE    NOT NULL,
    asked_at    TIMESTAMP NOT NULL
);

-- One row per outcome, dated, with the vendor's evidence: the source of the job-change signals
-- (firmo/sql/signals/from_job_changes.sql).
CREATE TABLE IF NOT EXISTS waterfall.job_changes (
    kind          VARCHAR   NOT NULL, -- job_change_left | job_change_joined | promotion | may_have_left
    siren         VARCHAR,            -- the company the signal is about (NULL: new employer not matched)
    person_key    VARCHAR   NOT NULL,
    first_name    VARCHAR,
    last_name     VARCHAR,
    email         VARCHAR,            -- the address we held
    old_siren     VARCHAR,
    old_company   VARCHAR,
    old_title     VARCHAR,
    new_company   VARCHAR,
    new_domain    VARCHAR,
    new_title     VARCHAR,
    siren_match   VARCHAR,            -- joined: 'domain' | 'name_place' | NULL (not matched)
    relation      VARCHAR,            -- joined: 'customer' | 'open_deal' | NULL
    change_date   DATE      NOT NULL, -- when it happened (the vendor's date), else when we saw it
    observed_at   TIMESTAMP NOT NULL,
    provider      VARCHAR   NOT NULL,
    evidence      VARCHAR   NOT NULL,
    PRIMARY KEY (kind, person_key, change_date)
);
