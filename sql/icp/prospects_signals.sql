-- Step 2 of core.prospects: each company's signals as one ordered list, for one bucket of
-- SIRENs ($bucket of $buckets); scoring weighs and decays them per ICP.
-- Identifiers: {{signals}}.
SELECT
    siren,
    list({'t': signal_type, 'd': signal_date, 's': coalesce(strength, 1.0),
          'neg': polarity = 'negative', 'l': label} ORDER BY signal_date DESC, signal_type) AS signals,
    bool_or(signal_type = 'collective_proceeding') AS collective_proceeding,
    bool_or(signal_type IN ('radiation', 'company_closed')) AS closure_signal
FROM {{signals}}
WHERE siren IS NOT NULL AND signal_date IS NOT NULL AND hash(siren) % $buckets = $bucket
GROUP BY siren
