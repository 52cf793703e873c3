-- Every table value of a report, long format. party is the table 三 applicant column, '_' elsewhere.
-- A blank cell is state 'blank' with value NULL: unknown, never zero.
CREATE TABLE IF NOT EXISTS facts (
    report_id   VARCHAR NOT NULL,
    table_id    VARCHAR NOT NULL,    -- t2 | t3 | t4 | legacy
    code        VARCHAR NOT NULL,    -- canonical metric code (transform/data/metrics.csv)
    party       VARCHAR NOT NULL,
    value       DOUBLE,
    state       VARCHAR NOT NULL,    -- number | blank | dash | na_text | imputed | recovered (glued digits split by the identities)
    unit        VARCHAR,
    raw_label   VARCHAR,             -- label path as printed
    raw_value   VARCHAR,             -- cell text as printed
    position    VARCHAR,             -- where the cell is in the source table
    page        INTEGER,
    generation  VARCHAR,             -- g19 | g21 | legacy
    PRIMARY KEY (report_id, table_id, code, party)
);
