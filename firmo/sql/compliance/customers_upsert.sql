-- Add or refresh existing customers (kind 'siren' or 'domain').
INSERT OR REPLACE INTO exports.customers BY NAME
SELECT kind, value, name, source, added_at FROM __crm_customer_rows;
