-- v_series_wide — convenience pivot of v_series: one row per current report (agency × year), one column per
-- harmonised series plus its grade column. Same values and grades as v_series; read v_series for the
-- source generation and caveats. `SELECT agency, year, h_requests_new, h_requests_new_grade FROM v_series_wide`.
--
-- Columns:
--   agency_id                    agency identity across years and spellings
--   agency_name                  region-qualified canonical agency name
--   agency                       agency name as printed in the report
--   year                         report year
--   report_id                    current report of the agency for the year
--   era                          g | legacy
--   break_before                 true for the first G19/G21-era year after a legacy year of the agency
--   h_requests_new               value of series h_requests_new (v_series), NULL if the year has none
--   h_requests_new_grade         grade of h_requests_new when it has a value (A, A-, B, C)
--   h_requests_decided           value of series h_requests_decided (v_series), NULL if the year has none
--   h_requests_decided_grade     grade of h_requests_decided when it has a value (A, A-, B, C)
--   h_granted                    value of series h_granted (v_series), NULL if the year has none
--   h_granted_grade              grade of h_granted when it has a value (A, A-, B, C)
--   h_partial                    value of series h_partial (v_series), NULL if the year has none
--   h_partial_grade              grade of h_partial when it has a value (A, A-, B, C)
--   h_denied_statutory           value of series h_denied_statutory (v_series), NULL if the year has none
--   h_denied_statutory_grade     grade of h_denied_statutory when it has a value (A, A-, B, C)
--   h_not_held                   value of series h_not_held (v_series), NULL if the year has none
--   h_not_held_grade             grade of h_not_held when it has a value (A, A-, B, C)
--   h_third_party                value of series h_third_party (v_series), NULL if the year has none
--   h_third_party_grade          grade of h_third_party when it has a value (A, A-, B, C)
--   h_state_secret               value of series h_state_secret (v_series), NULL if the year has none
--   h_state_secret_grade         grade of h_state_secret when it has a value (A, A-, B, C)
--   h_rev_total                  value of series h_rev_total (v_series), NULL if the year has none
--   h_rev_total_grade            grade of h_rev_total when it has a value (A, A-, B, C)
--   h_rev_corrected              value of series h_rev_corrected (v_series), NULL if the year has none
--   h_rev_corrected_grade        grade of h_rev_corrected when it has a value (A, A-, B, C)
--   h_lit_total                  value of series h_lit_total (v_series), NULL if the year has none
--   h_lit_total_grade            grade of h_lit_total when it has a value (A, A-, B, C)
--   h_lit_corrected              value of series h_lit_corrected (v_series), NULL if the year has none
--   h_lit_corrected_grade        grade of h_lit_corrected when it has a value (A, A-, B, C)
--   h_nd_made                    value of series h_nd_made (v_series), NULL if the year has none
--   h_nd_made_grade              grade of h_nd_made when it has a value (A, A-, B, C)
--   h_lic_decisions              value of series h_lic_decisions (v_series), NULL if the year has none
--   h_lic_decisions_grade        grade of h_lic_decisions when it has a value (A, A-, B, C)
--   h_pen_decisions              value of series h_pen_decisions (v_series), NULL if the year has none
--   h_pen_decisions_grade        grade of h_pen_decisions when it has a value (A, A-, B, C)
--   h_coe_decisions              value of series h_coe_decisions (v_series), NULL if the year has none
--   h_coe_decisions_grade        grade of h_coe_decisions when it has a value (A, A-, B, C)
--   h_ogi_fee                    value of series h_ogi_fee (v_series), NULL if the year has none
--   h_ogi_fee_grade              grade of h_ogi_fee when it has a value (A, A-, B, C)
CREATE OR REPLACE VIEW v_series_wide AS
WITH
report_panel AS (
    SELECT r.*, p.break_before
    FROM v_rep AS r
    INNER JOIN stg_report_previous AS p USING (report_id)
),

series_long AS (
    SELECT report_id, series, value FROM model_series
),

