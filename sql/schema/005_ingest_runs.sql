-- One row per finished `xxgk ingest` run: what it saw and did (history for operators).
CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id      VARCHAR PRIMARY KEY,
    drop_dir    VARCHAR NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    seen        INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    parsed      INTEGER NOT NULL,
    loaded      INTEGER NOT NULL,
    duplicate   INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    parser_version VARCHAR NOT NULL
);
