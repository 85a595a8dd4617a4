-- The SIRET -> IDCC file (open_data.md §7.1), one physical line per row of {{lines}} (line 1 =
-- header), split by comma and read by the header's names: $mois, $siret, $idcc, $date_maj are the
-- 1-based positions of MOIS, SIRET, IDCC, DATE_MAJ. This step takes the fields out (double quotes
-- dropped: no value of this file holds one) and cleans them; check_siret_idcc.sql then gives each
-- row its __reason (NULL = kept), so one pass gives both the table and the quarantine.
-- * SIRET (open_data.md "Common conventions", the macros of identifiers.sql): a value in
--   scientific notation (1.23E+13, a spreadsheet's rounding) is dropped; every non-digit is removed;
--   11 to 13 digits are left-padded with zeros (at most 3 leading zeros are lost); only 14 digits
--   are kept, and they must pass the SIRET checksum (firmo_siret_reason, La Poste's rule included).
-- * IDCC is right-padded with spaces in the file ("2614  "): spaces removed, then 1 to 4 digits
--   left-padded to 4 ("16" and "0016" are the same agreement). 9999 (no agreement / undetermined)
--   is kept here; the derived tables drop it.
-- * MOIS is the DSN month YYYY-MM; DATE_MAJ is YYYY/MM/DD (slashes; dashes accepted), empty = NULL.
-- Speed (2M lines): split_part per field rather than a list per line, and the line's text is not
-- carried along (the quarantine takes it back from {{lines}} by line number for the few rejects).
CREATE TEMP TABLE {{target}} AS
SELECT
    line_number,
    n,
    mois_raw,
    siret_raw,
    idcc_raw,
    date_raw,
    siret,
    firmo_siret_number(siret) AS siret_n
FROM (
    SELECT
        *,
        firmo_id_pad(d, 14) AS siret
    FROM (
        SELECT
            *,
            firmo_id_digits(siret_raw) AS d
        FROM (
            SELECT
                line_number,
                length(l) - length(replace(l, ',', '')) + 1 AS n,
                nullif(trim(split_part(l, ',', $mois)), '') AS mois_raw,
                nullif(trim(split_part(l, ',', $siret)), '') AS siret_raw,
                nullif(replace(replace(split_part(l, ',', $idcc), ' ', ''), chr(9), ''), '') AS idcc_raw,
                nullif(trim(split_part(l, ',', $date_maj)), '') AS date_raw
            FROM (
                SELECT rowid + 1 AS line_number, replace(rtrim(line, chr(13)), '"', '') AS l
                FROM {{lines}}
                WHERE rowid > 0 AND line IS NOT NULL
            )
            WHERE trim(l) <> ''
        )
    )
)
