-- Step 2 of core.prospects: each company's signals as one ordered list, for one bucket of
-- SIRENs ($bucket of $buckets); scoring weighs and decays them per ICP.
-- One event told by two registries counts once: an officer change is filed at the RNE, then
-- published in BODACC days or weeks later; a head-office transfer shows in SIRENE and BODACC.
-- A signal of the same type from another source within $same_event_days of an earlier report
-- (or the same day, from a source sorting first) is that report again, and is left out here;
-- core.signals keeps both, as evidence.
-- Identifiers: {{signals}}.
WITH bucket AS (
    SELECT * FROM {{signals}}
    WHERE siren IS NOT NULL AND signal_date IS NOT NULL AND hash(siren) % $buckets = $bucket
),
first_told AS (
    SELECT s.* FROM bucket s
    WHERE NOT EXISTS (
        SELECT 1 FROM bucket o
        WHERE o.siren = s.siren AND o.signal_type = s.signal_type AND o.source <> s.source
          AND abs(date_diff('day', o.signal_date, s.signal_date)) <= $same_event_days
          AND (o.signal_date < s.signal_date OR (o.signal_date = s.signal_date AND o.source < s.source))
    )
)
SELECT
    siren,
    list({'t': signal_type, 'd': signal_date, 's': coalesce(strength, 1.0),
          'neg': polarity = 'negative', 'l': label} ORDER BY signal_date DESC, signal_type) AS signals,
    bool_or(signal_type = 'collective_proceeding') AS collective_proceeding,
    bool_or(signal_type IN ('radiation', 'company_closed')) AS closure_signal
FROM first_told
GROUP BY siren
