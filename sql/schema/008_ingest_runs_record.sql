-- The run record: ingest_runs (005) extended in place, so that warehouses created before
-- these columns existed keep working — their old rows simply have NULLs here.
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS flow_run_id VARCHAR;       -- Prefect flow run (links to the UI and the run's artifact)
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS status VARCHAR;            -- completed | failed
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS error VARCHAR;             -- why a failed run failed
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS duration_seconds DOUBLE;   -- wall time of the flow body
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS deferred INTEGER;          -- files still being written: left for the next run
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS deferred_files VARCHAR[];  -- their paths
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS failed_checks INTEGER;     -- checks rows with status 'fail' of reports loaded by the run
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS worker_crashes INTEGER;
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS resumed BOOLEAN;           -- continued the staging copy of an interrupted run
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS copy_seconds DOUBLE;       -- cost of copying the live warehouse to <db>.loading
