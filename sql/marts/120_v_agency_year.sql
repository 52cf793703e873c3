-- v_agency_year — agency × year panel of current reports with the change from the agency's previous
-- report and the carry-over continuity check (rule X-1 on the 总计 column).
-- requests_new and requests_decided are the harmonised h_requests_new / h_requests_decided values (G codes
-- from 2019, legacy codes before; see v_series for grades): the panel runs across the 2019 break, which
-- break_before marks. Changes (*_yoy) are computed only between adjacent years (previous report year =
-- year − 1); carry_gap additionally needs G19/G21 table 三 in both years (legacy tables have no carry rows).
--
-- Columns:
--   agency_id                 agency identity across years and spellings
--   agency_name               region-qualified canonical agency name (of this year's report)
--   year                      report year
--   report_id                 current report of the agency for the year
--   report_scope              agency_self | government_self | region_aggregate
--   era                       g | legacy
--   prev_year                 year of the agency's previous current report (any gap), NULL for the first
--   break_before              true for the first G19/G21-era year after a legacy year of the agency
--   requests_new              h_requests_new: req_new (G) or l_req_received (legacy)
--   requests_new_prev         requests_new of the previous report (prev_year)
--   requests_new_yoy          requests_new / requests_new_prev − 1, adjacent years only, NULL if prev is 0
--   requests_decided          h_requests_decided: out_total (G) or coalesce(l_rep_total, l_req_closed)
--   requests_decided_yoy      requests_decided / previous − 1, adjacent years only
--   req_carried_in            requests carried in (G table 三 only)
--   req_carried_out           requests carried forward (G table 三 only)
--   prev_req_carried_out      req_carried_out of the previous report when it is year − 1 and G-era
--   carry_gap                 req_carried_in − prev_req_carried_out (0 = continuous; NULL when not evaluable)
--   carry_evaluable           true when carry_gap could be computed (adjacent G-era years, both cells known)
CREATE OR REPLACE VIEW v_agency_year AS
WITH
panel AS (
    SELECT
        report_id,
        agency_id,
        agency_name,
        year,
        report_scope,
        era,
        gen_t3,
        CASE WHEN gen_t3 IS NOT NULL THEN req_new WHEN gen_legacy IS NOT NULL THEN l_req_received END
            AS requests_new,
        CASE
            WHEN gen_t3 IS NOT NULL THEN out_total
            WHEN gen_legacy IS NOT NULL THEN coalesce(l_rep_total, l_req_closed)
        END AS requests_decided,
        req_carried_in,
        req_carried_out
    FROM v_rep
),

with_previous AS (
    SELECT
        cur.*,
        p.prev_year,
        p.break_before,
        p.is_adjacent,
        prev.gen_t3 AS prev_gen_t3,
        prev.requests_new AS requests_new_prev,
        prev.requests_decided AS requests_decided_prev,
        prev.req_carried_out AS prev_carried_out_any
    FROM panel AS cur
    INNER JOIN stg_report_previous AS p USING (report_id)
    LEFT JOIN panel AS prev ON prev.report_id = p.prev_report_id
),

adjacent AS (
    SELECT
        *,
        coalesce(is_adjacent AND gen_t3 IS NOT NULL AND prev_gen_t3 IS NOT NULL, false) AS is_g_adjacent
    FROM with_previous
)

SELECT
    agency_id,
    agency_name,
    year,
    report_id,
    report_scope,
    era,
    prev_year,
    break_before,
    requests_new,
    requests_new_prev,
    CASE WHEN is_adjacent THEN requests_new / nullif(requests_new_prev, 0) - 1 END AS requests_new_yoy,
    requests_decided,
    CASE WHEN is_adjacent THEN requests_decided / nullif(requests_decided_prev, 0) - 1 END
        AS requests_decided_yoy,
    req_carried_in,
    req_carried_out,
    CASE WHEN is_g_adjacent THEN prev_carried_out_any END AS prev_req_carried_out,
    CASE WHEN is_g_adjacent THEN req_carried_in - prev_carried_out_any END AS carry_gap,
    is_g_adjacent AND req_carried_in IS NOT NULL AND prev_carried_out_any IS NOT NULL AS carry_evaluable
FROM adjacent;
