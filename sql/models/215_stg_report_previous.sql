-- stg_report_previous — staging, part of the materialised fact model: each current report paired with
-- the agency's previous current report (any gap), the one definition of "previous year" that the panel,
-- series and enforcement figures share. The agency is agency_id (report_id when unresolved, so an
-- unresolved report is its own panel); ties in year are broken by report_id so the pairing is stable.
-- Built from model_report; read by model_series, v_agency_year and v_series_wide.
--
-- Columns:
--   report_id         current report
--   agency_key        coalesce(agency_id, report_id): the panel the report belongs to
--   year              report year
--   era               g | legacy (model_report.era)
--   prev_report_id    the agency's previous current report, NULL for its first
--   prev_year         year of that report
--   prev_era          era of that report
--   is_adjacent       prev_year = year − 1 (changes are computed only between adjacent years)
--   break_before      true for the first G19/G21-era year after a legacy year of the agency (series break)
CREATE OR REPLACE TABLE stg_report_previous AS
WITH
ordered AS (
    SELECT
        report_id,
        coalesce(agency_id, report_id) AS agency_key,
        year,
        era,
        lag(report_id) OVER w AS prev_report_id,
        lag(year) OVER w AS prev_year,
        lag(era) OVER w AS prev_era
    FROM model_report
    WINDOW w AS (PARTITION BY coalesce(agency_id, report_id) ORDER BY year, report_id)
)

SELECT
    *,
    coalesce(prev_year = year - 1, false) AS is_adjacent,
    coalesce(era = 'g' AND prev_era = 'legacy', false) AS break_before
FROM ordered;
