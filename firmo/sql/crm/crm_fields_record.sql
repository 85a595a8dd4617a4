-- Remember (or refresh) one custom field key.
INSERT OR REPLACE INTO exports.crm_fields (crm, entity, field_name, field_key, created_at)
VALUES ($crm, $entity, $field_name, $field_key, $created_at);
