-- What the CRMs hold (read back incrementally), CRM-independent: HubSpot feeds it today; a
-- Salesforce or Pipedrive reader writes the same rows with its own `crm` name. Idempotent.

-- One row per CRM account (HubSpot company, Salesforce Account, Pipedrive organization), with the
-- SIREN firmo matched it to (NULL when no match) and how.
CREATE TABLE IF NOT EXISTS exports.crm_accounts (
    crm              VARCHAR   NOT NULL,  -- 'hubspot' (later 'salesforce', 'pipedrive')
    crm_id           VARCHAR   NOT NULL,  -- the CRM's record id
    siren            VARCHAR,             -- matched SIREN (NULL: unmatched)
    match_method     VARCHAR,             -- 'siren' | 'domain' | 'name_postcode' (NULL: unmatched)
    match_confidence DOUBLE,              -- 1.0 siren, 0.9 domain, 0.8 / 0.7 name + postal code
    name             VARCHAR,
    domain           VARCHAR,
    postal_code      VARCHAR,
    owner            VARCHAR,             -- the CRM's owner id (HubSpot hubspot_owner_id): never pushed
    owner_name       VARCHAR,             -- that owner's name and email, from the CRM's users (firmo/crm/owners.py)
    owner_email      VARCHAR,
    lifecycle        VARCHAR,             -- HubSpot lifecyclestage
    lead_status      VARCHAR,             -- HubSpot hs_lead_status
    open_deals       INTEGER   NOT NULL,  -- deals associated with the account, by outcome
    won              INTEGER   NOT NULL,
    lost             INTEGER   NOT NULL,
    crm_validated    BOOLEAN   NOT NULL,  -- sales validated it (see firmo/crm/readback.py)
    disqualified_since TIMESTAMP,         -- first time read back disqualified (NULL: not disqualified)
    modified_at      TIMESTAMP,           -- the CRM's last-modified time
    pulled_at        TIMESTAMP NOT NULL,
    deleted_at       TIMESTAMP,           -- deleted / archived in the CRM (firmo/crm/deletions.py); NULL: live
    merged_into      VARCHAR,             -- a deleted account's survivor: the live one with its SIREN field
    PRIMARY KEY (crm, crm_id)
);
-- warehouses created before the owner names and the deletions were read
ALTER TABLE exports.crm_accounts ADD COLUMN IF NOT EXISTS owner_name VARCHAR;
ALTER TABLE exports.crm_accounts ADD COLUMN IF NOT EXISTS owner_email VARCHAR;
ALTER TABLE exports.crm_accounts ADD COLUMN IF NOT EXISTS deleted_at TIMESTAMP;
ALTER TABLE exports.crm_accounts ADD COLUMN IF NOT EXISTS merged_into VARCHAR;

-- One row per CRM contact / person / lead, by email (personal data: `forget` and retention reach it).
CREATE TABLE IF NOT EXISTS exports.crm_contacts (
    crm              VARCHAR   NOT NULL,
    crm_id           VARCHAR   NOT NULL,
    email            VARCHAR,             -- normalised (lower case)
    account_crm_id   VARCHAR,             -- the associated account (HubSpot: first associated company)
    siren            VARCHAR,             -- that account's matched SIREN
    owner            VARCHAR,
    lifecycle        VARCHAR,
    lead_status      VARCHAR,
    crm_validated    BOOLEAN   NOT NULL,
    disqualified_since TIMESTAMP,
    modified_at      TIMESTAMP,
    pulled_at        TIMESTAMP NOT NULL,
    deleted_at       TIMESTAMP,           -- deleted / archived in the CRM; NULL: live
    PRIMARY KEY (crm, crm_id)
);
ALTER TABLE exports.crm_contacts ADD COLUMN IF NOT EXISTS deleted_at TIMESTAMP;

-- Deals / opportunities, so an account's open / won / lost counts stay right when only some of its
-- deals changed since the last pull.
CREATE TABLE IF NOT EXISTS exports.crm_deals (
    crm              VARCHAR   NOT NULL,
    crm_id           VARCHAR   NOT NULL,
    account_crm_id   VARCHAR,             -- the associated account (first associated company)
    stage            VARCHAR,
    outcome          VARCHAR   NOT NULL,  -- 'open' | 'won' | 'lost'
    modified_at      TIMESTAMP,
    pulled_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (crm, crm_id)
);

-- The incremental read's cursor: the latest last-modified time read, per CRM and object.
CREATE TABLE IF NOT EXISTS exports.crm_cursors (
    crm              VARCHAR   NOT NULL,
    object_type      VARCHAR   NOT NULL,  -- 'companies' | 'contacts' | 'deals' (the CRM's names)
    modified_ms      BIGINT    NOT NULL,  -- epoch milliseconds (HubSpot filters on these)
    pulled_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (crm, object_type)
);

-- Leads sales validated in a CRM (the user's "hot"): accounts and contacts tagged crm_validated.
CREATE VIEW IF NOT EXISTS exports.crm_validated AS
SELECT crm, 'account' AS record, crm_id, siren, CAST(NULL AS VARCHAR) AS email, lifecycle, lead_status, modified_at
FROM exports.crm_accounts WHERE crm_validated
UNION ALL
SELECT crm, 'contact' AS record, crm_id, siren, email, lifecycle, lead_status, modified_at
FROM exports.crm_contacts WHERE crm_validated;

-- Notes firmo wrote on CRM accounts (score and reasons): one per account and body, so a push does
-- not write the same note twice (HubSpot notes have no unique property, crm_sync.md §1.6).
CREATE TABLE IF NOT EXISTS exports.crm_notes (
    crm              VARCHAR   NOT NULL,
    siren            VARCHAR   NOT NULL,
    body_hash        VARCHAR   NOT NULL,  -- sha256 of the note body (its marker holds the first 12 hex)
    account_crm_id   VARCHAR   NOT NULL,
    note_id          VARCHAR   NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (crm, siren, body_hash)
);

-- When each CRM's read-back last completed and its push last began (both the run's start): a
-- push without upsert (Pipedrive) skips its searches only when the read-back read the whole CRM
-- after the last push attempt began, and recently (firmo/crm/push_pipedrive.py).
CREATE TABLE IF NOT EXISTS exports.crm_sync_runs (
    crm        VARCHAR   NOT NULL,   -- the read-back's CRM name ('pipedrive')
    kind       VARCHAR   NOT NULL,   -- 'pull' (a read-back that completed) | 'push' (a push attempt)
    started_at TIMESTAMP NOT NULL,
    PRIMARY KEY (crm, kind)
);
