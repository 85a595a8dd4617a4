-- A new employer's SIREN by its web domain, from the domains the waterfall found (waterfall.cache,
-- field 'domain'): the SIREN the most answers agree on.
SELECT siren FROM waterfall.cache
WHERE field = 'domain' AND lower(value) = $domain AND siren IS NOT NULL
GROUP BY siren ORDER BY count(*) DESC, siren LIMIT 1
