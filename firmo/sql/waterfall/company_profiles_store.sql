-- Replace the profiled companies' rows (__wf_company_sirens) with this run's (__wf_company_rows),
-- except the facts this run could not re-check (__wf_company_kept), whose earlier rows stay.
DELETE FROM waterfall.company_profiles AS p
WHERE p.siren IN (SELECT siren FROM __wf_company_sirens)
  AND NOT EXISTS (SELECT 1 FROM __wf_company_kept AS k WHERE k.siren = p.siren AND k.field = p.field);
INSERT INTO waterfall.company_profiles BY NAME SELECT * FROM __wf_company_rows;
