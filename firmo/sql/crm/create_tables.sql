-- Tables of the CRM export layer (schema `exports`). Idempotent: run at every export/compliance call.

-- What was exported, per CRM and ICP: one row per lead (latest export wins). A run exports a lead
-- again only when the hash of its CRM row changed. `email`/`siren` are kept as separate columns
-- so an erasure request (`forget`) and the retention purge can find the rows.
CREATE TABLE IF NOT EXISTS exports.ledger (
    crm          VARCHAR   NOT NULL,   -- 'hubspot' | 'salesforce' | 'pipedrive' | 'hubspot_api'
    icp          VARCHAR   NOT NULL,   -- ICP name the lead list was built for
    lead_key     VARCHAR   NOT NULL,   -- '<siren>|<email>' or '<siren>|name:<first last>' (lower case)
    siren        VARCHAR   NOT NULL,
    email        VARCHAR,              -- normalised email of the contact (NULL when none)
    content_hash VARCHAR   NOT NULL,   -- sha256 of the exported row (before CSV neutralisation)
    exported_at  TIMESTAMP NOT NULL,
    file         VARCHAR   NOT NULL,   -- file the row was written to (or 'api:hubspot')
    PRIMARY KEY (crm, icp, lead_key)
);

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
