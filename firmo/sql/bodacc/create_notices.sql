-- bodacc.notices: one row per BODACC notice (Opendatasoft export or DILA XML), normalised.
-- `status`: 'active' for a notice in force; 'rectified' when a later rectificatif replaces it;
-- 'annulled' when a later annulation cancels it; 'annulation' for the cancelling notice itself.
-- Only 'active' notices are signals. `repairs` lists what was fixed on the way in.
CREATE TABLE IF NOT EXISTS {{table}} (
    id                 VARCHAR NOT NULL,   -- letter + parution + notice number, e.g. 'A202000721' (ODS id)
    publication_date   DATE NOT NULL,
    edition            VARCHAR,            -- 'A' | 'B' | 'C'
    parution           VARCHAR,            -- issue number, YYYY + 4 digits
    notice_number      INTEGER,
    notice_type        VARCHAR,            -- 'annonce' | 'rectificatif' | 'annulation'
    family             VARCHAR,            -- creation, immatriculation, vente, modification, radiation, collective, dpc...
    sirens             VARCHAR[],          -- companies the notice is about (valid SIRENs)
    seller_sirens      VARCHAR[],          -- ventes: previous owner(s)
    company_name       VARCHAR,
    tribunal           VARCHAR,
    departement        VARCHAR,
    city               VARCHAR,
    judgment_family    VARCHAR,
    judgment_nature    VARCHAR,
    judgment_date      DATE,
    proceeding_kind    VARCHAR,            -- collective: 'sauvegarde' | 'redressement' | 'liquidation'
    capital_amount     DOUBLE,             -- share capital stated in the notice, euros
    officers_text      VARCHAR,            -- 'administration' as published (free text)
    description        VARCHAR,            -- descriptif / catégorie of the act, readable
    previous_notice_id VARCHAR,            -- the notice a rectificatif / annulation points to
    status             VARCHAR NOT NULL DEFAULT 'active',
    repairs            VARCHAR[],
    source             VARCHAR NOT NULL,   -- 'ods' | 'dila'
    source_file        VARCHAR NOT NULL
)
