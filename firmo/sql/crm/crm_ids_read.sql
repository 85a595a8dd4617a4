-- Every remembered CRM id of one CRM: (entity, firmo_key) -> crm_id.
SELECT entity, firmo_key, crm_id FROM exports.crm_ids WHERE crm = $crm;
