-- The owners' names and emails (registered frame `__crm_owner_rows`: owner id, name, email, read
-- from the CRM's users) onto every account of CRM $crm that owner holds, the older rows included
-- (a user renamed is renamed everywhere). Runs inside the caller's transaction, after the upsert.
UPDATE exports.crm_accounts a SET owner_name = o.owner_name, owner_email = o.owner_email
FROM __crm_owner_rows o
WHERE a.crm = $crm AND a.owner = o.owner;
