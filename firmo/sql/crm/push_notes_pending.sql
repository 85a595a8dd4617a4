-- The notes a push was about to send when it stopped (the outbox): whether the CRM has them is unknown.
SELECT siren, body_hash, account_crm_id FROM exports.crm_notes WHERE crm = $crm AND note_id = '';
