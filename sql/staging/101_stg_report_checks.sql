-- stg_report_checks — staging: the checks table summarised per report (one row per report that has at
-- least one check row; reports without checks have no row, and the views above turn that into 0).
-- Materialised in the table model_report_checks (sql/models/220_model_report_checks.sql).
--
-- Columns:
--   report_id            reports.report_id
--   hard_pass            hard within-report rules that hold
--   hard_fail            hard rules that fail (an arithmetic error in the printed tables, or a parse error)
--   hard_not_evaluable   hard rules with a blank, dash or missing term
--   soft_pass            soft rules (warnings: approximations, narrative vs table) that hold
--   soft_fail            soft rules that fail
--   soft_not_evaluable   soft rules with an unknown term
--   narrative_checked    N-1 rules (narrative figure vs table) that could be evaluated
--   narrative_mismatch   N-1 rules that fail: the narrative quotes another number than the table
--   imputing_rules       checks that filled a missing cell (checks.imputes not NULL)
CREATE OR REPLACE VIEW stg_report_checks AS
SELECT * FROM model_report_checks;
