-- Lookalike revenue (firmo/icp/lookalike.py): customers and active companies whose known revenue
-- ({{financials}}) lies in the suggested range $lo..$hi (the customers' quantiles, rounded).
SELECT count(*) FILTER (WHERE f.siren IN (SELECT siren FROM __lookalike_customers)) AS customers_in,
       count(*) AS population_in
FROM {{financials}} f
JOIN core.companies c ON c.siren = f.siren
WHERE c.active AND f.revenue BETWEEN $lo AND $hi
