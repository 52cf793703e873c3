-- The materialised fact model (sql/models/*.sql: model_report, model_report_checks, model_report_quality,
-- model_series) as of its last build: one row, replaced by every build (flows/warehouse/models.py). The model is
-- rebuilt when what it was built from changed: the data (reports, facts, checks), the model SQL or the
-- dictionaries (transform/data/{metrics,parties,rules,series}.csv).
CREATE TABLE IF NOT EXISTS model_state (
    built_at      TIMESTAMPTZ NOT NULL, -- when the model tables were last rebuilt
    seconds       DOUBLE,               -- how long that rebuild took
    definition    VARCHAR NOT NULL,     -- sha256 of sql/models/*.sql and the dictionary CSVs at that build
    data_version  VARCHAR NOT NULL,     -- fingerprint of reports (every row), facts and checks (row counts)
    reports       BIGINT                -- current reports in model_report
);
