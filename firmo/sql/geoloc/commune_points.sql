-- core.commune_points: a reference point per commune for the `near` criterion (firmo.geo.commune_point),
-- since the COG reference tables carry no coordinates: the median latitude and longitude of the
-- commune's geolocated establishments (qualite_xy 33 included: those are spread at random inside the
-- commune, which only helps a centre). Paris, Lyon and Marseille also get a row under their commune
-- code (75056, 69123, 13055) from all their arrondissements.
CREATE TABLE {{target}} AS
WITH located AS (
    SELECT commune_code, latitude, longitude FROM {{locations}}
    WHERE latitude IS NOT NULL AND commune_code IS NOT NULL
),
by_code AS (
    SELECT commune_code, latitude, longitude FROM located
    UNION ALL
    SELECT c.commune_parente AS commune_code, l.latitude, l.longitude
    FROM located l
    JOIN ref.communes c ON c.code_insee = l.commune_code AND c.type = 'arrondissement-municipal'
)
SELECT commune_code, median(latitude) AS latitude, median(longitude) AS longitude, count(*) AS establishments
FROM by_code
GROUP BY commune_code
ORDER BY commune_code
