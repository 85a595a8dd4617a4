-- core.labels rows from labels.egapro: one per (SIREN, Année), the index valid for the year after
-- Année. A UES's index is given to each member SIREN of "Entreprises UES (SIREN)" too, its detail
-- naming the UES; a company publishing its own index for that year keeps its own.
WITH declared AS (
    SELECT
        "SIREN" AS siren,
        TRY_CAST("Année" AS INTEGER) AS year,
        CASE WHEN TRY_CAST("Note Index" AS INTEGER) IS NULL THEN 'NC'
             ELSE CAST(TRY_CAST("Note Index" AS INTEGER) AS VARCHAR) || '/100' END AS note,
        nullif(trim("Nom UES"), '') AS ues,
        "Entreprises UES (SIREN)" AS members
    FROM {{raw}}
    WHERE "SIREN" IS NOT NULL AND TRY_CAST("Année" AS INTEGER) IS NOT NULL
),
member_ids AS (
    SELECT firmo_id_digits(m) AS digits, d.year, d.note, d.ues, d.siren AS declarant
    FROM declared AS d, unnest(regexp_extract_all(d.members, '\(\s*([0-9][0-9 .]{4,14})\s*\)', 1)) AS t(m)
),
members AS (
    SELECT firmo_id_pad(digits, 9) AS siren,
           year, note, ues, declarant
    FROM member_ids
),
rows AS (
    SELECT siren, year, 'index ' || note || ' (' || year || ')' AS detail, 0 AS rank FROM declared
    UNION ALL
    SELECT siren, year, 'index ' || note || ' (' || year || '), '
               || CASE WHEN upper(ues) LIKE 'UES%' THEN ues ELSE 'UES ' || coalesce(ues, declarant) END, 1
    FROM members
    WHERE siren <> declarant AND coalesce(firmo_siren_ok(siren), false)
)
SELECT siren, CAST(NULL AS VARCHAR) AS siret, 'egapro' AS label, detail,
       make_date(year + 1, 1, 1) AS valid_from, make_date(year + 1, 12, 31) AS valid_to, 'egapro' AS source
FROM rows
QUALIFY row_number() OVER (PARTITION BY siren, year ORDER BY rank, detail) = 1
