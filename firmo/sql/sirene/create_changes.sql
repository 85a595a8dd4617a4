-- core.sirene_changes: what a SIRENE reload revealed had changed in a unité légale (written by
-- sirene/changes.sql at each load, read by signals/from_sirene.sql). Created by both sides, so
-- the signals build finds the table even before the first reload.
CREATE TABLE IF NOT EXISTS core.sirene_changes (
    siren VARCHAR NOT NULL,
    change_type VARCHAR NOT NULL,       -- 'headcount_band' | 'head_office'
    value_before VARCHAR,
    value_after VARCHAR,
    processed_before TIMESTAMP,         -- dateDernierTraitementUniteLegale of each version
    processed_after TIMESTAMP,
    observed_at TIMESTAMP NOT NULL      -- when the reload revealed it
)
