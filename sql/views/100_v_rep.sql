-- v_rep — staging: one row per CURRENT report, wide. Every observed metric code of metrics.csv is a column
-- holding the report's value of that code for party 'total' (table 三) or '_' (all other tables), by
-- conditional aggregation over facts (static SQL: a code missing from a report is simply NULL).
-- Blank, dash and na_text cells are NULL (unknown, never 0); imputed cells (filled by a rule, see
-- v_quality) count as values. Derived subtotals are computed here with NULL propagation: a sum is
-- NULL as soon as one of its terms is unknown. Every metric view reads this view, never facts directly.
--
-- Columns:
--   report_id          reports.report_id of the current version
--   agency             agency name as printed in the report
--   agency_id          agency identity across years and spellings ('330212:卫生健康局'; 'name:…' if unresolved)
--   agency_name        region-qualified canonical agency name
--   agency_type        agency type (卫生健康, 教育, 政府 …)
--   province           province of the agency's division
--   city               city (prefecture) of the agency's division
--   county             county-level division of the agency
--   division_code      six-digit 行政区划代码 of the most specific division
--   admin_level        province | city | county | township
--   report_scope       agency_self | government_self | region_aggregate
--   year               report year
--   gen_t2             generation of table 二 (g19 | g21), NULL if absent
--   gen_t3             generation of table 三 (g19 | g21), NULL if absent
--   gen_t4             generation of table 四 (g19 | g21), NULL if absent
--   gen_legacy         'legacy' when the report has the pre-2019 统计表
--   era                g when any G19/G21 table is present, legacy when only the 统计表 is, NULL otherwise
--   legacy_form        L16 (national 样表) | LP (pre-2014 local form, recognised by an LP-only code) | NULL
--   out_den            derived: sum of the 8 out_den_* reasons (rule DEF-out_den)
--   out_na             derived: sum of the 3 out_na_* reasons (DEF-out_na)
--   out_np             derived: sum of the 5 out_np_* reasons (DEF-out_np)
--   out_oth            the printed （六）其他处理 row (G19, and G21-era reports printing the single row); else
--                      out_oth_nocorrect + out_oth_nofee + out_oth_misc (G21 sub-rows, rule T3-C)
--   lit_upheld         derived: lit_d_upheld + lit_r_upheld (rule T4-B)
--   lit_corrected      derived: lit_d_corrected + lit_r_corrected
--   lit_other          derived: lit_d_other + lit_r_other
--   lit_pending        derived: lit_d_pending + lit_r_pending
--   lit_total          derived: lit_d_total + lit_r_total
--   (every other column) the value of the observed metric code of that name (metric_dictionary);
--                      table 三 codes are the 总计 (total) column. LP-only legacy codes have no column
--                      (no view needs them; read facts).
CREATE OR REPLACE VIEW v_rep AS
WITH
current_report_rows AS (
    SELECT * FROM reports WHERE is_current
),

