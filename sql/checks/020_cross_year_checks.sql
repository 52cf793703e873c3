-- v_checks_cross_year — the cross-year rules of transform/data/rules.csv, evaluated over consecutive
-- CURRENT reports of the same agency (reports.agency_id). Within-report rules are the checks table
-- (transform/checks.py); these need two reports, so they live here and are always up to date.
--
-- Consecutive = adjacent years only: year_to = year_from + 1 (a gap year is never bridged).
-- Rules (all soft in rules.csv; severity is read from rule_dictionary):
--   X-1       per applicant column: req_carried_out(t) = req_carried_in(t+1). Only when table 三 is
--             G19/G21 in both years: never across a legacy year (no carry rows).
--   T2-A.reg  reg_in_force(t+1) = reg_in_force(t) + reg_made(t+1) - reg_repealed(t+1), when table 二 of
--             year t+1 is G21 (a G19 year t has no reg_in_force: not_evaluable).
--   T2-A.nd   the same for nd_* (行政规范性文件).
--   T2-B      X_items_prev(t+1) = X_items_prev(t) + X_items_change(t) for X in {lic, oms, pen, coe, fee},
--             when table 二 is G19 in both years; party = X (one row per family member).
-- Terms are facts with state number or imputed; a blank, dash, na_text or absent term makes the row
-- not_evaluable with lhs/rhs NULL where unknown (never a failure). Tolerance 0 (counts).
--
-- Columns:
--   agency_id       reports.agency_id shared by both reports
--   rule_id         X-1 | T2-A.reg | T2-A.nd | T2-B
--   party           applicant column (X-1), the family member (T2-B: lic, oms, pen, coe, fee), '_' (T2-A)
--   year_from       year t
--   year_to         year t+1
--   report_id_from  current report of year t
--   report_id_to    current report of year t+1
--   lhs             left side (the year-(t+1) figure), NULL when unknown
--   rhs             right side (computed from year t, and year t+1 flows for T2-A), NULL when unknown
--   status          pass | fail | not_evaluable
--   severity        soft (rules.csv)
CREATE OR REPLACE VIEW v_checks_cross_year AS
WITH
cur AS (
    SELECT report_id, agency_id, year, gen_t2, gen_t3
    FROM reports
    WHERE is_current AND agency_id IS NOT NULL AND year IS NOT NULL
),

pairs AS (
    SELECT
        a.agency_id,
        a.year AS year_from,
        b.year AS year_to,
        a.report_id AS report_id_from,
        b.report_id AS report_id_to,
        a.gen_t2 AS gen_t2_from,
        b.gen_t2 AS gen_t2_to,
        a.gen_t3 AS gen_t3_from,
        b.gen_t3 AS gen_t3_to
    FROM cur AS a
    INNER JOIN cur AS b ON a.agency_id = b.agency_id AND b.year = a.year + 1
),

-- the carry cells of table 三 per report and applicant column; blank/dash/na_text are unknown (NULL), never 0
carry AS (
    SELECT
        report_id,
        party,
        max(CASE WHEN state IN ('number', 'imputed') THEN value END)
            FILTER (WHERE code = 'req_carried_out') AS carried_out,
        bool_or(code = 'req_carried_out') AS prints_out,
        max(CASE WHEN state IN ('number', 'imputed') THEN value END)
            FILTER (WHERE code = 'req_carried_in') AS carried_in,
        bool_or(code = 'req_carried_in') AS prints_in
    FROM facts
    WHERE code IN ('req_carried_out', 'req_carried_in')
    GROUP BY report_id, party
),

-- the table 二 figures the stock/catalogue rules need, one row per report (set-based: no per-pair lookups)
t2v AS (
    SELECT
        report_id,
        max(value) FILTER (WHERE code = 'reg_in_force') AS reg_in_force,
        max(value) FILTER (WHERE code = 'reg_made') AS reg_made,
        max(value) FILTER (WHERE code = 'reg_repealed') AS reg_repealed,
        max(value) FILTER (WHERE code = 'nd_in_force') AS nd_in_force,
        max(value) FILTER (WHERE code = 'nd_made') AS nd_made,
        max(value) FILTER (WHERE code = 'nd_repealed') AS nd_repealed,
        max(value) FILTER (WHERE code = 'lic_items_prev') AS lic_items_prev,
        max(value) FILTER (WHERE code = 'lic_items_change') AS lic_items_change,
        max(value) FILTER (WHERE code = 'oms_items_prev') AS oms_items_prev,
        max(value) FILTER (WHERE code = 'oms_items_change') AS oms_items_change,
        max(value) FILTER (WHERE code = 'pen_items_prev') AS pen_items_prev,
        max(value) FILTER (WHERE code = 'pen_items_change') AS pen_items_change,
        max(value) FILTER (WHERE code = 'coe_items_prev') AS coe_items_prev,
        max(value) FILTER (WHERE code = 'coe_items_change') AS coe_items_change,
        max(value) FILTER (WHERE code = 'fee_items_prev') AS fee_items_prev,
        max(value) FILTER (WHERE code = 'fee_items_change') AS fee_items_change
    FROM facts
    WHERE
        party = '_' AND state IN ('number', 'imputed')
        AND code IN (
            'reg_in_force', 'reg_made', 'reg_repealed', 'nd_in_force', 'nd_made', 'nd_repealed',
            'lic_items_prev', 'lic_items_change', 'oms_items_prev', 'oms_items_change',
            'pen_items_prev', 'pen_items_change', 'coe_items_prev', 'coe_items_change',
            'fee_items_prev', 'fee_items_change'
        )
    GROUP BY report_id
),

