-- core.establishment_locations (issue 15 contract): one row per SIRET of the geolocation file.
-- {{geoloc}}: the staged raw table with its __lat / __lon; {{etablissements}}: sirene.etablissements,
-- or an empty stand-in with its two columns when SIRENE is not loaded (active and the fallback
-- commune are then NULL). An establishment absent from the geolocation file has no row here.
-- - latitude / longitude: INSEE's WGS84 y_latitude / x_longitude (NULL when masked `[ND]`);
-- - precise: coordinates present and qualite_xy not 33 (33 = "placed at random in the commune",
--   which search-infra drops on the producer's advice, open_data.md §8.1);
-- - commune_code: plg_code_commune (the commune the point falls in), else the SIRENE establishment's;
-- - epci_siren: the EPCI of that commune in ref.communes (COG 2026): a commune or arrondissement
--   municipal carries it, a commune déléguée / associée takes its parent's, a former code its
--   current commune's;
-- - stored ORDER BY grid_cell (then siret) so the zonemaps of a run of cells prune row groups.
CREATE TABLE {{target}} AS
WITH commune_epci AS (
    SELECT code, epci_siren
    FROM (
        SELECT c.code_insee AS code, coalesce(c.epci_siren, p.epci_siren) AS epci_siren,
               CASE c.type WHEN 'commune-actuelle' THEN 1 WHEN 'arrondissement-municipal' THEN 2 ELSE 3 END AS rank
        FROM ref.communes c
        LEFT JOIN ref.communes p ON p.code_insee = c.commune_parente AND p.type = 'commune-actuelle'
        UNION ALL
        SELECT unnest(string_split(c.anciens_codes, '|')) AS code, c.epci_siren, 4 AS rank
        FROM ref.communes c
        WHERE c.type = 'commune-actuelle' AND c.anciens_codes IS NOT NULL AND c.anciens_codes <> ''
    )
    QUALIFY row_number() OVER (PARTITION BY code ORDER BY rank, epci_siren NULLS LAST) = 1
),
located AS (
    SELECT
        g.siret,
        left(g.siret, 9) AS siren,
        g.__lat AS latitude,
        g.__lon AS longitude,
        firmo_geoloc_value(g.qualite_xy) AS geocode_quality,
        (g.__lat IS NOT NULL AND coalesce(firmo_geoloc_value(g.qualite_xy), '') <> '33') AS precise,
        firmo_geoloc_number(g.distance_precision) AS precision_m,
        coalesce(firmo_geoloc_value(g.plg_code_commune), e.codeCommuneEtablissement) AS commune_code,
        e.etatAdministratifEtablissement = 'A' AS active,
        firmo_grid_cell(g.__lat, g.__lon) AS grid_cell
    FROM {{geoloc}} g
    LEFT JOIN {{etablissements}} e ON e.siret = g.siret
)
SELECT
    l.siret, l.siren, l.latitude, l.longitude, l.geocode_quality, l.precise, l.precision_m,
    l.commune_code, ce.epci_siren, l.active, l.grid_cell
FROM located l
LEFT JOIN commune_epci ce ON ce.code = l.commune_code
ORDER BY l.grid_cell NULLS LAST, l.siret