report_values AS (
    SELECT
        f.report_id,
        -- t2
        max(f.value) FILTER (WHERE f.code = 'reg_made') AS reg_made,
        max(f.value) FILTER (WHERE f.code = 'reg_repealed') AS reg_repealed,
        max(f.value) FILTER (WHERE f.code = 'reg_in_force') AS reg_in_force,
        max(f.value) FILTER (WHERE f.code = 'reg_published_new') AS reg_published_new,
        max(f.value) FILTER (WHERE f.code = 'reg_published_total') AS reg_published_total,
        max(f.value) FILTER (WHERE f.code = 'nd_made') AS nd_made,
        max(f.value) FILTER (WHERE f.code = 'nd_repealed') AS nd_repealed,
        max(f.value) FILTER (WHERE f.code = 'nd_in_force') AS nd_in_force,
        max(f.value) FILTER (WHERE f.code = 'nd_published_new') AS nd_published_new,
        max(f.value) FILTER (WHERE f.code = 'nd_published_total') AS nd_published_total,
        max(f.value) FILTER (WHERE f.code = 'lic_items_prev') AS lic_items_prev,
        max(f.value) FILTER (WHERE f.code = 'lic_items_change') AS lic_items_change,
        max(f.value) FILTER (WHERE f.code = 'lic_decisions') AS lic_decisions,
        max(f.value) FILTER (WHERE f.code = 'oms_items_prev') AS oms_items_prev,
        max(f.value) FILTER (WHERE f.code = 'oms_items_change') AS oms_items_change,
        max(f.value) FILTER (WHERE f.code = 'oms_decisions') AS oms_decisions,
        max(f.value) FILTER (WHERE f.code = 'pen_items_prev') AS pen_items_prev,
        max(f.value) FILTER (WHERE f.code = 'pen_items_change') AS pen_items_change,
        max(f.value) FILTER (WHERE f.code = 'pen_decisions') AS pen_decisions,
        max(f.value) FILTER (WHERE f.code = 'coe_items_prev') AS coe_items_prev,
        max(f.value) FILTER (WHERE f.code = 'coe_items_change') AS coe_items_change,
        max(f.value) FILTER (WHERE f.code = 'coe_decisions') AS coe_decisions,
        max(f.value) FILTER (WHERE f.code = 'fee_items_prev') AS fee_items_prev,
        max(f.value) FILTER (WHERE f.code = 'fee_items_change') AS fee_items_change,
        max(f.value) FILTER (WHERE f.code = 'fee_amount') AS fee_amount,
        max(f.value) FILTER (WHERE f.code = 'proc_projects') AS proc_projects,
        max(f.value) FILTER (WHERE f.code = 'proc_amount') AS proc_amount,
        -- t3
        max(f.value) FILTER (WHERE f.code = 'req_new') AS req_new,
        max(f.value) FILTER (WHERE f.code = 'req_carried_in') AS req_carried_in,
        max(f.value) FILTER (WHERE f.code = 'out_granted') AS out_granted,
        max(f.value) FILTER (WHERE f.code = 'out_partial') AS out_partial,
        max(f.value) FILTER (WHERE f.code = 'out_den_secret') AS out_den_secret,
        max(f.value) FILTER (WHERE f.code = 'out_den_law') AS out_den_law,
        max(f.value) FILTER (WHERE f.code = 'out_den_3s1s') AS out_den_3s1s,
        max(f.value) FILTER (WHERE f.code = 'out_den_3rdparty') AS out_den_3rdparty,
        max(f.value) FILTER (WHERE f.code = 'out_den_internal') AS out_den_internal,
        max(f.value) FILTER (WHERE f.code = 'out_den_process') AS out_den_process,
        max(f.value) FILTER (WHERE f.code = 'out_den_enforce') AS out_den_enforce,
        max(f.value) FILTER (WHERE f.code = 'out_den_query') AS out_den_query,
        max(f.value) FILTER (WHERE f.code = 'out_na_notheld') AS out_na_notheld,
        max(f.value) FILTER (WHERE f.code = 'out_na_create') AS out_na_create,
        max(f.value) FILTER (WHERE f.code = 'out_na_unclear') AS out_na_unclear,
        max(f.value) FILTER (WHERE f.code = 'out_np_petition') AS out_np_petition,
        max(f.value) FILTER (WHERE f.code = 'out_np_repeat') AS out_np_repeat,
        max(f.value) FILTER (WHERE f.code = 'out_np_publication') AS out_np_publication,
        max(f.value) FILTER (WHERE f.code = 'out_np_mass') AS out_np_mass,
        max(f.value) FILTER (WHERE f.code = 'out_np_confirm') AS out_np_confirm,
        max(f.value) FILTER (WHERE f.code = 'out_oth') AS out_oth,
        max(f.value) FILTER (WHERE f.code = 'out_oth_nocorrect') AS out_oth_nocorrect,
        max(f.value) FILTER (WHERE f.code = 'out_oth_nofee') AS out_oth_nofee,
        max(f.value) FILTER (WHERE f.code = 'out_oth_misc') AS out_oth_misc,
        max(f.value) FILTER (WHERE f.code = 'out_total') AS out_total,
        max(f.value) FILTER (WHERE f.code = 'req_carried_out') AS req_carried_out,
        -- t4
        max(f.value) FILTER (WHERE f.code = 'rev_upheld') AS rev_upheld,
        max(f.value) FILTER (WHERE f.code = 'rev_corrected') AS rev_corrected,
        max(f.value) FILTER (WHERE f.code = 'rev_other') AS rev_other,
        max(f.value) FILTER (WHERE f.code = 'rev_pending') AS rev_pending,
        max(f.value) FILTER (WHERE f.code = 'rev_total') AS rev_total,
        max(f.value) FILTER (WHERE f.code = 'lit_d_upheld') AS lit_d_upheld,
        max(f.value) FILTER (WHERE f.code = 'lit_d_corrected') AS lit_d_corrected,
        max(f.value) FILTER (WHERE f.code = 'lit_d_other') AS lit_d_other,
        max(f.value) FILTER (WHERE f.code = 'lit_d_pending') AS lit_d_pending,
        max(f.value) FILTER (WHERE f.code = 'lit_d_total') AS lit_d_total,
        max(f.value) FILTER (WHERE f.code = 'lit_r_upheld') AS lit_r_upheld,
        max(f.value) FILTER (WHERE f.code = 'lit_r_corrected') AS lit_r_corrected,
        max(f.value) FILTER (WHERE f.code = 'lit_r_other') AS lit_r_other,
        max(f.value) FILTER (WHERE f.code = 'lit_r_pending') AS lit_r_pending,
        max(f.value) FILTER (WHERE f.code = 'lit_r_total') AS lit_r_total,
        -- legacy
        max(f.value) FILTER (WHERE f.code = 'l_pub_items') AS l_pub_items,
        max(f.value) FILTER (WHERE f.code = 'l_pub_nd_published') AS l_pub_nd_published,
        max(f.value) FILTER (WHERE f.code = 'l_pub_nd_made') AS l_pub_nd_made,
        max(f.value) FILTER (WHERE f.code = 'l_pub_ch_gazette') AS l_pub_ch_gazette,
        max(f.value) FILTER (WHERE f.code = 'l_pub_ch_web') AS l_pub_ch_web,
        max(f.value) FILTER (WHERE f.code = 'l_pub_ch_weibo') AS l_pub_ch_weibo,
        max(f.value) FILTER (WHERE f.code = 'l_pub_ch_wechat') AS l_pub_ch_wechat,
        max(f.value) FILTER (WHERE f.code = 'l_pub_ch_other') AS l_pub_ch_other,
        max(f.value) FILTER (WHERE f.code = 'l_resp_hotspots') AS l_resp_hotspots,
        max(f.value) FILTER (WHERE f.code = 'l_resp_pressconf') AS l_resp_pressconf,
        max(f.value) FILTER (WHERE f.code = 'l_resp_pressconf_head') AS l_resp_pressconf_head,
        max(f.value) FILTER (WHERE f.code = 'l_resp_interview') AS l_resp_interview,
        max(f.value) FILTER (WHERE f.code = 'l_resp_interview_head') AS l_resp_interview_head,
        max(f.value) FILTER (WHERE f.code = 'l_resp_interpret') AS l_resp_interpret,
        max(f.value) FILTER (WHERE f.code = 'l_resp_weibo_wechat') AS l_resp_weibo_wechat,
        max(f.value) FILTER (WHERE f.code = 'l_resp_other') AS l_resp_other,
        max(f.value) FILTER (WHERE f.code = 'l_req_received') AS l_req_received,
        max(f.value) FILTER (WHERE f.code = 'l_req_ch_inperson') AS l_req_ch_inperson,
        max(f.value) FILTER (WHERE f.code = 'l_req_ch_fax') AS l_req_ch_fax,
        max(f.value) FILTER (WHERE f.code = 'l_req_ch_online') AS l_req_ch_online,
        max(f.value) FILTER (WHERE f.code = 'l_req_ch_letter') AS l_req_ch_letter,
        max(f.value) FILTER (WHERE f.code = 'l_req_ch_email') AS l_req_ch_email,
        max(f.value) FILTER (WHERE f.code = 'l_req_ch_web') AS l_req_ch_web,
        max(f.value) FILTER (WHERE f.code = 'l_req_ch_other') AS l_req_ch_other,
        max(f.value) FILTER (WHERE f.code = 'l_req_closed') AS l_req_closed,
        max(f.value) FILTER (WHERE f.code = 'l_req_closed_ontime') AS l_req_closed_ontime,
        max(f.value) FILTER (WHERE f.code = 'l_req_closed_extended') AS l_req_closed_extended,
        max(f.value) FILTER (WHERE f.code = 'l_rep_total') AS l_rep_total,
        max(f.value) FILTER (WHERE f.code = 'l_rep_already_public') AS l_rep_already_public,
        max(f.value) FILTER (WHERE f.code = 'l_rep_granted') AS l_rep_granted,
        max(f.value) FILTER (WHERE f.code = 'l_rep_partial') AS l_rep_partial,
        max(f.value) FILTER (WHERE f.code = 'l_rep_denied') AS l_rep_denied,
        max(f.value) FILTER (WHERE f.code = 'l_rep_den_secret') AS l_rep_den_secret,
        max(f.value) FILTER (WHERE f.code = 'l_rep_den_commercial') AS l_rep_den_commercial,
        max(f.value) FILTER (WHERE f.code = 'l_rep_den_privacy') AS l_rep_den_privacy,
        max(f.value) FILTER (WHERE f.code = 'l_rep_den_security') AS l_rep_den_security,
        max(f.value) FILTER (WHERE f.code = 'l_rep_den_not_govinfo') AS l_rep_den_not_govinfo,
        max(f.value) FILTER (WHERE f.code = 'l_rep_den_other_law') AS l_rep_den_other_law,
        max(f.value) FILTER (WHERE f.code = 'l_rep_not_this_agency') AS l_rep_not_this_agency,
        max(f.value) FILTER (WHERE f.code = 'l_rep_not_exist') AS l_rep_not_exist,
        max(f.value) FILTER (WHERE f.code = 'l_rep_notice_amend') AS l_rep_notice_amend,
        max(f.value) FILTER (WHERE f.code = 'l_rep_notice_other_channel') AS l_rep_notice_other_channel,
        max(f.value) FILTER (WHERE f.code = 'l_rep_rejected_broad') AS l_rep_rejected_broad,
        max(f.value) FILTER (WHERE f.code = 'l_rev_total') AS l_rev_total,
        max(f.value) FILTER (WHERE f.code = 'l_rev_upheld') AS l_rev_upheld,
        max(f.value) FILTER (WHERE f.code = 'l_rev_corrected') AS l_rev_corrected,
        max(f.value) FILTER (WHERE f.code = 'l_rev_other') AS l_rev_other,
        max(f.value) FILTER (WHERE f.code = 'l_lit_total') AS l_lit_total,
        max(f.value) FILTER (WHERE f.code = 'l_lit_upheld') AS l_lit_upheld,
        max(f.value) FILTER (WHERE f.code = 'l_lit_corrected') AS l_lit_corrected,
        max(f.value) FILTER (WHERE f.code = 'l_lit_other') AS l_lit_other,
        max(f.value) FILTER (WHERE f.code = 'l_appeal_total') AS l_appeal_total,
        max(f.value) FILTER (WHERE f.code = 'l_complaints') AS l_complaints,
        max(f.value) FILTER (WHERE f.code = 'l_ogi_fee') AS l_ogi_fee,
        max(f.value) FILTER (WHERE f.code = 'l_org_units') AS l_org_units,
        max(f.value) FILTER (WHERE f.code = 'l_org_reading_points') AS l_org_reading_points,
        max(f.value) FILTER (WHERE f.code = 'l_org_staff') AS l_org_staff,
        max(f.value) FILTER (WHERE f.code = 'l_org_staff_fulltime') AS l_org_staff_fulltime,
        max(f.value) FILTER (WHERE f.code = 'l_org_staff_parttime') AS l_org_staff_parttime,
        max(f.value) FILTER (WHERE f.code = 'l_org_budget') AS l_org_budget,
        max(f.value) FILTER (WHERE f.code = 'l_mtg_meetings') AS l_mtg_meetings,
        max(f.value) FILTER (WHERE f.code = 'l_mtg_trainings') AS l_mtg_trainings,
        max(f.value) FILTER (WHERE f.code = 'l_mtg_trainees') AS l_mtg_trainees,
        -- text
        max(f.value) FILTER (WHERE f.code = 'txt_pub_items') AS txt_pub_items,
        max(f.value) FILTER (WHERE f.code = 'txt_req_received') AS txt_req_received,
        max(f.value) FILTER (WHERE f.code = 'txt_ogi_fee_yuan') AS txt_ogi_fee_yuan,
        max(f.value) FILTER (WHERE f.code = 'txt_fee_notices') AS txt_fee_notices,
        max(f.value) FILTER (WHERE f.code = 'txt_proposals') AS txt_proposals
    FROM facts AS f
    JOIN current_report_rows AS r USING (report_id)
    WHERE f.party IN ('total', '_')
    GROUP BY f.report_id
),

