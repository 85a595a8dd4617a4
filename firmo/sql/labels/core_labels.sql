-- core.labels: the union of the parts (firmo/sql/labels/core_<source>.sql) for the tables the loader
-- found (inserted below); one row per distinct fact, ordered by company.
CREATE TABLE {{target}} AS
SELECT DISTINCT
    CAST(siren AS VARCHAR) AS siren,
    CAST(siret AS VARCHAR) AS siret,
    CAST(label AS VARCHAR) AS label,
    CAST(detail AS VARCHAR) AS detail,
    CAST(valid_from AS DATE) AS valid_from,
    CAST(valid_to AS DATE) AS valid_to,
    CAST(source AS VARCHAR) AS source
FROM (
{{parts}}
) AS parts
WHERE siren IS NOT NULL
ORDER BY siren, label, source, siret, detail, valid_from
