-- Why a StockEtablissement row is quarantined (NULL = the row is good). First failing rule wins.
-- SIRET rules follow python-stdnum, including La Poste's exception (see macros.sql).
CASE
    WHEN siret IS NULL OR siret = '' THEN 'missing SIRET'
    WHEN NOT regexp_full_match(siret, '[0-9]+') THEN 'invalid SIRET ''' || siret || ''': not only digits'
    WHEN length(siret) <> 14
        THEN 'invalid SIRET ''' || siret || ''': ' || length(siret) || ' digits, expected 14'
    WHEN NOT firmo_siret_ok(siret) THEN 'invalid SIRET ''' || siret || ''': checksum fails'
    WHEN siren IS NULL OR NOT firmo_siren_ok(siren) THEN 'invalid SIREN ''' || coalesce(siren, '') || ''''
    WHEN siret <> siren || coalesce(nic, '')
        THEN 'SIRET ''' || siret || ''' is not SIREN + NIC (''' || siren || ''' + ''' || coalesce(nic, '') || ''')'
    WHEN __cast_errors IS NOT NULL THEN 'impossible value: ' || __cast_errors
END
