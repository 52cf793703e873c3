"""``xxgk query``: ad-hoc SQL over the warehouse through a read-only connection.

Read-only on purpose: an analyst's typo must never change the warehouse, and DuckDB lets any number of
read-only processes share a file (but none while the ingest writes it, which is reported as such).
File formats are written by DuckDB itself (``COPY``), so CSV/JSON/Parquet output has the same value
rendering as ``xxgk export`` and the stock ``duckdb`` CLI.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.table import Table
from rich.text import Text

from flows.warehouse.sql import literal

MAX_TABLE_ROWS = 50
"""Rows shown by ``--format table``; the rest are counted, not printed (use csv/parquet for all of them)."""
MAX_CELL_WIDTH = 40
"""Characters per cell on the terminal before the value is cut with an ellipsis."""


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


class QueryError(RuntimeError):
    """The SQL itself failed (syntax, binder, read-only violation): exit status 1, message, no traceback."""


def run_query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    fmt: OutputFormat,
    out: Path | None,
    console: Console,
) -> dict[str, Any]:
    """Run SQL and deliver the result; returns what happened (rows, seconds) for the caller's message."""
    started = time.perf_counter()
    if fmt is OutputFormat.table:
        shown, total, columns = _fetch_for_table(con, sql)
        seconds = time.perf_counter() - started
        if columns is None:
            console.print(f"OK ({seconds:.3f} s)")
        else:
            _print_table(console, columns, shown, total, seconds)
        return {"rows": total, "seconds": seconds}
    try:
        relation = con.sql(sql)
    except duckdb.Error as exc:
        raise QueryError(_sql_message(exc)) from None
    if relation is None:  # a statement without a result (SET, PRAGMA …): nothing to write
        return {"rows": 0, "seconds": time.perf_counter() - started}
    target = out
    tmp_dir = None
    if target is None:
        tmp_dir = tempfile.mkdtemp(prefix="xxgk-query-")
        target = Path(tmp_dir) / f"result.{fmt.value}"
    try:
        options = {
            OutputFormat.csv: "FORMAT csv, HEADER true",
            OutputFormat.json: "FORMAT json, ARRAY true",
            OutputFormat.parquet: "FORMAT parquet, COMPRESSION zstd",
        }[fmt]
        try:
            rows = con.execute(f"COPY (SELECT * FROM relation) TO {literal(target)} ({options})").fetchall()
        except duckdb.Error as exc:
            raise QueryError(_sql_message(exc)) from None
        if out is None:
            sys.stdout.flush()
            with open(target, "rb") as src:
                shutil.copyfileobj(src, sys.stdout.buffer)
            sys.stdout.buffer.flush()
    finally:
        if tmp_dir is not None:
            shutil.rmtree(tmp_dir, ignore_errors=True)
    count = rows[0][0] if rows and rows[0] else 0
    return {"rows": count, "seconds": time.perf_counter() - started}


def _fetch_for_table(
    con: duckdb.DuckDBPyConnection, sql: str
) -> tuple[list[tuple], int, list[tuple[str, str]] | None]:
    """The first MAX_TABLE_ROWS rows, the total row count (the rest is streamed and counted, never held)
    and the (name, type) columns; columns is None for a statement without a result."""
    try:
        cursor = con.execute(sql)
        if cursor.description is None:
            cursor.fetchall()
            return [], 0, None
        columns = [(d[0], str(d[1])) for d in cursor.description]
        shown = cursor.fetchmany(MAX_TABLE_ROWS)
        total = len(shown)
        while len(shown) == MAX_TABLE_ROWS:
            chunk = cursor.fetchmany(10_000)
            if not chunk:
                break
            total += len(chunk)
    except duckdb.Error as exc:
        raise QueryError(_sql_message(exc)) from None
    return shown, total, columns


def _print_table(
    console: Console, columns: Sequence[tuple[str, str]], rows: Sequence[tuple], total: int, seconds: float
) -> None:
    """A rich table that fits the terminal: long cells are cut, and columns that do not fit are left out
    (and named) instead of being squeezed into unreadable one-character slivers."""
    cells = [[_cell(v) for v in row] for row in rows]
    budget = max(console.width, 40)
    cap = MAX_CELL_WIDTH
    natural = [
        max([len(name), len(ctype)] + [len(r[i]) for r in cells]) for i, (name, ctype) in enumerate(columns)
    ]
    if sum(min(cap, n) + 3 for n in natural) + 1 > budget:
        cap = MAX_CELL_WIDTH // 2  # too wide anyway: shorter cells, more columns on screen
    widths = [min(cap, n) + 3 for n in natural]
    keep = 0
    used = 1
    for w in widths:
        if keep and used + w > budget:
            break
        used += w
        keep += 1
    table = Table(show_header=True, header_style="bold", show_lines=False)
    for name, ctype in columns[:keep]:
        numeric = any(t in ctype.upper() for t in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL", "NUMERIC"))
        table.add_column(
            Text(name, style="bold") + Text("\n" + ctype.lower(), style="dim"),
            justify="right" if numeric else "left",
            max_width=cap,
            overflow="ellipsis",
            no_wrap=True,
        )
    for row in cells:
        table.add_row(*(Text(c) for c in row[:keep]))
    console.print(table)
    shown = f"showing the first {len(rows)}" if total > len(rows) else "all shown"
    note = f"{total} row{'s' if total != 1 else ''} ({shown}), {len(columns)} columns"
    if keep < len(columns):
        hidden = ", ".join(name for name, _ in columns[keep:])
        note += f"; not shown (too wide): {hidden}"
    console.print(
        Text(
            f"{note}; {seconds:.3f} s. Use --format csv|json|parquet --out FILE for everything.", style="dim"
        )
    )


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    return str(value).replace("\n", " ")


def _sql_message(exc: BaseException) -> str:
    return str(exc).strip()
