-- Record (or refresh) the rows of a finished export; `__crm_ledger_rows` is a registered frame
-- with the ledger's columns. Runs inside the caller's transaction.
INSERT OR REPLACE INTO exports.ledger BY NAME
SELECT crm, icp, lead_key, siren, email, content_hash, exported_at, file
FROM __crm_ledger_rows;
