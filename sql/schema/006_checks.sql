-- The report's own arithmetic: every within-report rule of transform/data/rules.csv that applies to the
-- generation of the report's tables, evaluated at ingest. Cross-year rules (X-1, T2-A, T2-B) are views.
-- A blank, dash or missing term makes a rule not_evaluable, never a failure.
CREATE TABLE IF NOT EXISTS checks (
    report_id  VARCHAR NOT NULL,
    rule_id    VARCHAR NOT NULL,   -- rules.csv rule_id (T3-A, T4-A.rev, L-G, N-1.g …)
    party      VARCHAR NOT NULL,   -- applicant column for per-party t3 rules, the row code for T3-D, '_' otherwise
    severity   VARCHAR NOT NULL CHECK (severity IN ('hard', 'soft')),
    status     VARCHAR NOT NULL CHECK (status IN ('pass', 'fail', 'not_evaluable')),
    lhs        DOUBLE,             -- left side of the equation (NULL when not evaluable)
    rhs        DOUBLE,             -- right side
    detail     VARCHAR,            -- the equation with the values used, or the unknown term
    imputes    VARCHAR             -- 'code[party]=value' when this rule filled a missing cell (facts.state = imputed)
);
-- Key: (report_id, rule_id, party), unique by construction (the writer keeps the first of a repeated key,
-- with a warning) and asserted by the data tests; not declared, for the reason given at facts.
