-- v_unmapped — the printed cells of rows (or table 二 cells) the dictionary does not know, of current reports:
-- what a dictionary entry could still map. The facts are loaded under code 'unmapped:<label path>', the
-- path's levels normalised as the dictionary's own labels are and joined with ' > '; a join of label_path
-- with the normalised path of a new dictionary entry maps the stored cells without re-parsing. They feed no
-- rule, no v_rep column and no series. Count per label_path to see which rows are worth a dictionary entry.
--
-- Columns:
--   report_id      reports.report_id of the current version
--   agency_id      agency identity across years and spellings
--   agency_name    region-qualified canonical agency name
--   year           report year
--   table_id       t2 | t3 | t4 | legacy
--   label_path     the normalised label path (facts.code without the 'unmapped:' prefix)
--   party          applicant column (table 三), '_', or ytd / cumulative (legacy value columns)
--   value          the number as printed (NULL unless state is number)
--   state          number | blank | dash | na_text
--   unit           unit the table prints for the row (or inside the cell), '' when none
--   raw_label      label path as printed
--   raw_value      cell text as printed
--   position       where the cell is in the source table
CREATE OR REPLACE VIEW v_unmapped AS
SELECT
    f.report_id,
    r.agency_id,
    r.agency_name,
    r.year,
    f.table_id,
    substr(f.code, length('unmapped:') + 1) AS label_path,
    f.party,
    f.value,
    f.state,
    f.unit,
    f.raw_label,
    f.raw_value,
    f.position
FROM facts AS f
JOIN reports AS r USING (report_id)
WHERE r.is_current AND starts_with(f.code, 'unmapped:');
