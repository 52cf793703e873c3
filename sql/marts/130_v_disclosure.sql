-- v_disclosure — outcome metrics of table 三, one row per current report with a G19/G21
-- table 三. Every rate sits next to its denominator (*_n). A rate is NULL — never 0 — when its
-- denominator is 0 or unknown, or a numerator term is unknown (blank / dash). small_* flags mark
-- denominators below 5, where a rate is anecdotal. Values are the 总计 column.
--
-- Columns:
--   report_id                  reports.report_id of the current version
--   agency_id                  agency identity across years and spellings
--   agency_name                region-qualified canonical agency name
--   year                       report year
--   report_scope               agency_self | government_self | region_aggregate
--   gen_t3                     generation of table 三 (g19 | g21)
--   disclosure_rate            实质公开率: (out_granted + out_partial) / out_total
--   disclosure_rate_n          its denominator: out_total
--   full_disclosure_rate       out_granted / out_total
--   full_disclosure_rate_n     out_total
--   merits_disclosure_rate     (out_granted + out_partial) / (out_granted + out_partial + out_den): among decisions on the merits
--   merits_disclosure_rate_n   out_granted + out_partial + out_den
--   statutory_denial_rate      out_den / out_total
--   statutory_denial_rate_n    out_total
--   denial_share_secret        out_den_secret / out_den (国家秘密)
--   denial_share_law           out_den_law / out_den (其他法律行政法规禁止)
--   denial_share_3s1s          out_den_3s1s / out_den (三安全一稳定)
--   denial_share_3rdparty      out_den_3rdparty / out_den (第三方合法权益)
--   denial_share_internal      out_den_internal / out_den (三类内部事务)
--   denial_share_process       out_den_process / out_den (四类过程性信息)
--   denial_share_enforce       out_den_enforce / out_den (行政执法案卷)
--   denial_share_query         out_den_query / out_den (行政查询事项)
--   denial_share_n             denominator of the 8 denial shares: out_den
--   not_held_rate              out_na_notheld / out_total (本机关不掌握)
--   not_held_rate_n            out_total
--   procedural_disposal_rate   (out_na + out_np + out_oth) / out_total ("事实操作性" disposals)
--   procedural_disposal_rate_n out_total
--   np_mix_petition            out_np_petition / out_np (信访举报投诉类)
--   np_mix_repeat              out_np_repeat / out_np (重复申请)
--   np_mix_publication         out_np_publication / out_np (公开出版物)
--   np_mix_mass                out_np_mass / out_np (大量反复申请)
--   np_mix_confirm             out_np_confirm / out_np (确认或重新出具)
--   np_mix_n                   denominator of the 5 not-processed shares: out_np
--   abusive_request_share      (out_np_repeat + out_np_mass) / out_total
--   abusive_request_share_n    out_total
--   fee_drop_share             out_oth_nofee / out_total (G21 only: fee notice not paid; NULL for G19 tables)
--   fee_drop_share_n           out_total (NULL for G19 tables)
--   small_out_total            out_total < 5
--   small_merits_n             merits_disclosure_rate_n < 5
--   small_denial_n             out_den < 5
--   small_np_n                 out_np < 5
CREATE OR REPLACE VIEW v_disclosure AS
WITH
outcomes AS (
    SELECT
        *,
        out_granted + out_partial AS disclosed,
        out_granted + out_partial + out_den AS merits
    FROM v_rep
    WHERE gen_t3 IS NOT NULL
)

SELECT
    report_id,
    agency_id,
    agency_name,
    year,
    report_scope,
    gen_t3,
    disclosed / nullif(out_total, 0) AS disclosure_rate,
    out_total AS disclosure_rate_n,
    out_granted / nullif(out_total, 0) AS full_disclosure_rate,
    out_total AS full_disclosure_rate_n,
    disclosed / nullif(merits, 0) AS merits_disclosure_rate,
    merits AS merits_disclosure_rate_n,
    out_den / nullif(out_total, 0) AS statutory_denial_rate,
    out_total AS statutory_denial_rate_n,
    out_den_secret / nullif(out_den, 0) AS denial_share_secret,
    out_den_law / nullif(out_den, 0) AS denial_share_law,
    out_den_3s1s / nullif(out_den, 0) AS denial_share_3s1s,
    out_den_3rdparty / nullif(out_den, 0) AS denial_share_3rdparty,
    out_den_internal / nullif(out_den, 0) AS denial_share_internal,
    out_den_process / nullif(out_den, 0) AS denial_share_process,
    out_den_enforce / nullif(out_den, 0) AS denial_share_enforce,
    out_den_query / nullif(out_den, 0) AS denial_share_query,
    out_den AS denial_share_n,
    out_na_notheld / nullif(out_total, 0) AS not_held_rate,
    out_total AS not_held_rate_n,
    (out_na + out_np + out_oth) / nullif(out_total, 0) AS procedural_disposal_rate,
    out_total AS procedural_disposal_rate_n,
    out_np_petition / nullif(out_np, 0) AS np_mix_petition,
    out_np_repeat / nullif(out_np, 0) AS np_mix_repeat,
    out_np_publication / nullif(out_np, 0) AS np_mix_publication,
    out_np_mass / nullif(out_np, 0) AS np_mix_mass,
    out_np_confirm / nullif(out_np, 0) AS np_mix_confirm,
    out_np AS np_mix_n,
    (out_np_repeat + out_np_mass) / nullif(out_total, 0) AS abusive_request_share,
    out_total AS abusive_request_share_n,
    CASE WHEN gen_t3 = 'g21' THEN out_oth_nofee / nullif(out_total, 0) END AS fee_drop_share,
    CASE WHEN gen_t3 = 'g21' THEN out_total END AS fee_drop_share_n,
    out_total < 5 AS small_out_total,
    merits < 5 AS small_merits_n,
    out_den < 5 AS small_denial_n,
    out_np < 5 AS small_np_n
FROM outcomes;
