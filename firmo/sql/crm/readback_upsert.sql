-- One pull's rows (registered frames `__crm_*_rows`), upserted; deal counts are recomputed after
-- (readback_recount), so an account row starts at 0. Runs inside the caller's transaction.
INSERT OR REPLACE INTO exports.crm_deals BY NAME
SELECT crm, crm_id, account_crm_id, stage, outcome, modified_at, pulled_at FROM __crm_deal_rows;
INSERT OR REPLACE INTO exports.crm_accounts BY NAME
SELECT *, 0 AS open_deals, 0 AS won, 0 AS lost FROM __crm_account_rows;
INSERT OR REPLACE INTO exports.crm_contacts BY NAME
SELECT *, CAST(NULL AS VARCHAR) AS siren FROM __crm_contact_rows;
INSERT OR REPLACE INTO exports.crm_cursors BY NAME
SELECT crm, object_type, modified_ms, pulled_at FROM __crm_cursor_rows;
