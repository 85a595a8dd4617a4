-- kind -> start of the latest completed read-back / push attempt of CRM $crm.
SELECT kind, started_at FROM exports.crm_sync_runs WHERE crm = $crm;
