-- Intent signals from public contracts won (core.public_contracts: DECP, current state, one row
-- per contract uid and titulaire SIREN). One contract_won per (SIREN, uid), dated its notification:
-- a contract published by several platforms or modified later is still one contract.
-- Strength: the company's share of the amount (the amount is the contract's total, shared by the
-- co-contractors of a groupement) against its latest revenue, full at $contract_full_share of it,
-- at least 0.1; without a known revenue, from the amount: unknown 0.5, under €100k 0.4, under
-- €500k 0.6, under €2M 0.8, above 1.0.
-- Parameters: $as_of, $since, $contract_full_share. Identifiers: {{financials}} (core.latest_financials
-- or its empty stand-in).
WITH won AS (
    SELECT *
    FROM core.public_contracts
    WHERE siren IS NOT NULL AND notification_date BETWEEN $since AND $as_of
    QUALIFY row_number() OVER (PARTITION BY siren, uid ORDER BY notification_date, siret) = 1
),
money AS (
    SELECT w.*, f.revenue,
           CASE WHEN w.amount >= 1e9 THEN '€' || replace(printf('%.1f', w.amount / 1e9), '.0', '') || 'B'
                WHEN w.amount >= 1e6 THEN '€' || replace(printf('%.1f', w.amount / 1e6), '.0', '') || 'M'
                WHEN w.amount >= 1e3 THEN '€' || CAST(round(w.amount / 1e3) AS BIGINT) || 'k'
                ELSE '€' || CAST(w.amount AS BIGINT) END AS amount_text
    FROM won w
    LEFT JOIN {{financials}} f ON f.siren = w.siren
)
SELECT siren, 'contract_won' AS signal_type, notification_date AS signal_date,
       CASE WHEN amount IS NOT NULL AND revenue > 0
            THEN greatest(0.1, least(1.0, amount / greatest(coalesce(co_contractors, 1), 1) / (revenue * $contract_full_share)))
            WHEN amount IS NULL THEN 0.5
            WHEN amount < 100000 THEN 0.4
            WHEN amount < 500000 THEN 0.6
            WHEN amount < 2000000 THEN 0.8
            ELSE 1.0 END::DOUBLE AS strength,
       'positive' AS polarity,
       CASE WHEN amount IS NULL THEN 'won a public contract' ELSE 'won a ' || amount_text || ' public contract' END AS label,
       'DECP ' || uid || ': ' || coalesce(buyer_name, 'buyer ' || buyer_siret, 'unknown buyer')
           || coalesce(' (' || buyer_category || ')', '') || ', ' || coalesce(contract_type, 'contract')
           || coalesce(' CPV ' || cpv_code, '') || coalesce(', ' || amount_text, ', amount unknown')
           || ' notified ' || strftime(notification_date, '%Y-%m-%d')
           || CASE WHEN co_contractors > 1 THEN ', with ' || (co_contractors - 1) || ' co-contractor'
                   || CASE WHEN co_contractors > 2 THEN 's' ELSE '' END ELSE '' END
           || coalesce(': ' || left(object, 120), '') AS evidence,
       'decp' AS source, uid AS source_ref
FROM money
