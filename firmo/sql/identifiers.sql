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
