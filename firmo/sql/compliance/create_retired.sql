-- People who left a company (a re-check saw them at another employer, waterfall.recheck): their
-- contact data is never exported again for that company. Minimal data (doc §5): the address and
-- the person's name only as sha256 of the normalised value. Idempotent.
CREATE TABLE IF NOT EXISTS exports.retired_contacts (
    siren        VARCHAR   NOT NULL,   -- the company they left
    person_hash  VARCHAR   NOT NULL,   -- sha256 of 'first|last' (folded, lower case), or of the email
    email_hash   VARCHAR,              -- sha256 of the lower-cased address held for that company
    reason       VARCHAR   NOT NULL,   -- e.g. 'job change: left on 2026-03-01 (apollo)'
    retired_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (siren, person_hash)
);
