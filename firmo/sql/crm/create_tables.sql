-- The CRM export layer's table (schema `exports`; the compliance tables are in compliance/create_tables).
-- Idempotent: run at every export.

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
