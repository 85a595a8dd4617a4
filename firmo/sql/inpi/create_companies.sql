-- inpi.companies: one row per SIREN, the RNE payload whose officers are in inpi.officers.
-- Its updated_at decides whether a later diff payload replaces them (older never wins), and it
-- records SIRENs whose latest payload lists no officer at all.
CREATE TABLE {{table}} (
    siren                 VARCHAR NOT NULL,
    payload_kind          VARCHAR NOT NULL,  -- personneMorale | personnePhysique | exploitation
    denomination          VARCHAR,
    legal_form            VARCHAR,           -- usually the INSEE code ('5710'); some 2023 payloads hold a label
    diffusion_commerciale BOOLEAN,           -- false = opposition to prospecting (R.123-320): honour it
    officers              INTEGER NOT NULL,
    updated_at            TIMESTAMP,
    source_file           VARCHAR NOT NULL
)
