-- model_report_quality — part of the materialised fact model: per CURRENT report, how many cells of each
-- printed table were read against how many the official layout of its generation has (stg_expected_cells),
-- and how many cells a rule filled. The expensive part of v_quality (a pass over facts), materialised.
-- A table the report does not print has NULL observed and expected; the LP legacy form has no official
-- layout (expected NULL, left out of the overall completeness).
--
-- Columns:
--   report_id         reports.report_id of the current version
--   t2_observed       table 二 cells read (state number, dash, na_text or recovered) among the official cells
--   t2_expected       table 二 cells of the official layout of the report's generation
--   t3_observed       table 三 cells read (every official applicant column; org_subtotal left out)
--   t3_expected       table 三 cells of the official layout
--   t4_observed       table 四 cells read
--   t4_expected       table 四 cells of the official layout
--   legacy_observed   统计表 cells read (L16 样表 codes)
--   legacy_expected   统计表 cells of the L16 样表 (NULL for the LP forms)
--   all_observed      cells read over every printed table that has an official layout
--   all_expected      cells of those layouts
--   imputed_cells     cells (any party) filled by a rule (facts.state = 'imputed')
--   unmapped_cells    cells (any party, any state) of rows the dictionary does not know, loaded under an
--                     'unmapped:' code; never part of the observed counts above
CREATE OR REPLACE TABLE model_report_quality AS
WITH
report_rows AS (
    SELECT report_id, gen_t2, gen_t3, gen_t4, gen_legacy, legacy_form FROM model_report
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

expected_codes AS (
    -- per table and code: the generations whose official layout has a cell (row) for it
    SELECT
        table_id,
        code,
        bool_or(generation = 'g19') AS in_g19,
        bool_or(generation = 'g21') AS in_g21,
        bool_or(generation = 'legacy') AS in_legacy
    FROM stg_expected_cells
    GROUP BY table_id, code
),

cells_read AS (
    -- one pass over facts (joined to the small code list only): cells read per report and table, counted
    -- against each generation's layout; the report's own generation is picked below
    SELECT
        f.report_id,
        f.table_id,
        count(*) FILTER (WHERE e.in_g19) AS read_g19,
        count(*) FILTER (WHERE e.in_g21) AS read_g21,
        count(*) FILTER (WHERE e.in_legacy) AS read_legacy
    FROM facts AS f
    JOIN expected_codes AS e ON e.table_id = f.table_id AND e.code = f.code
    WHERE f.state IN ('number', 'dash', 'na_text', 'recovered') AND f.party <> 'org_subtotal'
    GROUP BY f.report_id, f.table_id
),

observed_per_table AS (
    SELECT
        t.report_id,
        t.table_id,
        CASE t.generation WHEN 'g19' THEN c.read_g19 WHEN 'g21' THEN c.read_g21 WHEN 'legacy' THEN c.read_legacy END
            AS observed
    FROM report_tables AS t
    JOIN cells_read AS c ON c.report_id = t.report_id AND c.table_id = t.table_id
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
    SELECT
        f.report_id,
        count(*) FILTER (WHERE f.state = 'imputed') AS imputed_cells,
        count(*) FILTER (WHERE starts_with(f.code, 'unmapped:')) AS unmapped_cells
    FROM facts AS f
    WHERE f.state = 'imputed' OR starts_with(f.code, 'unmapped:')
    GROUP BY f.report_id
)

SELECT
    r.report_id,
    k.t2_observed,
    k.t2_expected,
    k.t3_observed,
    k.t3_expected,
    k.t4_observed,
    k.t4_expected,
    k.legacy_observed,
    k.legacy_expected,
    k.all_observed,
    k.all_expected,
    coalesce(i.imputed_cells, 0) AS imputed_cells,
    coalesce(i.unmapped_cells, 0) AS unmapped_cells
FROM report_rows AS r
LEFT JOIN completeness_by_report AS k USING (report_id)
LEFT JOIN imputed AS i USING (report_id);
