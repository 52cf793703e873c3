-- model_report — the fact model, materialised: one row per CURRENT report, wide. Every observed metric
-- code of metrics.csv is a column holding the report's value of that code for party 'total' (table 三)
-- or '_' (all other tables), by a PIVOT over facts with a fixed IN list of codes (static SQL: a code
-- missing from a report is NULL). Blank, dash and na_text cells are NULL (unknown, never 0); imputed cells
-- (filled by a rule, see v_quality) count as values. Derived subtotals are computed here with NULL propagation: a sum is
-- NULL as soon as one of its terms is unknown. Every metric view reads this table (through v_rep), never
-- facts directly. Rebuilt by the writer (flows/warehouse/models.py) when the data, sql/models or the dictionaries
-- changed: at the end of an ingest run that loaded anything, and on a read-write open of a stale warehouse.
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
CREATE OR REPLACE TABLE model_report AS
WITH
current_report_rows AS (
    SELECT * FROM reports WHERE is_current
),

report_facts AS (
    -- the total / '_' value of every fact of a current report
    SELECT f.report_id, f.code, f.value
    FROM facts AS f
    JOIN current_report_rows AS r USING (report_id)
    WHERE f.party IN ('total', '_')
),

report_values AS (
    -- one column per code of the fixed IN list (static: the columns never depend on the data). PIVOT with
    -- an IN list is one grouped aggregate plus a reshape: ~20x faster than 136 FILTER aggregates at 100k reports
    PIVOT report_facts
    ON code IN (
            -- t2
            'reg_made',
            'reg_repealed',
            'reg_in_force',
            'reg_published_new',
            'reg_published_total',
            'nd_made',
            'nd_repealed',
            'nd_in_force',
            'nd_published_new',
            'nd_published_total',
            'lic_items_prev',
            'lic_items_change',
            'lic_decisions',
            'oms_items_prev',
            'oms_items_change',
            'oms_decisions',
            'pen_items_prev',
            'pen_items_change',
            'pen_decisions',
            'coe_items_prev',
            'coe_items_change',
            'coe_decisions',
            'fee_items_prev',
            'fee_items_change',
            'fee_amount',
            'proc_projects',
            'proc_amount',
            -- t3
            'req_new',
            'req_carried_in',
            'out_granted',
            'out_partial',
            'out_den_secret',
            'out_den_law',
            'out_den_3s1s',
            'out_den_3rdparty',
            'out_den_internal',
            'out_den_process',
            'out_den_enforce',
            'out_den_query',
            'out_na_notheld',
            'out_na_create',
            'out_na_unclear',
            'out_np_petition',
            'out_np_repeat',
            'out_np_publication',
            'out_np_mass',
            'out_np_confirm',
            'out_oth',
            'out_oth_nocorrect',
            'out_oth_nofee',
            'out_oth_misc',
            'out_total',
            'req_carried_out',
            -- t4
            'rev_upheld',
            'rev_corrected',
            'rev_other',
            'rev_pending',
            'rev_total',
            'lit_d_upheld',
            'lit_d_corrected',
            'lit_d_other',
            'lit_d_pending',
            'lit_d_total',
            'lit_r_upheld',
            'lit_r_corrected',
            'lit_r_other',
            'lit_r_pending',
            'lit_r_total',
            -- legacy
            'l_pub_items',
            'l_pub_nd_published',
            'l_pub_nd_made',
            'l_pub_ch_gazette',
            'l_pub_ch_web',
            'l_pub_ch_weibo',
            'l_pub_ch_wechat',
            'l_pub_ch_other',
            'l_resp_hotspots',
            'l_resp_pressconf',
            'l_resp_pressconf_head',
            'l_resp_interview',
            'l_resp_interview_head',
            'l_resp_interpret',
            'l_resp_weibo_wechat',
            'l_resp_other',
            'l_req_received',
            'l_req_ch_inperson',
            'l_req_ch_fax',
            'l_req_ch_online',
            'l_req_ch_letter',
            'l_req_ch_email',
            'l_req_ch_web',
            'l_req_ch_other',
            'l_req_closed',
            'l_req_closed_ontime',
            'l_req_closed_extended',
            'l_rep_total',
            'l_rep_already_public',
            'l_rep_granted',
            'l_rep_partial',
            'l_rep_denied',
            'l_rep_den_secret',
            'l_rep_den_commercial',
            'l_rep_den_privacy',
            'l_rep_den_security',
            'l_rep_den_not_govinfo',
            'l_rep_den_other_law',
            'l_rep_not_this_agency',
            'l_rep_not_exist',
            'l_rep_notice_amend',
            'l_rep_notice_other_channel',
            'l_rep_rejected_broad',
            'l_rev_total',
            'l_rev_upheld',
            'l_rev_corrected',
            'l_rev_other',
            'l_lit_total',
            'l_lit_upheld',
            'l_lit_corrected',
            'l_lit_other',
            'l_appeal_total',
            'l_complaints',
            'l_ogi_fee',
            'l_org_units',
            'l_org_reading_points',
            'l_org_staff',
            'l_org_staff_fulltime',
            'l_org_staff_parttime',
            'l_org_budget',
            'l_mtg_meetings',
            'l_mtg_trainings',
            'l_mtg_trainees',
            -- text
            'txt_pub_items',
            'txt_req_received',
            'txt_ogi_fee_yuan',
            'txt_fee_notices',
            'txt_proposals'
    )
    USING max(value)
    GROUP BY report_id
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
