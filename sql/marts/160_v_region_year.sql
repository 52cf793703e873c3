-- v_region_year — province / city / county aggregates per year over current reports with
-- report_scope = 'agency_self' only (government_self and region_aggregate reports would double-count the
-- agencies they cover). Rates are ratios of sums, each over the reports where numerator and
-- denominator are both known (a report with an unknown term drops out of that rate, not to 0);
-- *_n is the summed denominator and *_reports how many reports it covers. Reports whose province is not
-- resolved (ambiguous agency names) are left out.
--
-- Columns:
--   grouping_level            province | city | county: which region columns define the group
--   province                  province (always set)
--   city                      city; NULL on province rows
--   county                    county-level division; NULL on province and city rows
--   year                      report year
--   reports                   current agency_self reports in the group
--   reports_g                 of which with a G19/G21 table 三
--   reports_legacy            of which legacy-only (统计表)
--   agencies                  distinct agency_id in the group
--   req_new                   sum of req_new (reports where it is known)
--   out_total                 sum of out_total (reports where it is known)
--   disclosure_rate           Σ(out_granted + out_partial) / Σ out_total over reports where all are known
--   disclosure_rate_n         Σ out_total of those reports
--   disclosure_rate_reports   number of those reports
--   statutory_denial_rate     Σ out_den / Σ out_total (reports where both are known)
--   statutory_denial_rate_n   Σ out_total of those reports
--   rev_total                 sum of rev_total
--   lit_total                 sum of lit_total (direct + after reconsideration)
--   overall_correction_rate   Σ(rev_corrected + lit_corrected) / Σ(rev_total + lit_total − pending), reports where all known
--   overall_correction_rate_n summed concluded cases
--   disputes_per_100_decisions 100 × Σ(rev_total + lit_d_total) / Σ out_total (reports where all known)
--   disputes_per_100_decisions_n Σ out_total of those reports
--   lic_decisions             sum of licensing decisions
--   pen_decisions             sum of penalty decisions
--   coe_decisions             sum of coercion decisions
--   service_enforcement_ratio Σ lic / Σ(pen + coe) over reports where all three are known
--   service_enforcement_ratio_n Σ(pen + coe) of those reports
CREATE OR REPLACE VIEW v_region_year AS
WITH
agency_reports AS (
    SELECT * FROM v_rep WHERE report_scope = 'agency_self' AND province IS NOT NULL
),

report_terms AS (
    -- per report, each rate's numerator and denominator, both NULL unless both are known
    SELECT
        *,
        CASE WHEN out_total IS NOT NULL THEN out_granted + out_partial END AS disc_num,
        CASE WHEN out_granted + out_partial IS NOT NULL THEN out_total END AS disc_den,
        CASE WHEN out_total IS NOT NULL THEN out_den END AS den_num,
        CASE WHEN out_den IS NOT NULL THEN out_total END AS den_den,
        CASE
            WHEN rev_total + lit_total - rev_pending - lit_pending IS NOT NULL THEN rev_corrected + lit_corrected
        END AS corr_num,
        CASE
            WHEN rev_corrected + lit_corrected IS NOT NULL THEN rev_total + lit_total - rev_pending - lit_pending
        END AS corr_den,
        CASE WHEN out_total IS NOT NULL THEN rev_total + lit_d_total END AS disp_num,
        CASE WHEN rev_total + lit_d_total IS NOT NULL THEN out_total END AS disp_den,
        CASE WHEN pen_decisions + coe_decisions IS NOT NULL THEN lic_decisions END AS ser_num,
        CASE WHEN lic_decisions IS NOT NULL THEN pen_decisions + coe_decisions END AS ser_den
    FROM agency_reports
),

grouped AS (
    SELECT
        CASE
            WHEN grouping(county) = 0 THEN 'county'
            WHEN grouping(city) = 0 THEN 'city'
            ELSE 'province'
        END AS grouping_level,
        province,
        city,
        county,
        year,
        count(*) AS reports,
        count(*) FILTER (WHERE gen_t3 IS NOT NULL) AS reports_g,
        count(*) FILTER (WHERE era = 'legacy') AS reports_legacy,
        count(DISTINCT agency_id) AS agencies,
        sum(req_new) AS req_new,
        sum(out_total) AS out_total,
        sum(disc_num) AS disc_num,
        sum(disc_den) AS disc_den,
        count(disc_den) AS disc_reports,
        sum(den_num) AS den_num,
        sum(den_den) AS den_den,
        sum(rev_total) AS rev_total,
        sum(lit_total) AS lit_total,
        sum(corr_num) AS corr_num,
        sum(corr_den) AS corr_den,
        sum(disp_num) AS disp_num,
        sum(disp_den) AS disp_den,
        sum(lic_decisions) AS lic_decisions,
        sum(pen_decisions) AS pen_decisions,
        sum(coe_decisions) AS coe_decisions,
        sum(ser_num) AS ser_num,
        sum(ser_den) AS ser_den
    FROM report_terms
    GROUP BY GROUPING SETS ((province, year), (province, city, year), (province, city, county, year))
)

SELECT
    grouping_level,
    province,
    city,
    county,
    year,
    reports,
    reports_g,
    reports_legacy,
    agencies,
    req_new,
    out_total,
    disc_num / nullif(disc_den, 0) AS disclosure_rate,
    disc_den AS disclosure_rate_n,
    disc_reports AS disclosure_rate_reports,
    den_num / nullif(den_den, 0) AS statutory_denial_rate,
    den_den AS statutory_denial_rate_n,
    rev_total,
    lit_total,
    corr_num / nullif(corr_den, 0) AS overall_correction_rate,
    corr_den AS overall_correction_rate_n,
    100 * disp_num / nullif(disp_den, 0) AS disputes_per_100_decisions,
    disp_den AS disputes_per_100_decisions_n,
    lic_decisions,
    pen_decisions,
    coe_decisions,
    ser_num / nullif(ser_den, 0) AS service_enforcement_ratio,
    ser_den AS service_enforcement_ratio_n
FROM grouped;
