-- core.public_contracts: one row per (contract uid, titulaire SIREN) in the current state.
-- Only titulaires identified by a SIRET (titulaire_typeIdentifiant = 'SIRET' and 14 digits) join to
-- SIRENE (decp-processing extract_unique_titulaires_siret); VAT and other ids stay in decp.marches.
-- A SIREN holding two establishments on one contract counts once (its head row: latest
-- notification, then smallest SIRET). `amount` is the contract total (never a per-titulaire share;
-- NULL when absent or the 12311111111 sentinel, already nulled in decp.marches);
-- `co_contractors` counts every titulaire on the contract, whatever its id type.
-- Signals count distinct uid per SIREN.
CREATE TABLE {{target}} AS
WITH titulaires AS (
    SELECT uid, count(DISTINCT coalesce(titulaire_typeIdentifiant, '') || ':' || coalesce(titulaire_id, ''))
               FILTER (WHERE titulaire_id IS NOT NULL) AS co_contractors
    FROM {{source}}
    GROUP BY uid
),
siret_rows AS (
    SELECT m.*, left(titulaire_id, 9) AS siren
    FROM {{source}} m
    WHERE titulaire_typeIdentifiant = 'SIRET' AND regexp_full_match(titulaire_id, '[0-9]{14}')
)
SELECT
    CAST(s.uid AS VARCHAR) AS uid,
    CAST(s.siren AS VARCHAR) AS siren,
    CAST(s.titulaire_id AS VARCHAR) AS siret,
    CAST(s.dateNotification AS DATE) AS notification_date,
    CAST(s.montant AS DOUBLE) AS amount,
    CAST(s.codeCPV AS VARCHAR) AS cpv_code,
    CAST(CASE WHEN s."type" IN ('Fournitures', 'Services', 'Travaux') THEN s."type" END AS VARCHAR) AS contract_type,
    CAST(CASE WHEN regexp_full_match(s.acheteur_id, '[0-9]{14}') THEN s.acheteur_id END AS VARCHAR) AS buyer_siret,
    CAST(coalesce(s.acheteur_nom, CASE WHEN s.acheteur_id = '13001536500013' THEN 'Ministère des Armées' END)
         AS VARCHAR) AS buyer_name,
    CAST(s.acheteur_categorie AS VARCHAR) AS buyer_category,
    CAST(s.objet AS VARCHAR) AS object,
    CAST(s."procedure" AS VARCHAR) AS "procedure",
    CAST(t.co_contractors AS INTEGER) AS co_contractors,
    CAST(s.sourceDataset AS VARCHAR) AS source_dataset
FROM siret_rows s
JOIN titulaires t USING (uid)
QUALIFY row_number() OVER (PARTITION BY s.uid, s.siren
                           ORDER BY s.dateNotification DESC NULLS LAST, s.titulaire_id, s.sourceDataset) = 1
ORDER BY siren, notification_date
