-- Each row of {{fields}} (parse_siret_idcc.sql) with its values as stored and __reason, NULL when
-- the row is kept; the first failing rule names it. $columns is the header's width. The checksum
-- macro takes the SIRET's number, stored by the previous step (a macro argument that is an
-- expression would be recomputed at each of its thirty uses).
CREATE TEMP TABLE {{target}} AS
SELECT
    line_number,
    mois_raw AS MOIS,
    siret AS SIRET,
    CASE WHEN regexp_full_match(idcc_raw, '[0-9]{1,4}') THEN lpad(idcc_raw, 4, '0') END AS IDCC,
    try_strptime(date_raw, ['%Y/%m/%d', '%Y-%m-%d'])::DATE AS DATE_MAJ,
    CASE
        WHEN n <> $columns THEN 'wrong column count: expected ' || $columns || ', found ' || n
        WHEN siret_raw IS NULL THEN 'SIRET missing'
        -- the Common conventions' reasons (identifiers.sql), then this file's own
        WHEN firmo_siret_reason(siret_raw, siret_n) IS NOT NULL THEN firmo_siret_reason(siret_raw, siret_n)
        WHEN idcc_raw IS NULL THEN 'IDCC missing'
        WHEN NOT regexp_full_match(idcc_raw, '[0-9]{1,4}') THEN 'IDCC not a number of 1 to 4 digits'
        WHEN mois_raw IS NULL OR NOT regexp_full_match(mois_raw, '[0-9]{4}-(0[1-9]|1[0-2])') THEN 'MOIS not YYYY-MM'
        WHEN date_raw IS NOT NULL AND try_strptime(date_raw, ['%Y/%m/%d', '%Y-%m-%d']) IS NULL
            THEN 'DATE_MAJ not YYYY/MM/DD'
    END AS __reason
FROM {{fields}}
