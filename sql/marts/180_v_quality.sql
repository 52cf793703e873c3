-- v_quality — report quality per current report (in the manner of the CASS transparency index): the report's own arithmetic
-- (checks), completeness of each printed table against its official layout (stg_expected_cells),
-- cells filled by a rule (state imputed), narrative-vs-table mismatches (rule N-1) and whether each table
-- uses the layout mandated for the year. Observed = printed with a number, a dash or a text such as 无
-- (facts.state number | dash | na_text); blank and imputed cells are not observed. The cell counts are
-- materialised per report in model_report_quality, the check counts in model_report_checks.
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
    coalesce(k.imputed_cells, 0) AS imputed_cells,
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
LEFT JOIN model_report_checks AS c USING (report_id)
LEFT JOIN model_report_quality AS k USING (report_id)
LEFT JOIN report_warnings AS w USING (report_id);
