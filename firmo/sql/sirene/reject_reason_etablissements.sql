-- Why a StockEtablissement row is quarantined (NULL = the row is good). __siren_n / __siret_n
-- are the identifiers as integers, computed once per row. First failing rule wins.
-- SIRET rules follow python-stdnum, including La Poste's exception (see macros.sql).
CASE
    WHEN siret IS NULL OR siret = '' THEN 'missing SIRET'
    WHEN NOT regexp_full_match(siret, '[0-9]+') THEN 'invalid SIRET ''' || siret || ''': not only digits'
    WHEN length(siret) <> 14
        THEN 'invalid SIRET ''' || siret || ''': ' || length(siret) || ' digits, expected 14'
    WHEN NOT firmo_siret_int_ok(__siret_n) THEN 'invalid SIRET ''' || siret || ''': checksum fails'
    WHEN siren IS NULL OR NOT regexp_full_match(siren, '[0-9]{9}') OR NOT firmo_siren_int_ok(__siren_n)
        THEN 'invalid SIREN ''' || coalesce(siren, '') || ''''
    WHEN siret <> siren || coalesce(nic, '')
        THEN 'SIRET ''' || siret || ''' is not SIREN + NIC (''' || siren || ''' + ''' || coalesce(nic, '') || ''')'
    WHEN __cast_errors IS NOT NULL THEN 'impossible value: ' || __cast_errors
END
