-- Cleaning rules of the consolidated DECP (shared/docs/open_data.md §1.4), as temporary macros of
-- the loading connection (sources/decp/load.py creates them before normalise.sql), on the Common
-- conventions' macros of identifiers.sql (firmo_value, firmo_id_digits, firmo_id_pad).
-- "NC" is used as null in any text field (decp-processing clean.py); an empty string is null too.
CREATE OR REPLACE TEMP MACRO decp_text(x) AS firmo_value(x, 'NC');

CREATE OR REPLACE TEMP MACRO decp_bool(x) AS
    CASE WHEN lower(decp_text(x)) IN ('true', 't', '1', 'oui', 'yes', 'vrai') THEN true
         WHEN lower(decp_text(x)) IN ('false', 'f', '0', 'non', 'no', 'faux') THEN false END;

CREATE OR REPLACE TEMP MACRO decp_float(x) AS TRY_CAST(decp_text(x) AS DOUBLE);

-- integers may arrive as '12.0' (a Float column of the parquet read as text)
CREATE OR REPLACE TEMP MACRO decp_int(x) AS TRY_CAST(TRY_CAST(decp_text(x) AS DOUBLE) AS INTEGER);

-- every space removed: decp-processing strips them ('   33487372600239', 'ES B66484189')
CREATE OR REPLACE TEMP MACRO decp_nospace(x) AS nullif(regexp_replace(decp_text(x), '\s', '', 'g'), '');

-- A SIRET as text: punctuation and a trailing '.0' dropped; 11 to 13 digits are a SIRET that went
-- through an integer column and lost its leading zeros (no SIREN has more than 3): padded to 14.
-- A value holding letters (a scientific notation such as 1.23E+13, a foreign id) is kept as given
-- and never joined.
CREATE OR REPLACE TEMP MACRO decp_siret_digits(v) AS firmo_id_digits(regexp_replace(v, '\.0+$', ''));
CREATE OR REPLACE TEMP MACRO decp_siret(v) AS
    CASE WHEN v IS NULL THEN NULL
         WHEN regexp_matches(v, '[A-Za-z]') THEN v
         ELSE nullif(firmo_id_pad(decp_siret_digits(v), 14), '') END;

-- a date: ISO with or without a time or a timezone suffix ('2018-08-30+02:00'), or the spelled-out
-- form one source publishes ('September, 16 2021 00:00:00'), or dd/mm/yyyy
CREATE OR REPLACE TEMP MACRO decp_date(x) AS coalesce(
    TRY_CAST(nullif(regexp_extract(decp_text(x), '^(\d{4}-\d{2}-\d{2})', 1), '') AS DATE),
    CAST(try_strptime(decp_text(x), '%B, %d %Y %H:%M:%S') AS DATE),
    CAST(try_strptime(decp_text(x), '%d/%m/%Y') AS DATE));

-- a CPV code: the '-N' check digit dropped, right-padded with zeros to 8 digits (decp-processing)
CREATE OR REPLACE TEMP MACRO decp_cpv(x) AS
    CASE WHEN regexp_matches(regexp_replace(decp_nospace(x), '-[0-9]$', ''), '^[0-9]{2,8}$')
         THEN rpad(regexp_replace(decp_nospace(x), '-[0-9]$', ''), 8, '0') END;
