-- jobs.labonneboite: La Bonne Boîte v2 companies (documented field names), one row per
-- (siret, rome) as last observed.
CREATE TABLE IF NOT EXISTS {{table}} (
    siret VARCHAR NOT NULL,
    company_name VARCHAR,
    office_name VARCHAR,
    naf VARCHAR,
    naf_label VARCHAR,
    rome VARCHAR,
    city VARCHAR,
    citycode VARCHAR,
    postcode VARCHAR,
    department_number VARCHAR,
    headcount_min INTEGER,
    headcount_max INTEGER,
    hiring_potential DOUBLE,
    is_high_potential BOOLEAN,
    observed_date DATE NOT NULL,
    source_file VARCHAR NOT NULL
)
