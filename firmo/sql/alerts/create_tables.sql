-- The alerting tables (firmo/alerts): watchlist, what each ICP's leads looked like at the last
-- evaluation, every event seen (alerted or not, with why), and the outbox of deliveries. Idempotent.
CREATE SCHEMA IF NOT EXISTS alerts;

-- Accounts watched by hand (`firmo watch add`, source 'manual' or 'file') or read back from a CRM
-- (source 'crm:<crm>'); a watched unit alerts on any signal, even when the export would refuse it.
CREATE TABLE IF NOT EXISTS alerts.watchlist (
    siren     VARCHAR   NOT NULL PRIMARY KEY,
    source    VARCHAR   NOT NULL,
    added_at  TIMESTAMP NOT NULL
);

-- Score and tier of each lead of an ICP at its last evaluation: what "enters tier" and "score
-- rises" compare with. No row for an ICP: its first evaluation sets the baseline and sends nothing.
CREATE TABLE IF NOT EXISTS alerts.lead_state (
    icp        VARCHAR   NOT NULL,
    siren      VARCHAR   NOT NULL,
    score      DOUBLE,
    tier       VARCHAR,
    tier_since DATE,                 -- the day the lead reached this tier (the digest's new hot leads)
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (icp, siren)
);

-- Every event a rule matched, once: key = icp/rule/siren/event_key. outcome: 'alerted' (rows in
-- the outbox), 'baseline' (seen at an ICP's first evaluation), or 'refused: <why>' (the screening).
CREATE TABLE IF NOT EXISTS alerts.events (
    key        VARCHAR   NOT NULL PRIMARY KEY,
    icp        VARCHAR   NOT NULL,
    rule       VARCHAR   NOT NULL,
    siren      VARCHAR,
    event_key  VARCHAR   NOT NULL,
    outcome    VARCHAR   NOT NULL,
    seen_at    TIMESTAMP NOT NULL
);

-- One row per alert and channel, written before anything is sent. state: pending -> sending ->
-- sent | failed (retried) | undelivered (after FIRMO_ALERT_MAX_ATTEMPTS attempts, or a send
-- interrupted on a channel that cannot deduplicate; kept, never dropped).
CREATE TABLE IF NOT EXISTS alerts.outbox (
    key         VARCHAR   NOT NULL,
    channel     VARCHAR   NOT NULL,
    icp         VARCHAR   NOT NULL,
    rule        VARCHAR   NOT NULL,
    siren       VARCHAR,
    payload     JSON      NOT NULL,
    state       VARCHAR   NOT NULL,
    attempts    INTEGER   NOT NULL,
    last_error  VARCHAR,
    created_at  TIMESTAMP NOT NULL,
    sent_at     TIMESTAMP,
    PRIMARY KEY (key, channel)
);