lp_forms AS (
    -- legacy tables that carry a code only the pre-2014 local (LP) forms have (metric_dictionary.lp_only)
    SELECT DISTINCT f.report_id
    FROM facts AS f
    WHERE f.table_id = 'legacy'
      AND f.code IN (SELECT code FROM metric_dictionary WHERE lp_only)
)

SELECT
    r.report_id,
    r.agency,
    r.agency_id,
    r.agency_name,
    r.agency_type,
    r.province,
    r.city,
    r.county,
    r.division_code,
    r.admin_level,
    r.report_scope,
    r.year,
    r.gen_t2,
    r.gen_t3,
    r.gen_t4,
    r.gen_legacy,
    CASE
        WHEN coalesce(r.gen_t2, r.gen_t3, r.gen_t4) IS NOT NULL THEN 'g'
        WHEN r.gen_legacy IS NOT NULL THEN 'legacy'
    END AS era,
    CASE
        WHEN r.gen_legacy IS NULL THEN NULL
        WHEN lp.report_id IS NOT NULL THEN 'LP'
        ELSE 'L16'
    END AS legacy_form,
    v.* EXCLUDE (report_id, out_oth),
    v.out_den_secret + v.out_den_law + v.out_den_3s1s + v.out_den_3rdparty
        + v.out_den_internal + v.out_den_process + v.out_den_enforce + v.out_den_query AS out_den,
    v.out_na_notheld + v.out_na_create + v.out_na_unclear AS out_na,
    v.out_np_petition + v.out_np_repeat + v.out_np_publication + v.out_np_mass + v.out_np_confirm AS out_np,
    coalesce(v.out_oth, v.out_oth_nocorrect + v.out_oth_nofee + v.out_oth_misc) AS out_oth,
    v.lit_d_upheld + v.lit_r_upheld AS lit_upheld,
    v.lit_d_corrected + v.lit_r_corrected AS lit_corrected,
    v.lit_d_other + v.lit_r_other AS lit_other,
    v.lit_d_pending + v.lit_r_pending AS lit_pending,
    v.lit_d_total + v.lit_r_total AS lit_total
FROM current_report_rows AS r
LEFT JOIN report_values AS v USING (report_id)
LEFT JOIN lp_forms AS lp USING (report_id);
