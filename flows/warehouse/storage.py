"""Rewrite a warehouse created in DuckDB 2.0's own storage format into the v1.5.0 format.

Why: the only DuckDB CLI on PyPI is 1.5.6, and it refuses 2.0-format files ("version number 69").
Warehouses created by xxgk since it pinned ``storage_compatibility_version`` are already readable;
older ones keep their format forever (the format is chosen when the file is created), so they are
converted by copying every table, view and macro into a new file and swapping the files.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from flows.warehouse.lock import RunLockBusy, run_lock
from flows.warehouse.readonly import explain_read_error
from flows.warehouse.sql import literal
from flows.warehouse.writer import STOCK_CLI_MAX_FORMAT, STORAGE_COMPATIBILITY, WarehouseError, storage_format


def convert_storage(db: str | Path) -> tuple[str, Path | None]:
    """Convert ``db`` in place; returns (the format it had, the backup path or None if nothing to do).

    The original is kept beside it as ``<name>.v2-backup.duckdb``. The swap is two renames: between them
    (microseconds) the path does not exist, so run it while no ingest and no reader uses the file.
    """
    path = Path(db)
    if not path.is_file():
        raise WarehouseError(f"the warehouse {path} does not exist")
    try:
        with run_lock(path, wait=0):  # never swap the file under an ingest run (or another conversion)
            return _convert_locked(path)
    except RunLockBusy as exc:
        raise WarehouseError(f"cannot convert now: {exc}") from None


def _convert_locked(path: Path) -> tuple[str, Path | None]:
    tmp = path.with_name(path.name + ".converting")
    backup = path.with_name(f"{path.stem}.v2-backup{path.suffix}")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(":memory:")
    try:
        try:
            con.execute(f"ATTACH {literal(path)} AS src (READ_ONLY)").fetchall()
        except duckdb.Error as exc:
            raise WarehouseError(explain_read_error(path, exc)) from None
        number = storage_format(path)
        version = f"storage version {number}" if number is not None else "unknown"
        if number is not None and number <= STOCK_CLI_MAX_FORMAT:
            return version, None
        con.execute(f"ATTACH {literal(tmp)} AS dst (STORAGE_VERSION '{STORAGE_COMPATIBILITY}')").fetchall()
        con.execute("COPY FROM DATABASE src TO dst").fetchall()
        con.execute("DETACH dst").fetchall()
        con.execute("DETACH src").fetchall()
    finally:
        con.close()
    os.replace(path, backup)
    os.replace(tmp, path)
    return version, backup