series_values AS (
    -- static PIVOT: one column per series of the fixed IN list
    PIVOT series_long
    ON series IN (
        'h_requests_new',
        'h_requests_decided',
        'h_granted',
        'h_partial',
        'h_denied_statutory',
        'h_not_held',
        'h_third_party',
        'h_state_secret',
        'h_rev_total',
        'h_rev_corrected',
        'h_lit_total',
        'h_lit_corrected',
        'h_nd_made',
        'h_lic_decisions',
        'h_pen_decisions',
        'h_coe_decisions',
        'h_ogi_fee'
    )
    USING max(value)
    GROUP BY report_id
),

series_grades AS (
    -- one row: the grade of every series
    PIVOT (SELECT series, grade FROM series_dictionary)
    ON series IN (
        'h_requests_new',
        'h_requests_decided',
        'h_granted',
        'h_partial',
        'h_denied_statutory',
        'h_not_held',
        'h_third_party',
        'h_state_secret',
        'h_rev_total',
        'h_rev_corrected',
        'h_lit_total',
        'h_lit_corrected',
        'h_nd_made',
        'h_lic_decisions',
        'h_pen_decisions',
        'h_coe_decisions',
        'h_ogi_fee'
    )
    USING max(grade)
)

SELECT
    r.agency_id,
    r.agency_name,
    r.agency,
    r.year,
    r.report_id,
    r.era,
    r.break_before,
    v.h_requests_new,
    CASE WHEN v.h_requests_new IS NOT NULL THEN g.h_requests_new END AS h_requests_new_grade,
    v.h_requests_decided,
    CASE WHEN v.h_requests_decided IS NOT NULL THEN g.h_requests_decided END AS h_requests_decided_grade,
    v.h_granted,
    CASE WHEN v.h_granted IS NOT NULL THEN g.h_granted END AS h_granted_grade,
    v.h_partial,
    CASE WHEN v.h_partial IS NOT NULL THEN g.h_partial END AS h_partial_grade,
    v.h_denied_statutory,
    CASE WHEN v.h_denied_statutory IS NOT NULL THEN g.h_denied_statutory END AS h_denied_statutory_grade,
    v.h_not_held,
    CASE WHEN v.h_not_held IS NOT NULL THEN g.h_not_held END AS h_not_held_grade,
    v.h_third_party,
    CASE WHEN v.h_third_party IS NOT NULL THEN g.h_third_party END AS h_third_party_grade,
    v.h_state_secret,
    CASE WHEN v.h_state_secret IS NOT NULL THEN g.h_state_secret END AS h_state_secret_grade,
    v.h_rev_total,
    CASE WHEN v.h_rev_total IS NOT NULL THEN g.h_rev_total END AS h_rev_total_grade,
    v.h_rev_corrected,
    CASE WHEN v.h_rev_corrected IS NOT NULL THEN g.h_rev_corrected END AS h_rev_corrected_grade,
    v.h_lit_total,
    CASE WHEN v.h_lit_total IS NOT NULL THEN g.h_lit_total END AS h_lit_total_grade,
    v.h_lit_corrected,
    CASE WHEN v.h_lit_corrected IS NOT NULL THEN g.h_lit_corrected END AS h_lit_corrected_grade,
    v.h_nd_made,
    CASE WHEN v.h_nd_made IS NOT NULL THEN g.h_nd_made END AS h_nd_made_grade,
    v.h_lic_decisions,
    CASE WHEN v.h_lic_decisions IS NOT NULL THEN g.h_lic_decisions END AS h_lic_decisions_grade,
    v.h_pen_decisions,
    CASE WHEN v.h_pen_decisions IS NOT NULL THEN g.h_pen_decisions END AS h_pen_decisions_grade,
    v.h_coe_decisions,
    CASE WHEN v.h_coe_decisions IS NOT NULL THEN g.h_coe_decisions END AS h_coe_decisions_grade,
    v.h_ogi_fee,
    CASE WHEN v.h_ogi_fee IS NOT NULL THEN g.h_ogi_fee END AS h_ogi_fee_grade
FROM report_panel AS r
LEFT JOIN series_values AS v USING (report_id)
CROSS JOIN series_grades AS g;
