-- stg_expected_cells — staging: the cells an official table of each generation has, derived from
-- metric_dictionary (observed codes per generation) and party_dictionary (table 三 has one cell per
-- official applicant column, column_order 1–7). Gives the official forms' cell counts: t3 161 (G19) / 175 (G21),
-- t2 22 (G19) / 10 (G21), t4 15, legacy 58 (L16 样表; LP-only codes are left out).
-- out_oth is printed as its own row only in G19: in G21 its three sub-rows are the cells (rule T3-C).
-- A dictionary-only view, here because the model table model_report_quality reads it (sql/models is run
-- in path order at every model build; the view is kept between builds).
--
-- Columns:
--   table_id         t2 | t3 | t4 | legacy
--   generation       g19 | g21 | legacy (the table's generation, reports.gen_t2/gen_t3/gen_t4/gen_legacy)
--   code             observed metric code the table has a cell (row) for
--   cells            cells of that code: official applicant columns for t3 (7), 1 otherwise
CREATE OR REPLACE VIEW stg_expected_cells AS
WITH
code_generations AS (
    SELECT
        m.table_id,
        unnest(string_split(m.generations, ' ')) AS generation,
        m.code,
        m.lp_only
    FROM metric_dictionary AS m
    WHERE m.kind = 'observed' AND m.table_id IN ('t2', 't3', 't4', 'legacy')
),

official_parties AS (
    SELECT count(*) AS n FROM party_dictionary WHERE column_order >= 1
)

SELECT
    c.table_id,
    c.generation,
    c.code,
    CASE WHEN c.table_id = 't3' THEN p.n ELSE 1 END AS cells
FROM code_generations AS c
CROSS JOIN official_parties AS p
WHERE NOT coalesce(c.lp_only, false)
  AND NOT (c.code = 'out_oth' AND c.generation = 'g21');
