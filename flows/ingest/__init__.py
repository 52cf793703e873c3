"""Ingest orchestration: discovery, the parser workers (local pool or Dask), the Prefect flow, the run
record and the schedule. Importing the package imports nothing: the parser workers load only
``flows.ingest.parsing`` and must stay free of Prefect and DuckDB."""
