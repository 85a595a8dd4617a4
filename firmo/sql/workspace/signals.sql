-- The company's signals (core.signals), newest first, with the reference of their evidence.
SELECT signal_type, signal_date, strength, polarity, label, evidence, source, source_ref
FROM core.signals
WHERE siren = $siren
ORDER BY signal_date DESC, signal_type
