"""Orchestration and I/O of xxgk: drop directory → workers (extract + transform) → DuckDB.

Importing this package imports no Prefect: the CLI must configure Prefect's environment first, and
the parser workers must stay free of it.
"""