g_pairs AS (
    SELECT * FROM pairs
    WHERE gen_t3_from IN ('g19', 'g21') AND gen_t3_to IN ('g19', 'g21')
),

-- X-1 columns: printed as 结转下年度 in year t, or as 上年结转 in year t+1 (either side may be absent)
x1_columns AS (
    SELECT p.*, c.party
    FROM g_pairs AS p
    INNER JOIN carry AS c ON p.report_id_from = c.report_id AND c.prints_out
    UNION
    SELECT p.*, c.party
    FROM g_pairs AS p
    INNER JOIN carry AS c ON p.report_id_to = c.report_id AND c.prints_in
),

x1 AS (
    SELECT
        x.agency_id,
        'X-1' AS rule_id,
        x.party,
        x.year_from,
        x.year_to,
        x.report_id_from,
        x.report_id_to,
        o.carried_out AS lhs,
        i.carried_in AS rhs
    FROM x1_columns AS x
    LEFT JOIN carry AS o ON x.report_id_from = o.report_id AND x.party = o.party
    LEFT JOIN carry AS i ON x.report_id_to = i.report_id AND x.party = i.party
),

t2a_family(rule_id, x) AS (
    VALUES ('T2-A.reg', 'reg'), ('T2-A.nd', 'nd')
),

t2a AS (
    SELECT
        p.agency_id,
        f.rule_id,
        '_' AS party,
        p.year_from,
        p.year_to,
        p.report_id_from,
        p.report_id_to,
        CASE f.x WHEN 'reg' THEN b.reg_in_force ELSE b.nd_in_force END AS lhs,
        CASE f.x
            WHEN 'reg' THEN a.reg_in_force + b.reg_made - b.reg_repealed
            ELSE a.nd_in_force + b.nd_made - b.nd_repealed
        END AS rhs
    FROM pairs AS p
    CROSS JOIN t2a_family AS f
    LEFT JOIN t2v AS a ON p.report_id_from = a.report_id
    LEFT JOIN t2v AS b ON p.report_id_to = b.report_id
    WHERE p.gen_t2_to = 'g21' AND p.gen_t2_from IS NOT NULL
),

t2b_family(x) AS (
    VALUES ('lic'), ('oms'), ('pen'), ('coe'), ('fee')
),

t2b AS (
    SELECT
        p.agency_id,
        'T2-B' AS rule_id,
        f.x AS party,
        p.year_from,
        p.year_to,
        p.report_id_from,
        p.report_id_to,
        CASE f.x
            WHEN 'lic' THEN b.lic_items_prev WHEN 'oms' THEN b.oms_items_prev WHEN 'pen' THEN b.pen_items_prev
            WHEN 'coe' THEN b.coe_items_prev ELSE b.fee_items_prev
        END AS lhs,
        CASE f.x
            WHEN 'lic' THEN a.lic_items_prev + a.lic_items_change
            WHEN 'oms' THEN a.oms_items_prev + a.oms_items_change
            WHEN 'pen' THEN a.pen_items_prev + a.pen_items_change
            WHEN 'coe' THEN a.coe_items_prev + a.coe_items_change
            ELSE a.fee_items_prev + a.fee_items_change
        END AS rhs
    FROM pairs AS p
    CROSS JOIN t2b_family AS f
    LEFT JOIN t2v AS a ON p.report_id_from = a.report_id
    LEFT JOIN t2v AS b ON p.report_id_to = b.report_id
    WHERE p.gen_t2_from = 'g19' AND p.gen_t2_to = 'g19'
),

evaluated AS (
    SELECT * FROM x1
    UNION ALL
    SELECT * FROM t2a
    UNION ALL
    SELECT * FROM t2b
)

SELECT
    e.agency_id,
    e.rule_id,
    e.party,
    e.year_from,
    e.year_to,
    e.report_id_from,
    e.report_id_to,
    e.lhs,
    e.rhs,
    CASE
        WHEN e.lhs IS NULL OR e.rhs IS NULL THEN 'not_evaluable'
        WHEN e.lhs = e.rhs THEN 'pass'
        ELSE 'fail'
    END AS status,
    coalesce(d.severity, 'soft') AS severity
FROM evaluated AS e
LEFT JOIN rule_dictionary AS d ON e.rule_id = d.rule_id;
