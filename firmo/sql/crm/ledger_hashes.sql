-- Last exported content hash of every lead of one CRM and ICP.
SELECT lead_key, content_hash
FROM exports.ledger
WHERE crm = $crm AND icp = $icp;
