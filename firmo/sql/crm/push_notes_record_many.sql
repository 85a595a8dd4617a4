-- The notes of a push (HubSpot) in one statement, from the frame `__crm_push_notes`: pending
-- (note_id '') just before the batch create calls, their ids right after.
INSERT OR REPLACE INTO exports.crm_notes (crm, siren, body_hash, account_crm_id, note_id, created_at)
SELECT $crm, siren, body_hash, account_crm_id, note_id, $created_at FROM __crm_push_notes;
