-- Remembered custom field keys of one CRM and entity: field_name -> field_key.
SELECT field_name, field_key FROM exports.crm_fields WHERE crm = $crm AND entity = $entity AND field_key <> '';
