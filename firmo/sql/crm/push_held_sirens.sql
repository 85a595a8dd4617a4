-- SIRENs of the live accounts a CRM held with their SIREN at the last read-back (a dry run says 'update').
SELECT DISTINCT siren FROM exports.crm_accounts WHERE crm = $crm AND siren IS NOT NULL AND match_method = 'siren'
  AND deleted_at IS NULL;  -- an account sales deleted holds nothing any more
