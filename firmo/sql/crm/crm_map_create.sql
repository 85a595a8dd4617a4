-- What an API push needs to remember of a CRM that has no upsert (Pipedrive, crm_sync.md §3):
-- the keys of the custom fields it created, and the CRM id of every record it had accepted.
-- Idempotent: run at every push.

-- Custom field keys (Pipedrive: a random 40-character hash per company, never hard-coded).
CREATE TABLE IF NOT EXISTS exports.crm_fields (
    crm        VARCHAR   NOT NULL,   -- 'pipedrive_api'
    entity     VARCHAR   NOT NULL,   -- 'organization' | 'person'
    field_name VARCHAR   NOT NULL,   -- the name firmo gives the field ('SIREN', 'SIRET', 'firmo score', ...)
    field_key  VARCHAR   NOT NULL,   -- the CRM's key for it (Pipedrive field_code)
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (crm, entity, field_name)
);

-- firmo key -> CRM id of each record the CRM accepted, written from each accepted response, so a
-- retry never depends on the CRM's search. `siren` / `email` kept as columns so an erasure finds them.
CREATE TABLE IF NOT EXISTS exports.crm_ids (
    crm        VARCHAR   NOT NULL,
    entity     VARCHAR   NOT NULL,   -- 'organization' | 'person' | 'lead' | 'note' | 'note_intent' (a note being sent: the lead's id)
    firmo_key  VARCHAR   NOT NULL,   -- siren (organization), lead key (person, lead), lead key#content hash (note)
    siren      VARCHAR   NOT NULL,
    email      VARCHAR,
    crm_id     VARCHAR   NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (crm, entity, firmo_key)
);
