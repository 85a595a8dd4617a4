-- The next jobs.offres: the live offers not in this load, plus the load's offers (for an id
-- seen twice, its latest dateActualisation). Identifiers: {{live}}, {{incoming}}, {{target}}.
CREATE TABLE {{target}} AS
SELECT * FROM {{live}} WHERE id NOT IN (SELECT id FROM {{incoming}})
UNION ALL
(SELECT * FROM {{incoming}}
 QUALIFY row_number() OVER (PARTITION BY id ORDER BY dateActualisation DESC NULLS LAST, dateCreation DESC) = 1)
