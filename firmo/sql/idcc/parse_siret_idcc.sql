-- The SIRET -> IDCC file (open_data.md §7.1), one physical line per row of {{lines}} (line 1 =
-- header), split by comma and read by the header's names: $mois, $siret, $idcc, $date_maj are the
-- 1-based positions of MOIS, SIRET, IDCC, DATE_MAJ; $columns the header's width. Every row gets its
-- cleaned values and __reason (NULL = kept), so one pass gives both the table and the quarantine.
-- * SIRET (open_data.md "Common conventions", search-infra clean_sirent_column): a value in
--   scientific notation (1.23E+13, a spreadsheet's rounding) is dropped; every non-digit is removed;
--   11 to 13 digits are left-padded with zeros (at most 3 leading zeros are lost); only 14 digits
--   are kept, and they must pass the SIRET checksum (firmo_siret_ok, La Poste's rule included).
-- * IDCC is right-padded with spaces in the file ("2614  "): spaces removed, then 1 to 4 digits
--   left-padded to 4 ("16" and "0016" are the same agreement). 9999 (no agreement / undetermined)
--   is kept here; the derived tables drop it.
-- * MOIS is the DSN month YYYY-MM; DATE_MAJ is YYYY/MM/DD (slashes; dashes accepted), empty = NULL.
CREATE TABLE {{target}} AS
WITH f AS (
    SELECT rowid + 1 AS line_number, line, string_split(rtrim(line, chr(13)), ',') AS parts
    FROM {{lines}}
    WHERE rowid > 0 AND line IS NOT NULL AND trim(rtrim(line, chr(13))) <> ''
),
v AS (
    SELECT
        line_number,
        line,
        len(parts) AS n,
        nullif(regexp_replace(trim(parts[$mois]), '^"(.*)"$', '\1'), '') AS mois_raw,
        nullif(regexp_replace(trim(parts[$siret]), '^"(.*)"$', '\1'), '') AS siret_raw,
        nullif(regexp_replace(regexp_replace(parts[$idcc], '^\s*"(.*)"\s*$', '\1'), '\s', '', 'g'), '') AS idcc_raw,
        nullif(regexp_replace(trim(parts[$date_maj]), '^"(.*)"$', '\1'), '') AS date_raw
    FROM f
),
c AS (
    SELECT
        *,
        regexp_replace(siret_raw, '[^0-9]', '', 'g') AS siret_digits,
        try_strptime(date_raw, ['%Y/%m/%d', '%Y-%m-%d'])::DATE AS date_maj
    FROM v
),
p AS (
    SELECT
        *,
        CASE WHEN length(siret_digits) BETWEEN 11 AND 13 THEN lpad(siret_digits, 14, '0') ELSE siret_digits END AS siret
    FROM c
)
SELECT
    line_number,
    line,
    mois_raw AS MOIS,
    siret AS SIRET,
    CASE WHEN regexp_full_match(idcc_raw, '[0-9]{1,4}') THEN lpad(idcc_raw, 4, '0') END AS IDCC,
    date_maj AS DATE_MAJ,
    CASE
        WHEN n <> $columns THEN 'wrong column count: expected ' || $columns || ', found ' || n
        WHEN siret_raw IS NULL THEN 'SIRET missing'
        WHEN regexp_full_match(siret_raw, '\s*[0-9]+([.,][0-9]+)?[eE][+-]?[0-9]+\s*') THEN 'SIRET in scientific notation'
        WHEN length(siret) <> 14 THEN 'SIRET not 14 digits once cleaned'
        WHEN NOT firmo_siret_ok(siret) THEN 'SIRET checksum fails'
        WHEN idcc_raw IS NULL THEN 'IDCC missing'
        WHEN NOT regexp_full_match(idcc_raw, '[0-9]{1,4}') THEN 'IDCC not a number of 1 to 4 digits'
        WHEN mois_raw IS NULL OR NOT regexp_full_match(mois_raw, '[0-9]{4}-(0[1-9]|1[0-2])') THEN 'MOIS not YYYY-MM'
        WHEN date_raw IS NOT NULL AND date_maj IS NULL THEN 'DATE_MAJ not YYYY/MM/DD'
    END AS __reason
FROM p
