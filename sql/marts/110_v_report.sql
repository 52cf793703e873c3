-- v_report — one row per current report: who (agency, region, type, scope), when (year, table
-- generations), the headline numbers of tables 二/三/四 (table 三: 总计 column), and how the report's own
-- arithmetic fared (check summary). Values are NULL when the cell was blank, a dash, or the table is
-- absent (legacy reports: see the l_* columns and v_series). Imputed cells count as values (v_quality).
--
-- Columns:
--   report_id              reports.report_id of the current version
--   agency                 agency name as printed in the report
--   agency_name            region-qualified canonical agency name
--   agency_id              agency identity across years and spellings
--   division_code          six-digit 行政区划代码 of the most specific division
--   province               province
--   city                   city (prefecture)
--   county                 county-level division
--   admin_level            province | city | county | township
--   agency_type            agency type (卫生健康, 教育, 政府 …)
--   report_scope           agency_self | government_self | region_aggregate
--   year                   report year
--   era                    g (G19/G21 tables) | legacy (统计表 only)
--   gen_t2                 generation of table 二 (g19 | g21)
--   gen_t3                 generation of table 三 (g19 | g21)
--   gen_t4                 generation of table 四 (g19 | g21)
--   gen_legacy             'legacy' when the report has the pre-2019 统计表
--   req_new                requests received this year (一、本年新收)
--   req_carried_in         requests carried in from the previous year (二、上年结转)
--   out_total              requests decided this year (（七）总计)
--   req_carried_out        requests carried forward to next year (四、结转下年度继续办理)
--   out_granted            granted in full (（一）予以公开)
--   out_partial            granted in part (（二）部分公开)
--   out_den                denied on statutory grounds (（三）不予公开, sum of 8 reasons)
--   out_na                 unable to provide (（四）无法提供, sum of 3 reasons)
--   out_np                 not processed (（五）不予处理, sum of 5 reasons)
--   out_oth                other disposals (（六）其他处理; G21: sum of its 3 sub-rows)
--   rev_total              administrative reconsiderations (行政复议 总计)
--   rev_upheld             reconsiderations: upheld
--   rev_corrected          reconsiderations: corrected
--   rev_other              reconsiderations: other result
--   rev_pending            reconsiderations: pending
--   lit_total              lawsuits, direct + after reconsideration (derived)
--   lit_upheld             lawsuits: upheld
--   lit_corrected          lawsuits: corrected
--   lit_other              lawsuits: other result
--   lit_pending            lawsuits: pending
--   lic_decisions          administrative licensing decisions (table 二 第（五）项)
--   pen_decisions          administrative penalty decisions (第（六）项)
--   coe_decisions          administrative coercion decisions (第（六）项)
--   fee_amount             administrative fees collected, 万元 (G21 第（八）项; agency fees, not OGI fees)
--   l_req_received         legacy: requests received (收到申请数)
--   l_rep_total            legacy: replies (申请答复数)
--   l_rev_total            legacy: reconsiderations (行政复议数量)
--   l_lit_total            legacy: lawsuits (行政诉讼数量)
--   checks_hard_pass       hard rules that hold (0 when the report has no check rows)
--   checks_hard_fail       hard rules that fail
--   checks_hard_not_evaluable  hard rules with an unknown term
--   checks_soft_fail       soft rules (warnings) that fail
--   format                 file format of the current version (pdf | docx | html | txt)
--   source_path            path of the file the current version was loaded from
CREATE OR REPLACE VIEW v_report AS
WITH
report_values AS (
    SELECT * FROM v_rep
),

report_files AS (
    SELECT report_id, format, source_path FROM reports WHERE is_current
),

check_summary AS (
    SELECT * FROM stg_report_checks
)

SELECT
    v.report_id,
    v.agency,
    v.agency_name,
    v.agency_id,
    v.division_code,
    v.province,
    v.city,
    v.county,
    v.admin_level,
    v.agency_type,
    v.report_scope,
    v.year,
    v.era,
    v.gen_t2,
    v.gen_t3,
    v.gen_t4,
    v.gen_legacy,
    v.req_new,
    v.req_carried_in,
    v.out_total,
    v.req_carried_out,
    v.out_granted,
    v.out_partial,
    v.out_den,
    v.out_na,
    v.out_np,
    v.out_oth,
    v.rev_total,
    v.rev_upheld,
    v.rev_corrected,
    v.rev_other,
    v.rev_pending,
    v.lit_total,
    v.lit_upheld,
    v.lit_corrected,
    v.lit_other,
    v.lit_pending,
    v.lic_decisions,
    v.pen_decisions,
    v.coe_decisions,
    v.fee_amount,
    v.l_req_received,
    v.l_rep_total,
    v.l_rev_total,
    v.l_lit_total,
    coalesce(c.hard_pass, 0) AS checks_hard_pass,
    coalesce(c.hard_fail, 0) AS checks_hard_fail,
    coalesce(c.hard_not_evaluable, 0) AS checks_hard_not_evaluable,
    coalesce(c.soft_fail, 0) AS checks_soft_fail,
    f.format,
    f.source_path
FROM report_values AS v
JOIN report_files AS f USING (report_id)
LEFT JOIN check_summary AS c USING (report_id);
