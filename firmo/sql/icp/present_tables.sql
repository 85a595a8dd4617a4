-- Which of the tables $wanted ('schema.name') exist (firmo.icp.score._present): one catalog
-- query for the half-dozen a preview checks, where firmo.db.table_exists runs one each.
SELECT DISTINCT table_schema || '.' || table_name AS name
FROM information_schema.tables
WHERE list_contains($wanted::VARCHAR[], table_schema || '.' || table_name)
