-- The compliance lists (schema `exports`), read by enrichment and export alike. Idempotent: run at
-- every compliance call.

-- Art. 21 opposition / erasure / bounces / vendor legal signals. Survives every purge and reload.
-- Minimal data (doc §5): emails and phones are stored only as sha256 of the normalised value.
CREATE TABLE IF NOT EXISTS exports.suppression (
    kind     VARCHAR   NOT NULL,   -- 'email' | 'phone' | 'domain' | 'siren'
    value    VARCHAR   NOT NULL,   -- siren/domain: normalised value; email/phone: sha256 hex of it
    reason   VARCHAR   NOT NULL,   -- e.g. 'opt-out', 'erasure request', 'hunter 451'
    source   VARCHAR,              -- who/what asked (file name, vendor, operator)
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, value)
);

-- Existing customers: never prospected as cold leads.
CREATE TABLE IF NOT EXISTS exports.customers (
    kind     VARCHAR   NOT NULL,   -- 'siren' | 'domain'
    value    VARCHAR   NOT NULL,   -- normalised SIREN or domain
    name     VARCHAR,
    source   VARCHAR,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, value)
);
