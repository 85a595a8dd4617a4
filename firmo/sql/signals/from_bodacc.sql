-- Intent signals from BODACC notices in force (status 'active': rectified, annulled and
-- annulling notices are not events). One row per SIREN named by the notice.
-- Parameters: $as_of, $since. The date is the judgment's when there is one (publication lags).
WITH n AS (
    SELECT *, unnest(CASE WHEN len(sirens) > 0 THEN sirens ELSE [NULL] END) AS siren,
           'BODACC ' || coalesce(edition, '?') || ' notice ' || id || ' of ' || strftime(publication_date, '%Y-%m-%d') AS ref_text
    FROM bodacc.notices
    WHERE status = 'active' AND coalesce(judgment_date, publication_date) BETWEEN $since AND $as_of
),
capital AS (
    SELECT *, lag(capital_amount) OVER (PARTITION BY siren ORDER BY publication_date, id) AS previous_capital
    FROM n WHERE family = 'modification' AND capital_amount IS NOT NULL
)
SELECT siren, 'capital_increase' AS signal_type, publication_date AS signal_date,
       CASE WHEN previous_capital > 0 THEN least(1.0, (capital_amount - previous_capital) / previous_capital) ELSE 1.0 END AS strength,
       'positive' AS polarity, 'capital increase' AS label,
       ref_text || ': ' || coalesce(description, 'capital change') || ' Capital ' || CAST(CAST(capital_amount AS BIGINT) AS VARCHAR) || ' EUR' AS evidence,
       'bodacc' AS source, id AS source_ref
FROM capital
WHERE description ILIKE '%capital%'
  AND (capital_amount > previous_capital OR (previous_capital IS NULL AND description ILIKE '%augmentation%'))

UNION ALL
SELECT siren, 'new_decision_maker', publication_date, 1.0, 'positive',
       'new ' || coalesce(nullif(trim(split_part(officers_text, ':', 1)), ''), 'officer'),
       ref_text || ': ' || coalesce(officers_text, description), 'bodacc', id
FROM n WHERE family = 'modification' AND description ILIKE '%administration%' AND officers_text IS NOT NULL

UNION ALL
SELECT siren, 'head_office_transfer', publication_date, 1.0, 'positive', 'head office moved',
       ref_text || ': ' || description, 'bodacc', id
FROM n WHERE family = 'modification' AND description ILIKE '%transfert%si_ge%'

UNION ALL
SELECT siren, 'business_bought', publication_date, 1.0, 'positive', 'business bought',
       ref_text || ': ' || coalesce(description, 'vente'), 'bodacc', id
FROM n WHERE family = 'vente'

UNION ALL
SELECT s.seller AS siren, 'business_sold', n.publication_date, 1.0, 'negative', 'business sold',
       n.ref_text || ': sold to ' || coalesce(n.company_name, '?'), 'bodacc', n.id
FROM (SELECT DISTINCT id, publication_date, ref_text, company_name, seller_sirens FROM n WHERE family = 'vente') n,
     unnest(n.seller_sirens) AS s(seller)

UNION ALL
SELECT siren, 'collective_proceeding', coalesce(judgment_date, publication_date), 1.0, 'negative',
       coalesce(CASE proceeding_kind WHEN 'liquidation' THEN 'liquidation judiciaire'
                                     WHEN 'redressement' THEN 'redressement judiciaire'
                                     WHEN 'sauvegarde' THEN 'procédure de sauvegarde' END, 'collective proceeding'),
       ref_text || ': ' || coalesce(judgment_nature, judgment_family, 'procédure collective'), 'bodacc', id
FROM n WHERE family = 'collective'

UNION ALL
SELECT siren, 'radiation', publication_date, 1.0, 'negative', 'struck off the register',
       ref_text || ': radiation' || coalesce(' (' || description || ')', ''), 'bodacc', id
FROM n WHERE family = 'radiation'
  -- before 2012-04-01 a transfer out of the court's area was published as a radiation (§5.3)
  AND coalesce(description, '') NOT ILIKE '%transfert du si_ge hors ressort%'
