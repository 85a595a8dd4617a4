-- The notes a CRM accepted: (siren, body hash) -> the company they are on.
SELECT siren, body_hash, account_crm_id FROM exports.crm_notes WHERE crm = $crm AND note_id <> '';
