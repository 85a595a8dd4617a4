-- The (département, ROME code) searches of a La Bonne Boîte poll: where the loaded job offers are
-- most numerous. Parameters: $romes, $deps (empty list = any), $limit.
WITH offers AS (
    SELECT CASE WHEN left(lieuTravail_commune, 2) IN ('97', '98') THEN left(lieuTravail_commune, 3)
                ELSE left(lieuTravail_commune, 2) END AS departement,
           romeCode AS rome
    FROM jobs.offres
    WHERE lieuTravail_commune IS NOT NULL AND romeCode IS NOT NULL
)
SELECT departement, rome
FROM offers
WHERE (len($romes::VARCHAR[]) = 0 OR list_contains($romes::VARCHAR[], rome))
  AND (len($deps::VARCHAR[]) = 0 OR list_contains($deps::VARCHAR[], departement))
GROUP BY ALL
ORDER BY count(*) DESC, departement, rome
LIMIT $limit
