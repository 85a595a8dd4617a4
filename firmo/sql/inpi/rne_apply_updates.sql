-- Apply one diff batch (registered Arrow tables __rne_companies / __rne_officers /
-- __rne_rejects, already reduced to one payload per SIREN) inside the caller's transaction.
-- A SIREN is replaced unless the loaded payload is strictly newer than the incoming one.
CREATE TEMP TABLE __rne_applied AS
SELECT n.siren, n.payload_seq
FROM __rne_companies AS n
LEFT JOIN inpi.companies AS c USING (siren)
WHERE c.siren IS NULL OR n.updated_at IS NULL OR c.updated_at IS NULL OR n.updated_at >= c.updated_at;

DELETE FROM inpi.officers WHERE siren IN (SELECT siren FROM __rne_applied);
DELETE FROM inpi.companies WHERE siren IN (SELECT siren FROM __rne_applied);

INSERT INTO inpi.officers BY NAME
SELECT o.* EXCLUDE (payload_seq)
FROM __rne_officers AS o
JOIN __rne_applied USING (siren, payload_seq);

INSERT INTO inpi.companies BY NAME
SELECT n.* EXCLUDE (payload_seq)
FROM __rne_companies AS n
JOIN __rne_applied USING (siren, payload_seq);

INSERT INTO inpi.rejects BY NAME SELECT * FROM __rne_rejects;
