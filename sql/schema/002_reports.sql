-- One row per loaded document version. report_id = first 16 hex chars of the file's sha256.
-- Versions: a changed file, or another document for the same agency and year, becomes the current
-- version; the one it replaces keeps its row with is_current = false and is named in `supersedes`.
CREATE TABLE IF NOT EXISTS reports (
    report_id    VARCHAR  PRIMARY KEY,
    sha256       VARCHAR  NOT NULL,
    source_path  VARCHAR  NOT NULL,
    format       VARCHAR  NOT NULL,
    agency       VARCHAR,
    year         INTEGER,
    title        VARCHAR,
    gen_t2       VARCHAR,             -- layout generation of table 二 (g19 | g21), NULL if absent
    gen_t3       VARCHAR,
    gen_t4       VARCHAR,
    gen_legacy   VARCHAR,             -- 'legacy' for the pre-2019 statistics table
    is_current   BOOLEAN  NOT NULL,
    version      INTEGER  NOT NULL,   -- 1 for the first version of an (agency, year) or a path
    supersedes   VARCHAR,             -- report_id of the version this one replaced
    loaded_at    TIMESTAMPTZ NOT NULL,
    warnings     VARCHAR[] NOT NULL   -- what the parser noticed and worked around
);
