-- core.company_idcc: one row per (siret, idcc) an establishment declares in its DSN, with the
-- latest month it was declared in (`month`, YYYY-MM). 9999 ("no agreement / undetermined") is
-- not an agreement: it stays in idcc.siret_idcc and is left out here, so criteria and
-- core.companies.idcc_codes never match it.
CREATE TABLE {{target}} AS
SELECT left(SIRET, 9) AS siren, SIRET AS siret, IDCC AS idcc, max(MOIS) AS month
FROM {{raw}}
WHERE IDCC <> '9999'
GROUP BY ALL
ORDER BY siren, siret, idcc
