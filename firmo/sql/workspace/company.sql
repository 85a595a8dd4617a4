-- The registry facts of one company (core.companies) with its latest revenue (core.latest_financials).
SELECT c.*, f.revenue, f.fiscal_year_end
FROM core.companies c
LEFT JOIN core.latest_financials f USING (siren)
WHERE c.siren = $siren
