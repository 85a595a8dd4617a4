-- When each person was last re-checked (any provider), for the recheck_days gate.
SELECT person_key, max(asked_at) AS last_checked FROM waterfall.rechecks GROUP BY person_key
