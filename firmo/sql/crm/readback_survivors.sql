-- The survivor of each deleted account of CRM $crm: the live account of the same kind (a
-- Pipedrive `lead:` / `deal:` row, a Salesforce Lead `00Q` or Account `001`) that carries the same
-- SIREN in its own field. A merge keeps one record and deletes the others; none of the three CRMs
-- documents a feed of merges in crm_sync.md, so the SIREN field the survivor holds is the link.
-- NULL: no live record holds that SIREN (a plain deletion). Recomputed at every pull (a survivor
-- may get the SIREN after the merge).
UPDATE exports.crm_accounts a SET merged_into = (
    SELECT min(b.crm_id) FROM exports.crm_accounts b
    WHERE b.crm = a.crm AND b.siren = a.siren AND b.match_method = 'siren' AND b.deleted_at IS NULL
      AND b.crm_id <> a.crm_id
      AND CASE WHEN contains(b.crm_id, ':') THEN split_part(b.crm_id, ':', 1)
               WHEN b.crm = 'salesforce' THEN left(b.crm_id, 3) ELSE '' END
        = CASE WHEN contains(a.crm_id, ':') THEN split_part(a.crm_id, ':', 1)
               WHEN a.crm = 'salesforce' THEN left(a.crm_id, 3) ELSE '' END
)
WHERE a.crm = $crm AND a.deleted_at IS NOT NULL AND a.match_method = 'siren';
