-- model_series — part of the materialised fact model: the harmonised long series h_* across the 2019
-- break (definitions and grades in series_dictionary, loaded from transform/data/series.csv). One row per current report × series with a
-- known value: G19/G21 values come from the report's tables (G wins when a transition report also
-- attaches a legacy 统计表), earlier years from the L16 统计表 codes, or the LP-form codes where the
-- series has an LP source (series_dictionary.lp_source; none ⇒ no LP value). h_ogi_fee compares the
-- narrative 信息处理费 (txt_ogi_fee_yuan / 10000, 万元) with the old l_ogi_fee: grade C, never chain it.
-- Pairs graded not comparable (fee_amount vs fee_items_*, nd_in_force vs nd_published_total) are no series.
-- A year whose value is blank, dash or absent has no row. Read by v_series (SELECT *) and v_series_wide.
--
-- Columns:
--   agency_id           agency identity across years and spellings
--   agency_name         region-qualified canonical agency name (of that year's report)
--   year                report year
--   series              harmonised series name (series_dictionary.series)
--   value               the value (件; h_ogi_fee in 万元)
--   grade               comparability grade of the series: A, A- (same concept, minor scope differences),
--                       B (approximately comparable: plot with a break), C (different concept: never chain)
--   source_generation   where the value comes from: g19 | g21 (the table's generation), L16 | LP (legacy
--                       统计表 form), text (narrative figure)
--   break_before        true for the first G19/G21-era year after a legacy year of the agency (series break)
--   report_id           current report the value comes from
--   caveat              what differs across the break (series_dictionary.caveat)
CREATE OR REPLACE TABLE model_series AS
WITH
report_panel AS (
    SELECT m.*, p.break_before
    FROM model_report AS m
    INNER JOIN stg_report_previous AS p USING (report_id)
),

series_values AS (
    SELECT
        report_id,
        agency_id,
        agency_name,
        year,
        break_before,
        unnest([
            {'series': 'h_requests_new',
             'value': CASE WHEN gen_t3 IS NOT NULL THEN req_new WHEN legacy_form = 'L16' THEN l_req_received WHEN legacy_form = 'LP' THEN l_req_received END,
             'source_generation': CASE WHEN gen_t3 IS NOT NULL THEN gen_t3 ELSE legacy_form END},
            {'series': 'h_requests_decided',
             'value': CASE WHEN gen_t3 IS NOT NULL THEN out_total WHEN legacy_form = 'L16' THEN coalesce(l_rep_total, l_req_closed) WHEN legacy_form = 'LP' THEN l_rep_total END,
             'source_generation': CASE WHEN gen_t3 IS NOT NULL THEN gen_t3 ELSE legacy_form END},
            {'series': 'h_granted',
             'value': CASE WHEN gen_t3 IS NOT NULL THEN out_granted WHEN legacy_form = 'L16' THEN l_rep_already_public + l_rep_granted WHEN legacy_form = 'LP' THEN l_rep_granted END,
             'source_generation': CASE WHEN gen_t3 IS NOT NULL THEN gen_t3 ELSE legacy_form END},
            {'series': 'h_partial',
             'value': CASE WHEN gen_t3 IS NOT NULL THEN out_partial WHEN legacy_form = 'L16' THEN l_rep_partial WHEN legacy_form = 'LP' THEN l_rep_partial END,
             'source_generation': CASE WHEN gen_t3 IS NOT NULL THEN gen_t3 ELSE legacy_form END},
            {'series': 'h_denied_statutory',
             'value': CASE WHEN gen_t3 IS NOT NULL THEN out_den WHEN legacy_form = 'L16' THEN l_rep_denied END,
             'source_generation': CASE WHEN gen_t3 IS NOT NULL THEN gen_t3 ELSE legacy_form END},
            {'series': 'h_not_held',
             'value': CASE WHEN gen_t3 IS NOT NULL THEN out_na_notheld WHEN legacy_form = 'L16' THEN l_rep_not_this_agency + l_rep_not_exist WHEN legacy_form = 'LP' THEN l_rep_not_this_agency + l_rep_not_exist END,
             'source_generation': CASE WHEN gen_t3 IS NOT NULL THEN gen_t3 ELSE legacy_form END},
            {'series': 'h_third_party',
             'value': CASE WHEN gen_t3 IS NOT NULL THEN out_den_3rdparty WHEN legacy_form = 'L16' THEN l_rep_den_commercial + l_rep_den_privacy END,
             'source_generation': CASE WHEN gen_t3 IS NOT NULL THEN gen_t3 ELSE legacy_form END},
            {'series': 'h_state_secret',
             'value': CASE WHEN gen_t3 IS NOT NULL THEN out_den_secret WHEN legacy_form = 'L16' THEN l_rep_den_secret END,
             'source_generation': CASE WHEN gen_t3 IS NOT NULL THEN gen_t3 ELSE legacy_form END},
            {'series': 'h_rev_total',
             'value': CASE WHEN gen_t4 IS NOT NULL THEN rev_total WHEN legacy_form = 'L16' THEN l_rev_total WHEN legacy_form = 'LP' THEN l_rev_total END,
             'source_generation': CASE WHEN gen_t4 IS NOT NULL THEN gen_t4 ELSE legacy_form END},
            {'series': 'h_rev_corrected',
             'value': CASE WHEN gen_t4 IS NOT NULL THEN rev_corrected WHEN legacy_form = 'L16' THEN l_rev_corrected END,
             'source_generation': CASE WHEN gen_t4 IS NOT NULL THEN gen_t4 ELSE legacy_form END},
            {'series': 'h_lit_total',
             'value': CASE WHEN gen_t4 IS NOT NULL THEN lit_total WHEN legacy_form = 'L16' THEN l_lit_total WHEN legacy_form = 'LP' THEN l_lit_total END,
             'source_generation': CASE WHEN gen_t4 IS NOT NULL THEN gen_t4 ELSE legacy_form END},
            {'series': 'h_lit_corrected',
             'value': CASE WHEN gen_t4 IS NOT NULL THEN lit_corrected WHEN legacy_form = 'L16' THEN l_lit_corrected END,
             'source_generation': CASE WHEN gen_t4 IS NOT NULL THEN gen_t4 ELSE legacy_form END},
            {'series': 'h_nd_made',
             'value': CASE WHEN gen_t2 IS NOT NULL THEN nd_made WHEN legacy_form = 'L16' THEN l_pub_nd_made END,
             'source_generation': CASE WHEN gen_t2 IS NOT NULL THEN gen_t2 ELSE legacy_form END},
            {'series': 'h_lic_decisions',
             'value': CASE WHEN gen_t2 IS NOT NULL THEN lic_decisions END,
             'source_generation': CASE WHEN gen_t2 IS NOT NULL THEN gen_t2 ELSE legacy_form END},
            {'series': 'h_pen_decisions',
             'value': CASE WHEN gen_t2 IS NOT NULL THEN pen_decisions END,
             'source_generation': CASE WHEN gen_t2 IS NOT NULL THEN gen_t2 ELSE legacy_form END},
            {'series': 'h_coe_decisions',
             'value': CASE WHEN gen_t2 IS NOT NULL THEN coe_decisions END,
             'source_generation': CASE WHEN gen_t2 IS NOT NULL THEN gen_t2 ELSE legacy_form END},
            {'series': 'h_ogi_fee',
             'value': CASE WHEN era = 'g' THEN txt_ogi_fee_yuan / 10000 WHEN legacy_form = 'L16' THEN l_ogi_fee END,
             'source_generation': CASE WHEN era = 'g' THEN 'text' ELSE legacy_form END}
        ]) AS s
    FROM report_panel
)

SELECT
    v.agency_id,
    v.agency_name,
    v.year,
    v.s.series AS series,
    v.s.value AS value,
    d.grade,
    v.s.source_generation AS source_generation,
    v.break_before,
    v.report_id,
    d.caveat
FROM series_values AS v
JOIN series_dictionary AS d ON d.series = v.s.series
WHERE v.s.value IS NOT NULL;
