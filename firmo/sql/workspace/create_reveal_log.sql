-- Every reveal of a masked email or phone in the workspace, for the GDPR register (art. 30):
-- who (the token's label, or 'local' without a token), when (naive UTC), which company and field.
CREATE SCHEMA IF NOT EXISTS compliance;
CREATE TABLE IF NOT EXISTS compliance.reveal_log (
    revealed_at TIMESTAMP NOT NULL,
    who         VARCHAR   NOT NULL,
    siren       VARCHAR   NOT NULL,
    field       VARCHAR   NOT NULL,   -- 'email' | 'phone'
    client      VARCHAR              -- the client's address as the server saw it
);
