-- v_quality — report quality per current report (REFERENCE §7.5, CASS-style): the report's own arithmetic
-- (checks), completeness of each printed table against its official layout (stg_expected_cells),
-- cells filled by a rule (state imputed), narrative-vs-table mismatches (rule N-1) and whether each table
-- uses the layout mandated for the year. Observed = printed with a number, a dash or a text such as 无
-- (facts.state number | dash | na_text); blank and imputed cells are not observed.
--
-- Columns:
--   report_id                reports.report_id of the current version
--   agency_id                agency identity across years and spellings
--   agency_name              region-qualified canonical agency name
--   year                     report year
--   report_scope             agency_self | government_self | region_aggregate
--   hard_fail                hard rules that fail
--   soft_fail                soft rules (warnings) that fail
--   hard_evaluated           hard rules that could be evaluated (pass + fail)
--   rule_pass_rate           hard pass / hard evaluated; NULL when no hard rule could be evaluated
--   t2_observed              observed cells of table 二
--   t2_expected              cells of table 二 in its generation (22 G19, 10 G21); NULL without table 二
--   t2_completeness          t2_observed / t2_expected
--   t3_observed              observed cells of table 三 (official applicant columns only)
--   t3_expected              161 (G19) / 175 (G21); NULL without table 三
--   t3_completeness          t3_observed / t3_expected
--   t4_observed              observed cells of table 四
--   t4_expected              15; NULL without table 四
--   t4_completeness          t4_observed / t4_expected
--   legacy_observed          observed cells of the legacy 统计表
--   legacy_expected          58 for the L16 样表; NULL for LP forms (no fixed layout) or without a 统计表
--   legacy_completeness      legacy_observed / legacy_expected
--   completeness             all observed / all expected cells over the tables with a known layout
--   imputed_cells            cells filled by a consistency rule (facts.state = imputed), any table
--   narrative_checked        N-1 narrative figures compared with the tables
--   narrative_mismatches     N-1 comparisons that fail
--   mandated_generation      layout the year requires: legacy (≤ 2018), g19 (2019–2020), g21 (2021 on)
--   format_compliance        every table the year requires is present in the mandated layout (table 四 is the
--                            same in G19 and G21); false when a table is missing or of another generation
--   parser_warnings          number of things the parser noticed and worked around (reports.warnings)
CREATE OR REPLACE VIEW v_quality AS
WITH
report_rows AS (
    SELECT
        v.*,
        CASE WHEN v.year <= 2018 THEN 'legacy' WHEN v.year <= 2020 THEN 'g19' ELSE 'g21' END AS mandated_generation
    FROM v_rep AS v
),

report_tables AS (
    -- one row per report × printed table, with the generation whose layout it follows
    SELECT report_id, 't2' AS table_id, gen_t2 AS generation FROM report_rows WHERE gen_t2 IS NOT NULL
    UNION ALL
    SELECT report_id, 't3', gen_t3 FROM report_rows WHERE gen_t3 IS NOT NULL
    UNION ALL
    SELECT report_id, 't4', gen_t4 FROM report_rows WHERE gen_t4 IS NOT NULL
    UNION ALL
    SELECT report_id, 'legacy', CASE WHEN legacy_form = 'L16' THEN 'legacy' END
    FROM report_rows WHERE gen_legacy IS NOT NULL
),

expected_per_table AS (
    SELECT table_id, generation, sum(cells) AS expected
    FROM stg_expected_cells
    GROUP BY table_id, generation
),

observed_per_table AS (
    SELECT t.report_id, t.table_id, count(*) AS observed
    FROM report_tables AS t
    JOIN facts AS f ON f.report_id = t.report_id AND f.table_id = t.table_id
    JOIN stg_expected_cells AS e ON e.table_id = t.table_id AND e.generation = t.generation AND e.code = f.code
    WHERE f.state IN ('number', 'dash', 'na_text') AND f.party <> 'org_subtotal'
    GROUP BY t.report_id, t.table_id
),

table_completeness AS (
    SELECT
        t.report_id,
        t.table_id,
        coalesce(o.observed, 0) AS observed,
        e.expected
    FROM report_tables AS t
    LEFT JOIN expected_per_table AS e ON e.table_id = t.table_id AND e.generation = t.generation
    LEFT JOIN observed_per_table AS o ON o.report_id = t.report_id AND o.table_id = t.table_id
),

completeness_by_report AS (
    SELECT
        report_id,
        max(observed) FILTER (WHERE table_id = 't2') AS t2_observed,
        max(expected) FILTER (WHERE table_id = 't2') AS t2_expected,
        max(observed) FILTER (WHERE table_id = 't3') AS t3_observed,
        max(expected) FILTER (WHERE table_id = 't3') AS t3_expected,
        max(observed) FILTER (WHERE table_id = 't4') AS t4_observed,
        max(expected) FILTER (WHERE table_id = 't4') AS t4_expected,
        max(observed) FILTER (WHERE table_id = 'legacy') AS legacy_observed,
        max(expected) FILTER (WHERE table_id = 'legacy') AS legacy_expected,
        sum(observed) FILTER (WHERE expected IS NOT NULL) AS all_observed,
        sum(expected) AS all_expected
    FROM table_completeness
    GROUP BY report_id
),

imputed AS (
    SELECT f.report_id, count(*) AS imputed_cells
    FROM facts AS f
    WHERE f.state = 'imputed'
    GROUP BY f.report_id
),

report_warnings AS (
    SELECT report_id, len(warnings) AS parser_warnings FROM reports WHERE is_current
)

SELECT
    r.report_id,
    r.agency_id,
    r.agency_name,
    r.year,
    r.report_scope,
    coalesce(c.hard_fail, 0) AS hard_fail,
    coalesce(c.soft_fail, 0) AS soft_fail,
    coalesce(c.hard_pass, 0) + coalesce(c.hard_fail, 0) AS hard_evaluated,
    c.hard_pass / nullif(c.hard_pass + c.hard_fail, 0) AS rule_pass_rate,
    k.t2_observed,
    k.t2_expected,
    k.t2_observed / k.t2_expected AS t2_completeness,
    k.t3_observed,
    k.t3_expected,
    k.t3_observed / k.t3_expected AS t3_completeness,
    k.t4_observed,
    k.t4_expected,
    k.t4_observed / k.t4_expected AS t4_completeness,
    k.legacy_observed,
    k.legacy_expected,
    k.legacy_observed / k.legacy_expected AS legacy_completeness,
    k.all_observed / nullif(k.all_expected, 0) AS completeness,
    coalesce(i.imputed_cells, 0) AS imputed_cells,
    coalesce(c.narrative_checked, 0) AS narrative_checked,
    coalesce(c.narrative_mismatch, 0) AS narrative_mismatches,
    r.mandated_generation,
    CASE r.mandated_generation
        WHEN 'legacy' THEN r.gen_legacy IS NOT NULL
        ELSE coalesce(r.gen_t2 = r.mandated_generation AND r.gen_t3 = r.mandated_generation
                      AND r.gen_t4 IN ('g19', 'g21'), false)
    END AS format_compliance,
    w.parser_warnings
FROM report_rows AS r
LEFT JOIN stg_report_checks AS c USING (report_id)
LEFT JOIN completeness_by_report AS k USING (report_id)
LEFT JOIN imputed AS i USING (report_id)
LEFT JOIN report_warnings AS w USING (report_id);
