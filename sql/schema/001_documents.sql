-- Every file version the ingest has seen: one row per (path, content hash).
-- A file whose bytes change gets a new row; the old row stays for lineage.
-- The row is written in the same transaction as the report it produced, so after a crash
-- a file either has its row (and, when loaded, its complete report) or nothing at all.
CREATE TABLE IF NOT EXISTS documents (
    path            VARCHAR   NOT NULL,  -- absolute path of the file when it was seen
    sha256          VARCHAR   NOT NULL,  -- content identity (hex)
    size            BIGINT    NOT NULL,  -- bytes
    mtime           TIMESTAMPTZ,         -- modification time (readable form of mtime_ns)
    mtime_ns        BIGINT    NOT NULL,  -- exact st_mtime_ns: path+size+mtime_ns equal → skip hashing
    format          VARCHAR,             -- pdf | docx | html | md | txt, as sniffed from content; NULL if unknown
    status          VARCHAR   NOT NULL CHECK (status IN ('loaded', 'rejected', 'duplicate')),
    reason_code     VARCHAR,             -- stable code for rejections (empty_file, corrupt_file, no_text_layer …)
    reason          VARCHAR,             -- human-readable explanation
    report_id       VARCHAR,             -- reports.report_id for loaded and duplicate rows
    first_seen      TIMESTAMPTZ NOT NULL,
    last_seen       TIMESTAMPTZ NOT NULL,
    parser_version  VARCHAR   NOT NULL,  -- version of the code that decided the status
    PRIMARY KEY (path, sha256)
);
