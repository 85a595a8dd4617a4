-- A new employer's SIREN by name and place: active units of core.companies whose head office is in
-- the city $city (upper case, accents kept as SIRENE writes them); the names are compared in Python.
SELECT siren, name FROM core.companies
WHERE active AND name IS NOT NULL AND upper(commune_name) = $city
