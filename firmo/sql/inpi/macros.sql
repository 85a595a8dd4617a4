-- SIREN Luhn check for the INPI loaders: 9 digits, every second digit from the left doubled.
-- Written out rather than with a list lambda, which costs seconds on millions of rows.
CREATE OR REPLACE TEMP MACRO inpi_digit(s, i) AS ascii(substr(s, i, 1)) - 48;
CREATE OR REPLACE TEMP MACRO inpi_doubled(d) AS CASE WHEN d > 4 THEN d * 2 - 9 ELSE d * 2 END;
CREATE OR REPLACE TEMP MACRO inpi_siren_ok(s) AS
    regexp_full_match(s, '[0-9]{9}')
    AND (inpi_digit(s, 1) + inpi_doubled(inpi_digit(s, 2)) + inpi_digit(s, 3)
         + inpi_doubled(inpi_digit(s, 4)) + inpi_digit(s, 5) + inpi_doubled(inpi_digit(s, 6))
         + inpi_digit(s, 7) + inpi_doubled(inpi_digit(s, 8)) + inpi_digit(s, 9)) % 10 = 0;
