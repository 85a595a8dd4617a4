-- The `deal:<id>` account rows CRM $crm already holds (firmo/crm/readback_pipedrive.py): a deal
-- that held or tagged an account is stored again when it changes, so the hold or the tag ends with it.
SELECT crm_id FROM exports.crm_accounts WHERE crm = $crm AND starts_with(crm_id, 'deal:')
