-- The last line of a preview (firmo.icp.score.preview): sql/icp/scored.sql, preview_kept.sql, then
-- the WITH lines of counts.sql and leads.sql (both reading `kept`), answered as one row: the
-- counts and the first leads, each a list in the order counts.sql and leads.sql give.
SELECT (SELECT list(c ORDER BY c.dimension, c.leads DESC, c.value) FROM counted c) AS counts, (SELECT list(l ORDER BY l.rank) FROM lead_list l) AS top
