-- One note of a push (HubSpot): pending (note_id '') just before the call, its id right after.
INSERT OR REPLACE INTO exports.crm_notes (crm, siren, body_hash, account_crm_id, note_id, created_at)
VALUES ($crm, $siren, $body_hash, $account_crm_id, $note_id, $created_at);
