-- Resolve rectificatifs and annulations through parutionavisprecedent (inpi_bodacc.md §5.3):
-- the notice a rectificatif points to is superseded ('rectified'), the one an annulation points
-- to is cancelled ('annulled'); the annulation itself is not an event ('annulation').
-- Identifiers: {{source}} (all notices, status ignored), {{target}}.
CREATE TABLE {{target}} AS
SELECT n.* REPLACE (
    CASE WHEN n.notice_type = 'annulation' THEN 'annulation'
         WHEN p.annulled THEN 'annulled'
         WHEN p.rectified THEN 'rectified'
         ELSE 'active' END AS status)
FROM {{source}} n
LEFT JOIN (
    SELECT previous_notice_id,
           bool_or(notice_type = 'annulation') AS annulled,
           bool_or(notice_type = 'rectificatif') AS rectified
    FROM {{source}} WHERE previous_notice_id IS NOT NULL GROUP BY 1
) p ON p.previous_notice_id = n.id
