"""The two SQL idioms every writer and reader of the warehouse shares, written once.

DuckDB's COPY and ATTACH take no bound parameters for paths, so a path goes into the statement as a
quoted literal; and a multi-statement change is one transaction that rolls back on any error
(KeyboardInterrupt included), so a reader never sees half of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike

import duckdb


def literal(value: str | PathLike[str]) -> str:
    """A SQL string literal: single quotes doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted identifier: double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN … COMMIT, or ROLLBACK and re-raise on any exception."""
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK").fetchall()
        raise
    con.execute("COMMIT").fetchall()
