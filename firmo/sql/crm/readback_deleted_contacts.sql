-- The contacts of CRM $crm listed deleted (`__crm_gone_rows`, kind 'contact'): see
-- readback_deleted_accounts.sql.
UPDATE exports.crm_contacts c SET deleted_at = g.deleted_at
FROM __crm_gone_rows g
WHERE c.crm = $crm AND g.kind = 'contact' AND c.crm_id = g.crm_id
  AND (c.modified_at IS NULL OR g.deleted_at IS NULL OR c.modified_at <= g.deleted_at);
