-- v_enforcement — licensing, penalties, coercion, normative documents and administrative fees of table 二,
-- one row per current report with a G19/G21 table 二. Changes are against the agency's
-- report of the previous year only (prev_year = year − 1; NULL otherwise). lic/pen/coe decisions chain
-- G19 ↔ G21 (grade A−). fee_amount (G21, 万元) is the agency's administrative fees and is never chained
-- with the G19 fee item counts (not comparable); it is not the OGI information-processing fee.
--
-- Columns:
--   report_id                     reports.report_id of the current version
--   agency_id                     agency identity across years and spellings
--   agency_name                   region-qualified canonical agency name
--   year                          report year
--   report_scope                  agency_self | government_self | region_aggregate
--   gen_t2                        generation of table 二 (g19 | g21)
--   prev_year                     year of the agency's previous G-era table 二, NULL if none
--   lic_decisions                 licensing decisions (行政许可 处理决定数量)
--   lic_decisions_yoy             lic_decisions / previous year's − 1 (adjacent years only; NULL if previous is 0)
--   pen_decisions                 penalty decisions (行政处罚)
--   pen_decisions_yoy             pen_decisions / previous year's − 1
--   coe_decisions                 coercion decisions (行政强制)
--   coe_decisions_yoy             coe_decisions / previous year's − 1
--   service_enforcement_ratio     监管—服务结构比: lic_decisions / (pen_decisions + coe_decisions)
--   service_enforcement_ratio_n   pen_decisions + coe_decisions
--   nd_made                       normative documents issued this year (G19 and G21)
--   nd_repealed                   normative documents repealed (G21)
--   nd_in_force                   normative documents in force at year end (G21)
--   nd_net_change                 nd_made − nd_repealed (G21)
--   nd_in_force_prev              nd_in_force of the previous year (adjacent years only)
--   nd_repeal_rate                nd_repealed / (nd_in_force_prev + nd_made)
--   nd_repeal_rate_n              nd_in_force_prev + nd_made
--   nd_stock_residual             nd_in_force − (nd_in_force_prev + nd_made − nd_repealed); ≠ 0 breaks rule T2-A.nd
--   admin_fee_amount              fee_amount: administrative fees collected, 万元 (G21 only)
CREATE OR REPLACE VIEW v_enforcement AS
WITH
table2 AS (
    SELECT
        report_id, agency_id, agency_name, year, report_scope, gen_t2,
        lic_decisions, pen_decisions, coe_decisions, nd_made, nd_repealed, nd_in_force, fee_amount
    FROM v_rep
    WHERE gen_t2 IS NOT NULL
),

with_previous AS (
    SELECT
        *,
        lag(year) OVER w AS prev_year,
        lag(lic_decisions) OVER w AS lic_prev,
        lag(pen_decisions) OVER w AS pen_prev,
        lag(coe_decisions) OVER w AS coe_prev,
        lag(nd_in_force) OVER w AS nd_in_force_lag
    FROM table2
    WINDOW w AS (PARTITION BY coalesce(agency_id, report_id) ORDER BY year)
),

adjacent AS (
    SELECT
        *,
        coalesce(prev_year = year - 1, false) AS is_adjacent,
        CASE WHEN prev_year = year - 1 THEN nd_in_force_lag END AS nd_in_force_prev
    FROM with_previous
)

SELECT
    report_id,
    agency_id,
    agency_name,
    year,
    report_scope,
    gen_t2,
    prev_year,
    lic_decisions,
    CASE WHEN is_adjacent THEN lic_decisions / nullif(lic_prev, 0) - 1 END AS lic_decisions_yoy,
    pen_decisions,
    CASE WHEN is_adjacent THEN pen_decisions / nullif(pen_prev, 0) - 1 END AS pen_decisions_yoy,
    coe_decisions,
    CASE WHEN is_adjacent THEN coe_decisions / nullif(coe_prev, 0) - 1 END AS coe_decisions_yoy,
    lic_decisions / nullif(pen_decisions + coe_decisions, 0) AS service_enforcement_ratio,
    pen_decisions + coe_decisions AS service_enforcement_ratio_n,
    nd_made,
    nd_repealed,
    nd_in_force,
    nd_made - nd_repealed AS nd_net_change,
    nd_in_force_prev,
    nd_repealed / nullif(nd_in_force_prev + nd_made, 0) AS nd_repeal_rate,
    nd_in_force_prev + nd_made AS nd_repeal_rate_n,
    nd_in_force - (nd_in_force_prev + nd_made - nd_repealed) AS nd_stock_residual,
    fee_amount AS admin_fee_amount
FROM adjacent;
