-- Accounts CRM $crm deleted, archived or merged away (registered frame `__crm_gone_rows`: kind
-- 'account' | 'contact', crm_id, deleted_at), marked on the read-back rows; the rows stay (a
-- customer stays a customer, a hold stays a hold) but nothing targets their dead ids any more.
-- Runs inside the caller's transaction, after the upsert: a record read live again (restored)
-- was re-inserted without the mark, and is only marked again if it is listed gone again.
UPDATE exports.crm_accounts a SET deleted_at = g.deleted_at
FROM __crm_gone_rows g
WHERE a.crm = $crm AND g.kind = 'account' AND a.crm_id = g.crm_id
  AND (a.modified_at IS NULL OR g.deleted_at IS NULL OR a.modified_at <= g.deleted_at);
