-- Why a StockUniteLegale row is quarantined (NULL = the row is good). Evaluated per row over
-- the typed scan, where __siren_n is TRY_CAST(siren AS UBIGINT) computed once; first failing
-- rule wins. `__cast_errors` names the parquet values that would not cast.
CASE
    WHEN siren IS NULL OR siren = '' THEN 'missing SIREN'
    WHEN NOT regexp_full_match(siren, '[0-9]{9}') THEN 'invalid SIREN ''' || siren || ''': expected 9 digits'
    WHEN NOT firmo_siren_int_ok(__siren_n) THEN 'invalid SIREN ''' || siren || ''': checksum (Luhn) fails'
    WHEN nicSiegeUniteLegale IS NOT NULL AND NOT regexp_full_match(nicSiegeUniteLegale, '[0-9]{5}')
        THEN 'invalid nicSiegeUniteLegale ''' || nicSiegeUniteLegale || ''': expected 5 digits'
    WHEN __cast_errors IS NOT NULL THEN 'impossible value: ' || __cast_errors
END
