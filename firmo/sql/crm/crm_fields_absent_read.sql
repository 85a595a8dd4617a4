-- Optional custom fields one CRM and entity lacked when last looked for (field_key ''): field_name -> when.
SELECT field_name, created_at FROM exports.crm_fields WHERE crm = $crm AND entity = $entity AND field_key = '';
