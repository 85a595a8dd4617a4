-- Checksums of French company identifiers, as DuckDB macros.
-- SIREN: 9 digits, Luhn. SIRET: 14 digits, Luhn, except La Poste's establishments (SIREN 356000000),
-- whose SIRET digits must sum to a multiple of 5 (the head office 35600000000048 is plain Luhn).
-- As in python-stdnum, a SIRET is valid only if its first 9 digits are a valid SIREN.
-- The digits are taken arithmetically from the number (n // 10^k % 10): on 5M rows that is four
-- times faster than slicing the string character by character, and it is what keeps ingestion
-- near DuckDB's bare read. tests/sirene/test_checksums.py checks these macros against
-- python-stdnum on random numbers.

CREATE OR REPLACE MACRO firmo_luhn_int9(n) AS (
      (n % 10)
      + (2 * (n // 10 % 10) - 9 * ((n // 10 % 10) // 5))
      + (n // 100 % 10)
      + (2 * (n // 1000 % 10) - 9 * ((n // 1000 % 10) // 5))
      + (n // 10000 % 10)
      + (2 * (n // 100000 % 10) - 9 * ((n // 100000 % 10) // 5))
      + (n // 1000000 % 10)
      + (2 * (n // 10000000 % 10) - 9 * ((n // 10000000 % 10) // 5))
      + (n // 100000000 % 10)
    ) % 10 = 0;

CREATE OR REPLACE MACRO firmo_luhn_int14(n) AS (
      (n % 10)
      + (2 * (n // 10 % 10) - 9 * ((n // 10 % 10) // 5))
      + (n // 100 % 10)
      + (2 * (n // 1000 % 10) - 9 * ((n // 1000 % 10) // 5))
      + (n // 10000 % 10)
      + (2 * (n // 100000 % 10) - 9 * ((n // 100000 % 10) // 5))
      + (n // 1000000 % 10)
      + (2 * (n // 10000000 % 10) - 9 * ((n // 10000000 % 10) // 5))
      + (n // 100000000 % 10)
      + (2 * (n // 1000000000 % 10) - 9 * ((n // 1000000000 % 10) // 5))
      + (n // 10000000000 % 10)
      + (2 * (n // 100000000000 % 10) - 9 * ((n // 100000000000 % 10) // 5))
      + (n // 1000000000000 % 10)
      + (2 * (n // 10000000000000 % 10) - 9 * ((n // 10000000000000 % 10) // 5))
    ) % 10 = 0;

CREATE OR REPLACE MACRO firmo_digit_sum_int14(n) AS
    (n % 10) + (n // 10 % 10) + (n // 100 % 10) + (n // 1000 % 10) + (n // 10000 % 10) + (n // 100000 % 10) + (n // 1000000 % 10) + (n // 10000000 % 10) + (n // 100000000 % 10) + (n // 1000000000 % 10) + (n // 10000000000 % 10) + (n // 100000000000 % 10) + (n // 1000000000000 % 10) + (n // 10000000000000 % 10);

CREATE OR REPLACE MACRO firmo_siren_int_ok(n) AS firmo_luhn_int9(n);

CREATE OR REPLACE MACRO firmo_siret_int_ok(n) AS
    (CASE WHEN n // 100000 = 356000000 AND n <> 35600000000048
          THEN firmo_digit_sum_int14(n) % 5 = 0
          ELSE firmo_luhn_int14(n) END)
    AND firmo_luhn_int9(n // 100000);

CREATE OR REPLACE MACRO firmo_siren_ok(s) AS
    s IS NOT NULL AND regexp_full_match(s, '[0-9]{9}') AND firmo_siren_int_ok(CAST(s AS UBIGINT));

CREATE OR REPLACE MACRO firmo_siret_ok(s) AS
    s IS NOT NULL AND regexp_full_match(s, '[0-9]{14}') AND firmo_siret_int_ok(CAST(s AS UBIGINT));

-- Département of an INSEE commune code (sirene.md §5): 3 characters overseas (97x, 98x), else 2
-- (Corsica gives 2A / 2B). Never derived from the postal code, which is masked for P units.
CREATE OR REPLACE MACRO firmo_departement(code_commune) AS
    CASE WHEN code_commune IS NULL OR code_commune = '[ND]' OR length(code_commune) <> 5 THEN NULL
         WHEN code_commune[1:2] IN ('97', '98') THEN code_commune[1:3]
         ELSE code_commune[1:2] END;
