-- The near-real-time intake's bookkeeping (firmo/polls.py).
-- ops.poll_cursors: where each source's next poll starts, written in the transaction that applies
-- the rows it fetched, so a crash before the commit re-reads them and one after never does.
-- ops.poll_touched: the SIRENs each poll changed, per source, for the re-derivation
-- (firmo.icp.incremental.apply_poll) and the alert evaluation.
CREATE SCHEMA IF NOT EXISTS ops;
CREATE TABLE IF NOT EXISTS ops.poll_cursors (
    source     VARCHAR PRIMARY KEY,   -- 'rne', 'bodacc', 'sirene'
    cursor     VARCHAR NOT NULL,      -- JSON, the source's own shape (see each sources/<registry>/poll.py)
    poll_id    VARCHAR NOT NULL,      -- the poll that wrote it
    records    BIGINT NOT NULL,       -- records that poll applied
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE IF NOT EXISTS ops.poll_touched (
    poll_id     VARCHAR NOT NULL,
    siren       VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
