-- Convenience views over the current version of every report (what analysts usually want).
CREATE OR REPLACE VIEW current_reports AS
SELECT * FROM reports WHERE is_current;

CREATE OR REPLACE VIEW current_facts AS
SELECT r.agency, r.year, f.*
FROM facts AS f
JOIN reports AS r USING (report_id)
WHERE r.is_current;
