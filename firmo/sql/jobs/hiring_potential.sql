-- core.hiring_potential: La Bonne Boîte's hiring potential by SIRET (exact: LBB gives the SIRET).
CREATE TABLE {{target}} AS
SELECT siret, left(siret, 9) AS siren, rome AS rome_code, hiring_potential, is_high_potential, observed_date
FROM {{lbb}}
ORDER BY siret, rome_code
