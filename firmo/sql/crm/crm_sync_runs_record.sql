-- The start of the latest completed read-back ('pull') or push attempt ('push') of CRM $crm.
INSERT OR REPLACE INTO exports.crm_sync_runs (crm, kind, started_at) VALUES ($crm, $kind, $started_at);
