-- Signals dated in [$since, $as_of] of the leads of one ICP ({{leads}}) or of a watched account,
-- with the company's name when the account is not a lead (core.companies, {{companies}}).
-- $scoped: only the SIRENs in $sirens (a poll's).
SELECT g.siren, g.signal_type, g.signal_date, g.strength, g.polarity, g.label, g.evidence, g.source, g.source_ref,
       w.siren IS NOT NULL AS watched, l.siren IS NOT NULL AS is_lead, c.name AS registry_name
FROM core.signals g
LEFT JOIN {{leads}} l ON l.siren = g.siren
LEFT JOIN alerts.watchlist w ON w.siren = g.siren
LEFT JOIN {{companies}} c ON c.siren = g.siren
WHERE g.signal_date BETWEEN $since AND $as_of AND (l.siren IS NOT NULL OR w.siren IS NOT NULL)
  AND (NOT $scoped OR g.siren IN (SELECT unnest(CAST($sirens AS VARCHAR[]))))
ORDER BY g.siren, g.signal_date, g.signal_type, g.source_ref
