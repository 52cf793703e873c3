-- Descriptions of table columns declared without a trailing `-- comment` in their CREATE TABLE, stored in
-- the DuckDB catalog (duckdb_columns().comment: DBeaver and the duckdb CLI show them) and read by
-- `python -m flows.analyst.docs` for docs/dictionary.md. New columns: prefer a trailing `-- comment` on the
-- column's line in its own file. A column renamed or dropped must leave this file too (COMMENT ON fails).
COMMENT ON COLUMN documents.status IS 'loaded | rejected | duplicate: what the ingest did with this file version';
COMMENT ON COLUMN documents.first_seen IS 'when an ingest run first saw this (path, content)';
COMMENT ON COLUMN documents.last_seen IS 'when an ingest run last saw this (path, content)';

COMMENT ON COLUMN reports.report_id IS 'report identity: first 16 hex chars of the file''s sha256';
COMMENT ON COLUMN reports.sha256 IS 'content hash (hex) of the file the report was loaded from';
COMMENT ON COLUMN reports.source_path IS 'path of the file the report was loaded from';
COMMENT ON COLUMN reports.format IS 'pdf | docx | html | txt, as sniffed from content';
COMMENT ON COLUMN reports.province IS 'province of the agency''s division (gazetteer)';
COMMENT ON COLUMN reports.city IS 'city (prefecture) of the agency''s division';
COMMENT ON COLUMN reports.county IS 'county-level division of the agency';
COMMENT ON COLUMN reports.year IS 'report year (the year the report covers)';
COMMENT ON COLUMN reports.title IS 'report title as printed (or the page title)';
COMMENT ON COLUMN reports.gen_t3 IS 'layout generation of table 三 (g19 | g21), NULL if absent';
COMMENT ON COLUMN reports.gen_t4 IS 'layout generation of table 四 (g19 | g21, identical layouts), NULL if absent';
COMMENT ON COLUMN reports.is_current IS 'true for the current version of its (agency_id, year) or path lineage';
COMMENT ON COLUMN reports.loaded_at IS 'when this version was written to the warehouse';

COMMENT ON COLUMN facts.report_id IS 'reports.report_id';
COMMENT ON COLUMN facts.party IS 'table 三 applicant column (party_dictionary.code); ''_'' for every other table';
COMMENT ON COLUMN facts.value IS 'the number (units normalised, see unit); NULL unless state is number or imputed';
COMMENT ON COLUMN facts.unit IS 'unit of value (件, 万元 …)';
COMMENT ON COLUMN facts.page IS 'page of the source document (PDF), NULL for other formats';

COMMENT ON COLUMN narratives.report_id IS 'reports.report_id';
COMMENT ON COLUMN narratives.ordinal IS 'position of the section in document order';
COMMENT ON COLUMN narratives.heading IS 'section heading as printed';
COMMENT ON COLUMN narratives.text IS 'section text';

COMMENT ON COLUMN ingest_runs.run_id IS 'run identity';
COMMENT ON COLUMN ingest_runs.drop_dir IS 'directory the run crawled';
COMMENT ON COLUMN ingest_runs.started_at IS 'when the run started';
COMMENT ON COLUMN ingest_runs.finished_at IS 'when the run finished';
COMMENT ON COLUMN ingest_runs.seen IS 'files found in the drop directory';
COMMENT ON COLUMN ingest_runs.unchanged IS 'files skipped because path, size and mtime were unchanged';
COMMENT ON COLUMN ingest_runs.parsed IS 'files parsed';
COMMENT ON COLUMN ingest_runs.loaded IS 'files loaded as a new report';
COMMENT ON COLUMN ingest_runs.duplicate IS 'files whose content was already loaded';
COMMENT ON COLUMN ingest_runs.rejected IS 'files rejected (documents.reason_code says why)';
COMMENT ON COLUMN ingest_runs.parser_version IS 'version of the code that ran';
COMMENT ON COLUMN ingest_runs.worker_crashes IS 'parser worker processes that crashed during the run';

COMMENT ON COLUMN checks.report_id IS 'reports.report_id';
COMMENT ON COLUMN checks.severity IS 'hard (must hold within a report) | soft (warning), from rules.csv';
COMMENT ON COLUMN checks.status IS 'pass | fail | not_evaluable (a blank, dash or missing term)';
