-- inpi.officers: one row per director (pouvoir) of the latest RNE payload of each SIREN.
-- Registry-sourced but reshaped, hence snake_case English names. No birth date/month/place and
-- no nationality on purpose: the product does not need them.
CREATE TABLE {{table}} (
    siren                 VARCHAR NOT NULL,  -- company the officer runs (valid Luhn)
    officer_kind          VARCHAR NOT NULL,  -- 'person' | 'company'
    family_name           VARCHAR,           -- person: descriptionPersonne.nom
    given_names           VARCHAR,           -- person: prenoms joined by spaces
    company_officer_siren VARCHAR,           -- company officer: entreprise.siren
    company_officer_name  VARCHAR,           -- company officer: entreprise.denomination
    role_code             VARCHAR,           -- RNE roleEntreprise code ('73', '30', '99' ...): the
                                             -- highest-ranked of role_codes (sources/inpi/roles.py)
    role_codes            VARCHAR[],         -- every role the pouvoir holds, role_code first
    role_label            VARCHAR,           -- label(s) of the code(s); autreRoleEntreprise for 99
    start_date            DATE,              -- dateDebut / dateEffetRoleDeclarant / dateEffet
    active                BOOLEAN NOT NULL,  -- pouvoir.actif, else no past dateFin
    representant_id       VARCHAR,           -- RNE pouvoir id (uuid in 2024+ payloads)
    updated_at            TIMESTAMP,         -- payload updatedAt, UTC
    source_file           VARCHAR NOT NULL,
    -- a legal-person officer (typeDePersonne ENTREPRISE), for the look-through of holdings
    -- (firmo/lookthrough.py): company_officer_siren above is a valid SIREN or NULL (foreign)
    company_officer_country    VARCHAR,      -- entreprise.pays, else adresseEntreprise.pays
    representative_family_name VARCHAR,      -- its permanent representative, when named:
    representative_given_names VARCHAR       -- pouvoir.representant.descriptionPersonne nom / prenoms
)
