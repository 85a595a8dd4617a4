-- Open / won / lost deals of every account of CRM $crm, from exports.crm_deals (a deal may change
-- without its account changing, so every account is recounted).
UPDATE exports.crm_accounts a SET
    open_deals = coalesce(d.open_deals, 0),
    won = coalesce(d.won, 0),
    lost = coalesce(d.lost, 0)
FROM (
    SELECT x.crm_id,
           count(d.crm_id) FILTER (WHERE d.outcome = 'open') AS open_deals,
           count(d.crm_id) FILTER (WHERE d.outcome = 'won') AS won,
           count(d.crm_id) FILTER (WHERE d.outcome = 'lost') AS lost
    FROM exports.crm_accounts x
    LEFT JOIN exports.crm_deals d ON d.crm = x.crm AND d.account_crm_id = x.crm_id
    WHERE x.crm = $crm
    GROUP BY x.crm_id
) d
WHERE a.crm = $crm AND a.crm_id = d.crm_id
