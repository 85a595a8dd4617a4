-- jobs_match_names when the SIRENE tables are not loaded yet: no candidate, every offer unmatched.
CREATE OR REPLACE TEMP TABLE jobs_match_names (
    siret VARCHAR, siren VARCHAR, commune_key VARCHAR, postal_code VARCHAR, est_naf VARCHAR,
    unit_naf VARCHAR, is_siege BOOLEAN, kind VARCHAR, norm VARCHAR
);
