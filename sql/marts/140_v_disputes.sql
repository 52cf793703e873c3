-- v_disputes — administrative reconsideration (行政复议) and litigation (行政诉讼) of table 四,
-- one row per current report with a G19/G21 table 四. Rates sit next to their denominators (*_n),
-- are NULL when the denominator is 0 or unknown, and small_* flags mark denominators below 5.
-- "Concluded" rates leave pending (尚未审结) cases out of the denominator.
--
-- Columns:
--   report_id                         reports.report_id of the current version
--   agency_id                         agency identity across years and spellings
--   agency_name                       region-qualified canonical agency name
--   year                              report year
--   report_scope                      agency_self | government_self | region_aggregate
--   rev_total                         reconsiderations (总计)
--   rev_corrected                     reconsiderations corrected (结果纠正)
--   rev_pending                       reconsiderations pending (尚未审结)
--   lit_d_total                       lawsuits filed directly (未经复议直接起诉 总计)
--   lit_r_total                       lawsuits filed after reconsideration (复议后起诉 总计)
--   lit_total                         all lawsuits: lit_d_total + lit_r_total
--   lit_corrected                     lawsuits corrected: lit_d_corrected + lit_r_corrected
--   lit_pending                       lawsuits pending: lit_d_pending + lit_r_pending
--   rev_correction_rate               naive: rev_corrected / rev_total
--   rev_correction_rate_n             rev_total
--   rev_correction_rate_concluded     rev_corrected / (rev_total − rev_pending)
--   rev_correction_rate_concluded_n   rev_total − rev_pending
--   lit_correction_rate               naive: lit_corrected / lit_total
--   lit_correction_rate_n             lit_total
--   lit_correction_rate_concluded     lit_corrected / (lit_total − lit_pending)
--   lit_correction_rate_concluded_n   lit_total − lit_pending
--   overall_correction_rate           (rev_corrected + lit_corrected) / (rev_total + lit_total − rev_pending − lit_pending)
--   overall_correction_rate_n         rev_total + lit_total − rev_pending − lit_pending
--   disputes_per_100_decisions        100 × (rev_total + lit_d_total) / out_total (suits after review left out: one dispute)
--   disputes_per_100_decisions_n      out_total
--   correction_per_1000_requests      1000 × (rev_corrected + lit_corrected) / req_new
--   correction_per_1000_requests_n    req_new
--   review_to_suit_escalation         lit_r_total / rev_total (indicative: cases straddle years)
--   review_to_suit_escalation_n       rev_total
--   small_rev_n                       rev_total < 5
--   small_lit_n                       lit_total < 5
--   small_out_total                   out_total < 5
CREATE OR REPLACE VIEW v_disputes AS
WITH
disputes AS (
    SELECT
        *,
        rev_total - rev_pending AS rev_concluded,
        lit_total - lit_pending AS lit_concluded,
        rev_total + lit_total - rev_pending - lit_pending AS all_concluded,
        rev_corrected + lit_corrected AS all_corrected
    FROM v_rep
    WHERE gen_t4 IS NOT NULL
)

SELECT
    report_id,
    agency_id,
    agency_name,
    year,
    report_scope,
    rev_total,
    rev_corrected,
    rev_pending,
    lit_d_total,
    lit_r_total,
    lit_total,
    lit_corrected,
    lit_pending,
    rev_corrected / nullif(rev_total, 0) AS rev_correction_rate,
    rev_total AS rev_correction_rate_n,
    rev_corrected / nullif(rev_concluded, 0) AS rev_correction_rate_concluded,
    rev_concluded AS rev_correction_rate_concluded_n,
    lit_corrected / nullif(lit_total, 0) AS lit_correction_rate,
    lit_total AS lit_correction_rate_n,
    lit_corrected / nullif(lit_concluded, 0) AS lit_correction_rate_concluded,
    lit_concluded AS lit_correction_rate_concluded_n,
    all_corrected / nullif(all_concluded, 0) AS overall_correction_rate,
    all_concluded AS overall_correction_rate_n,
    100 * (rev_total + lit_d_total) / nullif(out_total, 0) AS disputes_per_100_decisions,
    out_total AS disputes_per_100_decisions_n,
    1000 * all_corrected / nullif(req_new, 0) AS correction_per_1000_requests,
    req_new AS correction_per_1000_requests_n,
    lit_r_total / nullif(rev_total, 0) AS review_to_suit_escalation,
    rev_total AS review_to_suit_escalation_n,
    rev_total < 5 AS small_rev_n,
    lit_total < 5 AS small_lit_n,
    out_total < 5 AS small_out_total
FROM disputes;
