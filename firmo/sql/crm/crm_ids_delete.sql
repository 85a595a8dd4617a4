-- Forget one remembered CRM id (the CRM answered 404/410 for it: deleted or merged away by sales).
DELETE FROM exports.crm_ids WHERE crm = $crm AND entity = $entity AND firmo_key = $firmo_key;
