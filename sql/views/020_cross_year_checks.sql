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

-- a known value, or NULL: blank/dash/na_text cells are unknown, never 0
cell AS (
    SELECT
        report_id,
        code,
        party,
        CASE WHEN state IN ('number', 'imputed') THEN value END AS value
    FROM facts
),

x1 AS (
    SELECT
        p.agency_id,
        'X-1' AS rule_id,
        o.party,
        p.year_from,
        p.year_to,
        p.report_id_from,
        p.report_id_to,
        o.value AS lhs,
        i.value AS rhs
    FROM pairs AS p
    INNER JOIN cell AS o ON p.report_id_from = o.report_id AND o.code = 'req_carried_out'
    LEFT JOIN cell AS i ON p.report_id_to = i.report_id AND i.code = 'req_carried_in' AND o.party = i.party
    WHERE p.gen_t3_from IN ('g19', 'g21') AND p.gen_t3_to IN ('g19', 'g21')
),

-- X-1 columns printed only in year t+1 (carried in, but year t prints no such column)
x1_to_only AS (
    SELECT
        p.agency_id,
        'X-1' AS rule_id,
        i.party,
        p.year_from,
        p.year_to,
        p.report_id_from,
        p.report_id_to,
        NULL::DOUBLE AS lhs,
        i.value AS rhs
    FROM pairs AS p
    INNER JOIN cell AS i ON p.report_id_to = i.report_id AND i.code = 'req_carried_in'
    WHERE
        p.gen_t3_from IN ('g19', 'g21') AND p.gen_t3_to IN ('g19', 'g21')
        AND NOT EXISTS (
            SELECT 1 FROM cell AS o
            WHERE o.report_id = p.report_id_from AND o.code = 'req_carried_out' AND o.party = i.party
        )
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
        (SELECT c.value FROM cell AS c WHERE c.report_id = p.report_id_to AND c.code = f.x || '_in_force') AS lhs,
        (SELECT c.value FROM cell AS c WHERE c.report_id = p.report_id_from AND c.code = f.x || '_in_force')
        + (SELECT c.value FROM cell AS c WHERE c.report_id = p.report_id_to AND c.code = f.x || '_made')
        - (SELECT c.value FROM cell AS c WHERE c.report_id = p.report_id_to AND c.code = f.x || '_repealed') AS rhs
    FROM pairs AS p
    CROSS JOIN t2a_family AS f
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
        (SELECT c.value FROM cell AS c WHERE c.report_id = p.report_id_to AND c.code = f.x || '_items_prev') AS lhs,
        (SELECT c.value FROM cell AS c WHERE c.report_id = p.report_id_from AND c.code = f.x || '_items_prev')
        + (SELECT c.value FROM cell AS c WHERE c.report_id = p.report_id_from AND c.code = f.x || '_items_change')
        AS rhs
    FROM pairs AS p
    CROSS JOIN t2b_family AS f
    WHERE p.gen_t2_from = 'g19' AND p.gen_t2_to = 'g19'
),

evaluated AS (
    SELECT * FROM x1
    UNION ALL
    SELECT * FROM x1_to_only
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
