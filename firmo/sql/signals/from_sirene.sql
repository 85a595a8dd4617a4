-- Intent signals the SIRENE stock reveals. Columns as core.signals. Parameters: $as_of (DATE),
-- $since (DATE, the start of the look-back window).
-- * new_establishment: an establishment opened after the unit's own creation month (the
--   founding establishment is the creation, not an expansion).
-- * recent_creation / company_closed: the unit's own dates.
-- * headcount_up / headcount_down, head_office_transfer: changes between two monthly loads
--   (core.sirene_changes); the first load has none to compare.
SELECT e.siren, 'new_establishment' AS signal_type, e.dateCreationEtablissement AS signal_date,
       1.0 AS strength, 'positive' AS polarity, 'new establishment' AS label,
       'SIRENE: establishment ' || e.siret || ' opened on ' || strftime(e.dateCreationEtablissement, '%Y-%m-%d')
           || coalesce(' in ' || e.libelleCommuneEtablissement, '') AS evidence,
       'sirene' AS source, e.siret AS source_ref
FROM sirene.etablissements e
JOIN sirene.unites_legales u USING (siren)
WHERE e.dateCreationEtablissement BETWEEN $since AND $as_of
  AND e.dateCreationEtablissement > coalesce(u.dateCreationUniteLegale, DATE '1900-01-01') + INTERVAL 31 DAY
  AND e.etatAdministratifEtablissement = 'A'

UNION ALL
SELECT siren, 'recent_creation', dateCreationUniteLegale, 1.0, 'positive', 'company created',
       'SIRENE: unit created on ' || strftime(dateCreationUniteLegale, '%Y-%m-%d'), 'sirene', siren
FROM sirene.unites_legales
WHERE dateCreationUniteLegale BETWEEN $since AND $as_of AND etatAdministratifUniteLegale = 'A'

UNION ALL
SELECT siren, 'company_closed', dateDebut, 1.0, 'negative', 'company closed',
       'SIRENE: unit ceased (état C) on ' || strftime(dateDebut, '%Y-%m-%d'), 'sirene', siren
FROM sirene.unites_legales
WHERE etatAdministratifUniteLegale = 'C' AND dateDebut BETWEEN $since AND $as_of

UNION ALL
SELECT c.siren,
       CASE WHEN a.min_employees > b.min_employees THEN 'headcount_up' ELSE 'headcount_down' END,
       CAST(coalesce(c.processed_after, c.observed_at) AS DATE),
       least(1.0, abs(a.rank - b.rank) / 3.0),
       CASE WHEN a.min_employees > b.min_employees THEN 'positive' ELSE 'negative' END,
       CASE WHEN a.min_employees > b.min_employees THEN 'hiring' ELSE 'headcount down' END,
       'SIRENE: headcount band ' || b.label || ' -> ' || a.label, 'sirene', c.siren || ':' || c.value_after
FROM core.sirene_changes c
JOIN (SELECT *, row_number() OVER (ORDER BY min_employees, coalesce(max_employees, 1e9)) AS rank FROM ref.headcount_bands) b
  ON b.code = c.value_before
JOIN (SELECT *, row_number() OVER (ORDER BY min_employees, coalesce(max_employees, 1e9)) AS rank FROM ref.headcount_bands) a
  ON a.code = c.value_after
WHERE c.change_type = 'headcount_band' AND a.min_employees <> b.min_employees
  AND CAST(coalesce(c.processed_after, c.observed_at) AS DATE) BETWEEN $since AND $as_of

UNION ALL
SELECT siren, 'head_office_transfer', CAST(coalesce(processed_after, observed_at) AS DATE), 1.0, 'positive',
       'head office moved', 'SIRENE: head office NIC ' || value_before || ' -> ' || value_after, 'sirene',
       siren || value_after
FROM core.sirene_changes
WHERE change_type = 'head_office' AND CAST(coalesce(processed_after, observed_at) AS DATE) BETWEEN $since AND $as_of
