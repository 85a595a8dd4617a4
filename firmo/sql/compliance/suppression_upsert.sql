-- Add entries to the suppression list; an entry already present keeps its first date and reason.
INSERT INTO exports.suppression BY NAME
SELECT kind, value, reason, source, added_at FROM __crm_suppression_rows
ON CONFLICT (kind, value) DO NOTHING;
