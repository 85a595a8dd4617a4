-- The id map of an API push without upsert ($map_crm, e.g. 'pipedrive_api') after read-back
-- $crm marked records deleted: an organisation merged away now maps to its survivor; one deleted
-- without survivor, and a deleted person, are forgotten, so the next push searches (or creates)
-- instead of PATCHing a dead id.
-- (1/2: the merged-away organisations to their survivor; crm_ids_forget_gone.sql forgets the rest)
UPDATE exports.crm_ids m SET crm_id = a.merged_into, updated_at = $now
FROM exports.crm_accounts a
WHERE m.crm = $map_crm AND m.entity = 'organization' AND a.crm = $crm AND a.crm_id = m.crm_id
  AND a.deleted_at IS NOT NULL AND a.merged_into IS NOT NULL;
