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
series_by_report AS (
    SELECT
        report_id,
        bool_or(break_before) AS break_before,
        max(value) FILTER (WHERE series = 'h_requests_new') AS h_requests_new,
        max(grade) FILTER (WHERE series = 'h_requests_new') AS h_requests_new_grade,
        max(value) FILTER (WHERE series = 'h_requests_decided') AS h_requests_decided,
        max(grade) FILTER (WHERE series = 'h_requests_decided') AS h_requests_decided_grade,
        max(value) FILTER (WHERE series = 'h_granted') AS h_granted,
        max(grade) FILTER (WHERE series = 'h_granted') AS h_granted_grade,
        max(value) FILTER (WHERE series = 'h_partial') AS h_partial,
        max(grade) FILTER (WHERE series = 'h_partial') AS h_partial_grade,
        max(value) FILTER (WHERE series = 'h_denied_statutory') AS h_denied_statutory,
        max(grade) FILTER (WHERE series = 'h_denied_statutory') AS h_denied_statutory_grade,
        max(value) FILTER (WHERE series = 'h_not_held') AS h_not_held,
        max(grade) FILTER (WHERE series = 'h_not_held') AS h_not_held_grade,
        max(value) FILTER (WHERE series = 'h_third_party') AS h_third_party,
        max(grade) FILTER (WHERE series = 'h_third_party') AS h_third_party_grade,
        max(value) FILTER (WHERE series = 'h_state_secret') AS h_state_secret,
        max(grade) FILTER (WHERE series = 'h_state_secret') AS h_state_secret_grade,
        max(value) FILTER (WHERE series = 'h_rev_total') AS h_rev_total,
        max(grade) FILTER (WHERE series = 'h_rev_total') AS h_rev_total_grade,
        max(value) FILTER (WHERE series = 'h_rev_corrected') AS h_rev_corrected,
        max(grade) FILTER (WHERE series = 'h_rev_corrected') AS h_rev_corrected_grade,
        max(value) FILTER (WHERE series = 'h_lit_total') AS h_lit_total,
        max(grade) FILTER (WHERE series = 'h_lit_total') AS h_lit_total_grade,
        max(value) FILTER (WHERE series = 'h_lit_corrected') AS h_lit_corrected,
        max(grade) FILTER (WHERE series = 'h_lit_corrected') AS h_lit_corrected_grade,
        max(value) FILTER (WHERE series = 'h_nd_made') AS h_nd_made,
        max(grade) FILTER (WHERE series = 'h_nd_made') AS h_nd_made_grade,
        max(value) FILTER (WHERE series = 'h_lic_decisions') AS h_lic_decisions,
        max(grade) FILTER (WHERE series = 'h_lic_decisions') AS h_lic_decisions_grade,
        max(value) FILTER (WHERE series = 'h_pen_decisions') AS h_pen_decisions,
        max(grade) FILTER (WHERE series = 'h_pen_decisions') AS h_pen_decisions_grade,
        max(value) FILTER (WHERE series = 'h_coe_decisions') AS h_coe_decisions,
        max(grade) FILTER (WHERE series = 'h_coe_decisions') AS h_coe_decisions_grade,
        max(value) FILTER (WHERE series = 'h_ogi_fee') AS h_ogi_fee,
        max(grade) FILTER (WHERE series = 'h_ogi_fee') AS h_ogi_fee_grade
    FROM v_series
    GROUP BY report_id
)

SELECT
    r.agency_id,
    r.agency_name,
    r.agency,
    r.year,
    r.report_id,
    r.era,
    coalesce(s.break_before, false) AS break_before,
    s.h_requests_new,
    s.h_requests_new_grade,
    s.h_requests_decided,
    s.h_requests_decided_grade,
    s.h_granted,
    s.h_granted_grade,
    s.h_partial,
    s.h_partial_grade,
    s.h_denied_statutory,
    s.h_denied_statutory_grade,
    s.h_not_held,
    s.h_not_held_grade,
    s.h_third_party,
    s.h_third_party_grade,
    s.h_state_secret,
    s.h_state_secret_grade,
    s.h_rev_total,
    s.h_rev_total_grade,
    s.h_rev_corrected,
    s.h_rev_corrected_grade,
    s.h_lit_total,
    s.h_lit_total_grade,
    s.h_lit_corrected,
    s.h_lit_corrected_grade,
    s.h_nd_made,
    s.h_nd_made_grade,
    s.h_lic_decisions,
    s.h_lic_decisions_grade,
    s.h_pen_decisions,
    s.h_pen_decisions_grade,
    s.h_coe_decisions,
    s.h_coe_decisions_grade,
    s.h_ogi_fee,
    s.h_ogi_fee_grade
FROM v_rep AS r
LEFT JOIN series_by_report AS s USING (report_id);
