-- Macros of the SIRENE loads. The SIREN/SIRET checksums are in identifiers.sql (firmo/identifiers.py).

-- Département of an INSEE commune code (sirene.md §5): 3 characters overseas (97x, 98x), else 2
-- (Corsica gives 2A / 2B). Never derived from the postal code, which is masked for P units.
CREATE OR REPLACE MACRO firmo_departement(code_commune) AS
    CASE WHEN code_commune IS NULL OR code_commune = '[ND]' OR length(code_commune) <> 5 THEN NULL
         WHEN code_commune[1:2] IN ('97', '98') THEN code_commune[1:3]
         ELSE code_commune[1:2] END;
