-- Mark, per SIREN, the payload that wins: latest updatedAt, then the one read last (exact
-- duplicates and same-timestamp twins exist in stock and diff, search-infra #739).
CREATE OR REPLACE TEMP TABLE {{work}} AS
SELECT
    *,
    row_number() OVER (PARTITION BY siren ORDER BY updated_at DESC NULLS LAST, payload_seq DESC) = 1 AS is_latest
FROM {{work}}
