-- The one SIREN/SIRET check of SQL, created by firmo.identifiers.create_macros (the Python side,
-- is_valid_siren / is_valid_siret, is the same rule: tests/test_identifiers.py runs both on one list).
-- SIREN: 9 digits, Luhn. SIRET: 14 digits, Luhn, except La Poste's establishments (SIREN 356000000),
-- whose SIRET digits must sum to a multiple of 5 (the head office 35600000000048 is plain Luhn).
-- As in python-stdnum, a SIRET is valid only if its first 9 digits are a valid SIREN.
-- The digits are taken arithmetically from the number (n // 10^k % 10): on 5M rows that is four
-- times faster than slicing the string character by character, and it is what keeps ingestion
-- near DuckDB's bare read (the *_int_ok macros take the number; firmo_siren_ok / firmo_siret_ok take
-- the text: FALSE for NULL, a wrong length or a non-digit). tests/sirene/test_checksums.py checks
-- them against python-stdnum on random numbers.

-- One Luhn shape: the pair of digits at p (kept) and 10p (doubled, minus 9 past 9); a SIREN sums
-- five pairs (the fifth's doubled digit is 0 below 10^9), a SIRET seven. The same expression as
-- written out digit by digit: the macros are inlined and p is a constant (cast, so that the
-- arithmetic stays UBIGINT: an INTEGER expression beside the UBIGINT would make it HUGEINT, 10x slower).
CREATE OR REPLACE MACRO firmo_luhn_pair(n, p) AS
    (n // CAST(p AS UBIGINT) % 10)
    + (2 * (n // CAST(10 * p AS UBIGINT) % 10) - 9 * ((n // CAST(10 * p AS UBIGINT) % 10) // 5));

CREATE OR REPLACE MACRO firmo_luhn_int9(n) AS (
      firmo_luhn_pair(n, 1) + firmo_luhn_pair(n, 100) + firmo_luhn_pair(n, 10000)
      + firmo_luhn_pair(n, 1000000) + (n // 100000000 % 10)
    ) % 10 = 0;

CREATE OR REPLACE MACRO firmo_luhn_int14(n) AS (
      firmo_luhn_pair(n, 1) + firmo_luhn_pair(n, 100) + firmo_luhn_pair(n, 10000)
      + firmo_luhn_pair(n, 1000000) + firmo_luhn_pair(n, 100000000)
      + firmo_luhn_pair(n, 10000000000) + firmo_luhn_pair(n, 1000000000000)
    ) % 10 = 0;

CREATE OR REPLACE MACRO firmo_digit_sum_int14(n) AS
    (n % 10) + (n // 10 % 10) + (n // 100 % 10) + (n // 1000 % 10) + (n // 10000 % 10) + (n // 100000 % 10) + (n // 1000000 % 10) + (n // 10000000 % 10) + (n // 100000000 % 10) + (n // 1000000000 % 10) + (n // 10000000000 % 10) + (n // 100000000000 % 10) + (n // 1000000000000 % 10) + (n // 10000000000000 % 10);

CREATE OR REPLACE MACRO firmo_siren_int_ok(n) AS firmo_luhn_int9(n);

CREATE OR REPLACE MACRO firmo_siret_int_ok(n) AS
    (CASE WHEN n // 100000 = 356000000 AND n <> 35600000000048
          THEN firmo_digit_sum_int14(n) % 5 = 0
          ELSE firmo_luhn_int14(n) END)
    AND firmo_luhn_int9(n // 100000);

-- TRY_CAST: DuckDB may evaluate both sides of an AND.
CREATE OR REPLACE MACRO firmo_siren_ok(s) AS
    coalesce(regexp_full_match(s, '[0-9]{9}') AND firmo_siren_int_ok(TRY_CAST(s AS UBIGINT)), false);

CREATE OR REPLACE MACRO firmo_siret_ok(s) AS
    coalesce(regexp_full_match(s, '[0-9]{14}') AND firmo_siret_int_ok(TRY_CAST(s AS UBIGINT)), false);

-- The cleaning of a published identifier, one rule for every open-data source (open_data.md "Common
-- conventions", search-infra clean_sirent_column; the Python side is firmo.identifiers
-- identifier_digits / clean_identifier, and tests/test_identifiers.py holds the two to one answer).

-- A published value that means "no value": NULL, empty, or the publisher's mask (`[ND]`, INSEE's
-- "non diffusé"; `NC`, the DECP's "non communiqué"); else the value trimmed.
CREATE OR REPLACE MACRO firmo_value(v, mask) AS
    CASE WHEN v IS NULL OR trim(v) IN ('', mask) THEN NULL ELSE trim(v) END;

-- A number a spreadsheet wrote in scientific notation (1.23E+13): its last digits are lost. contains()
-- first: the regular expression then runs only on the rare values holding an E.
CREATE OR REPLACE MACRO firmo_id_scientific(v) AS
    (contains(v, 'E') OR contains(v, 'e'))
    AND regexp_full_match(v, '\s*[0-9]+([.,][0-9]*)?\s*[eE]\s*[+-]?\s*[0-9]+\s*');

-- Every non-digit removed; a value already all digits (nearly all of them) skips the replacement.
CREATE OR REPLACE MACRO firmo_id_digits(v) AS
    CASE WHEN regexp_full_match(v, '[0-9]+') THEN v ELSE regexp_replace(v, '[^0-9]', '', 'g') END;

-- Up to 3 lost leading zeros restored ("No Siren has more than 3 leading zeros"): width - 3 to
-- width - 1 digits are left-padded to width, any other length is returned as is. Give it a column
-- (the digits computed once), not an expression: a macro argument is recomputed at each use.
CREATE OR REPLACE MACRO firmo_id_pad(d, width) AS
    CASE WHEN length(d) BETWEEN width - 3 AND width - 1 THEN lpad(d, width, '0') ELSE d END;

-- The number of a cleaned SIRET, NULL unless it is 14 digits: firmo_siret_reason's second argument,
-- stored once per row (the checksum macros use it some thirty times).
CREATE OR REPLACE MACRO firmo_siret_number(siret) AS
    CASE WHEN length(siret) = 14 THEN TRY_CAST(siret AS UBIGINT) END;

-- Why a published SIRET is removed, NULL when it is kept: `raw` as published, `n` the cleaned
-- SIRET's firmo_siret_number. A missing value is the caller's to name, before this.
CREATE OR REPLACE MACRO firmo_siret_reason(raw, n) AS
    CASE WHEN firmo_id_scientific(raw) THEN 'SIRET in scientific notation'
         WHEN n IS NULL THEN 'SIRET not 14 digits once cleaned'
         WHEN NOT firmo_siret_int_ok(n) THEN 'SIRET checksum fails' END;
