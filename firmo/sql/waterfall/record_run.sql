-- One run's provenance rows and its ledger row (__wf_provenance and __wf_run are registered).
-- Re-recording a run id replaces it, so a retried run never counts twice.
DELETE FROM waterfall.provenance WHERE run_id IN (SELECT run_id FROM __wf_run);
DELETE FROM waterfall.runs WHERE run_id IN (SELECT run_id FROM __wf_run);
INSERT INTO waterfall.provenance BY NAME SELECT * FROM __wf_provenance;
INSERT INTO waterfall.runs BY NAME
SELECT run_id, icp, started_at, finished_at, leads, blocked,
       CAST(credits_by_provider AS JSON) AS credits_by_provider,
       CAST(calls_by_provider AS JSON) AS calls_by_provider,
       CAST(hits_by_provider AS JSON) AS hits_by_provider,
       status, CAST(breakers AS JSON) AS breakers, CAST(kept_by_field AS JSON) AS kept_by_field, failed_questions
FROM __wf_run;
