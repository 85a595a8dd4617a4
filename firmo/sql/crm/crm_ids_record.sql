-- Remember (or refresh) the CRM id of one accepted record.
INSERT OR REPLACE INTO exports.crm_ids (crm, entity, firmo_key, siren, email, crm_id, updated_at)
VALUES ($crm, $entity, $firmo_key, $siren, $email, $crm_id, $updated_at);
