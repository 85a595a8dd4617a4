-- One pull's rows (registered frames `__crm_*_rows`), upserted; deal counts are recomputed after
-- (readback_recount), so an account row starts at 0. Runs inside the caller's transaction.
INSERT OR REPLACE INTO exports.crm_deals BY NAME
SELECT crm, crm_id, account_crm_id, stage, outcome, modified_at, pulled_at FROM __crm_deal_rows;
-- A record read live is not deleted (restored from the recycle bin: readback_deleted marks it
-- again if the CRM still lists it gone); its owner's name is set again from this pull's owners
-- (readback_owner_names): INSERT OR REPLACE keeps the columns it does not name, so they are named.
INSERT OR REPLACE INTO exports.crm_accounts BY NAME
SELECT *, 0 AS open_deals, 0 AS won, 0 AS lost,
       CAST(NULL AS VARCHAR) AS owner_name, CAST(NULL AS VARCHAR) AS owner_email,
       CAST(NULL AS TIMESTAMP) AS deleted_at, CAST(NULL AS VARCHAR) AS merged_into
FROM __crm_account_rows;
INSERT OR REPLACE INTO exports.crm_contacts BY NAME
SELECT *, CAST(NULL AS VARCHAR) AS siren, CAST(NULL AS TIMESTAMP) AS deleted_at FROM __crm_contact_rows;
INSERT OR REPLACE INTO exports.crm_cursors BY NAME
SELECT crm, object_type, modified_ms, pulled_at FROM __crm_cursor_rows;
