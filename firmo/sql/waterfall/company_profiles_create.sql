-- The company-level waterfall's current facts (waterfall/company.py): one row per company and
-- fact (domain, linkedin_company, switchboard_phone, headcount, mx), with who gave it and when.
CREATE TABLE IF NOT EXISTS waterfall.company_profiles (
    siren VARCHAR NOT NULL,
    field VARCHAR NOT NULL,
    value VARCHAR,
    provider VARCHAR NOT NULL,
    found_at TIMESTAMP,
    reason VARCHAR,
    run_id VARCHAR
);
