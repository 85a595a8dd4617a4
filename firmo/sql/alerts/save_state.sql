-- The leads' score and tier now, for the next evaluation of the ICP ({{leads}} = leads.<icp>);
-- tier_since carries over while the tier stays, else it is today. $scoped: only the SIRENs in
-- $sirens (a poll's) are rewritten, the others keep the state of their last evaluation.
CREATE OR REPLACE TEMP TABLE alerts_next_state AS
SELECT $icp AS icp, l.siren, CAST(l.score AS DOUBLE) AS score, l.tier,
       CASE WHEN s.tier = l.tier THEN s.tier_since ELSE CAST($as_of AS DATE) END AS tier_since,
       CAST($now AS TIMESTAMP) AS updated_at
FROM {{leads}} l
LEFT JOIN alerts.lead_state s ON s.icp = $icp AND s.siren = l.siren
WHERE NOT $scoped OR l.siren IN (SELECT unnest(CAST($sirens AS VARCHAR[])));
DELETE FROM alerts.lead_state
WHERE icp = $icp AND (NOT $scoped OR siren IN (SELECT unnest(CAST($sirens AS VARCHAR[]))));
INSERT INTO alerts.lead_state SELECT * FROM alerts_next_state;
DROP TABLE alerts_next_state;
