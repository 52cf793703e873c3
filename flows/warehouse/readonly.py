"""Read-only connections to the live warehouse, for every command that only reads it.

A read-only DuckDB connection never blocks the nightly run (it writes a copy and swaps it in), and the
errors DuckDB gives for a missing, locked or foreign file are translated into sentences a person can
act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from rich.console import Console

from flows.warehouse.writer import WarehouseError, legacy_format_note, storage_format


@contextmanager
def read_only(db: str | Path, err: Console | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to an existing warehouse, closed on the way out.

    Raises WarehouseError with a message a person can act on: missing file, file held by a writer
    (DuckDB refuses readers while one process writes), not a DuckDB file. A warehouse in DuckDB 2.0's
    own format (created before xxgk pinned v1.5.0 storage) works, with a note on ``err``.
    """
    path = Path(db)
    if not path.exists():
        raise WarehouseError(
            f"the warehouse {path} does not exist; create it with `xxgk ingest --db {path}` or pass --db"
        )
    if path.is_dir():
        raise WarehouseError(f"the warehouse {path} is a directory, not a DuckDB file")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseError(explain_read_error(path, exc)) from None
    try:
        note = legacy_format_note(path, storage_format(path))
        if note and err is not None:
            err.print(f"[yellow]note:[/] {note}")
        yield con
    finally:
        con.close()


def explain_read_error(path: Path, exc: BaseException) -> str:
    text = str(exc)
    if "lock" in text.lower():
        pid = re.search(r"\(PID (\d+)\)", text)
        holder = f" (PID {pid.group(1)})" if pid else ""
        return (
            f"the warehouse {path} is being written by another process{holder}, which opened it read-write; "
            f"DuckDB lets no process read a file while another writes it. `xxgk ingest` never does this "
            f"(it loads into a copy and swaps it in), so close that program's connection, or have it "
            f"open the file with read_only=True, and run again.\n  DuckDB said: {text}"
        )
    if "not a valid duckdb database" in text.lower() or "unable to open" in text.lower():
        return f"{path} is not a DuckDB warehouse file: {text}"
    return f"cannot open the warehouse {path} read-only: {text}"
