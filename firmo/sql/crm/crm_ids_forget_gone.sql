-- The id map of an API push without upsert ($map_crm) after read-back $crm marked records
-- deleted (2/2, after crm_ids_to_survivors.sql): the ids still pointing at a deleted organisation
-- or person are forgotten, so the next push searches (or creates) instead of PATCHing a dead id.
DELETE FROM exports.crm_ids m
WHERE m.crm = $map_crm AND (
    (m.entity = 'organization' AND m.crm_id IN (
        SELECT crm_id FROM exports.crm_accounts WHERE crm = $crm AND deleted_at IS NOT NULL))
    OR (m.entity = 'person' AND m.crm_id IN (
        SELECT crm_id FROM exports.crm_contacts WHERE crm = $crm AND deleted_at IS NOT NULL)));
