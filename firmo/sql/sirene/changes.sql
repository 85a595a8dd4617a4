-- Month-to-month changes the stock files do not state but a reload reveals: the headcount band
-- (the hiring signal) and the head office (a transfer). Compares the live table with the staging
-- one being published; appended to core.sirene_changes in the publishing transaction.
-- Identifiers: {{live}}, {{staging}}, {{target}}.
INSERT INTO {{target}}
SELECT n.siren, 'headcount_band' AS change_type,
       o.trancheEffectifsUniteLegale AS value_before, n.trancheEffectifsUniteLegale AS value_after,
       o.dateDernierTraitementUniteLegale AS processed_before, n.dateDernierTraitementUniteLegale AS processed_after,
       current_timestamp AS observed_at
FROM {{staging}} n JOIN {{live}} o USING (siren)
WHERE n.trancheEffectifsUniteLegale IS DISTINCT FROM o.trancheEffectifsUniteLegale
  AND n.trancheEffectifsUniteLegale IS NOT NULL AND o.trancheEffectifsUniteLegale IS NOT NULL
UNION ALL
SELECT n.siren, 'head_office', o.nicSiegeUniteLegale, n.nicSiegeUniteLegale,
       o.dateDernierTraitementUniteLegale, n.dateDernierTraitementUniteLegale, current_timestamp
FROM {{staging}} n JOIN {{live}} o USING (siren)
WHERE n.nicSiegeUniteLegale IS DISTINCT FROM o.nicSiegeUniteLegale
  AND n.nicSiegeUniteLegale IS NOT NULL AND o.nicSiegeUniteLegale IS NOT NULL
