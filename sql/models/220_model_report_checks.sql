-- model_report_checks — part of the materialised fact model: the checks table summarised per report (one
-- row per report that has at least one check row; reports without checks have no row, and the views turn
-- that into 0). Read by v_report and v_quality through the view stg_report_checks.
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
CREATE OR REPLACE TABLE model_report_checks AS
WITH
check_rows AS (
    SELECT
        report_id,
        severity,
        status,
        rule_id LIKE 'N-1%' AS is_narrative,
        imputes IS NOT NULL AS is_imputing
    FROM checks
)

SELECT
    report_id,
    count(*) FILTER (WHERE severity = 'hard' AND status = 'pass') AS hard_pass,
    count(*) FILTER (WHERE severity = 'hard' AND status = 'fail') AS hard_fail,
    count(*) FILTER (WHERE severity = 'hard' AND status = 'not_evaluable') AS hard_not_evaluable,
    count(*) FILTER (WHERE severity = 'soft' AND status = 'pass') AS soft_pass,
    count(*) FILTER (WHERE severity = 'soft' AND status = 'fail') AS soft_fail,
    count(*) FILTER (WHERE severity = 'soft' AND status = 'not_evaluable') AS soft_not_evaluable,
    count(*) FILTER (WHERE is_narrative AND status IN ('pass', 'fail')) AS narrative_checked,
    count(*) FILTER (WHERE is_narrative AND status = 'fail') AS narrative_mismatch,
    count(*) FILTER (WHERE is_imputing) AS imputing_rules
FROM check_rows
GROUP BY report_id;
