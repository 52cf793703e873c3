-- `runs`: the name operators use. One row per finished (completed or failed) ingest run, newest first.
CREATE OR REPLACE VIEW runs AS
SELECT run_id, flow_run_id, coalesce(status, 'completed') AS status, error, started_at, finished_at,
       duration_seconds, seen, unchanged, parsed, loaded, duplicate, rejected, deferred, deferred_files,
       failed_checks, worker_crashes, resumed, copy_seconds, drop_dir, parser_version
FROM ingest_runs
ORDER BY started_at DESC;
