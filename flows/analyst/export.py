"""``xxgk export``: the warehouse as Parquet (or CSV) files that need no DuckDB lock to read.

Layout of ``--out DIR`` (a symlink, see below)::

    DIR/_schema.json            machine-readable: every dataset, its columns and types, rows, files
    DIR/SCHEMA.md               the same for people
    DIR/facts/year=2023/data_0.parquet   partitioned datasets: one directory per year (hive style);
    DIR/facts/year=__HIVE_DEFAULT_PARTITION__/…   rows whose report has no year
    DIR/documents.parquet       datasets without a year: one file

Every dataset with a year is partitioned by it: reports and the v_* views that have a ``year`` column
directly, facts/narratives/checks with the year of their report joined in (the only added column).
``year`` is also written inside the files (INTEGER), so a reader gets the same type with or without
hive partitioning. Column types are fixed by explicit casts from the warehouse's own types (types
Parquet readers handle badly are mapped: HUGEINT → BIGINT, UUID/INTERVAL/ENUM/JSON/VARIANT → VARCHAR).

Atomic replacement: DIR is a symlink to ``.DIR.versions/<timestamp>``. A new export is written into a
new version directory, then a fresh symlink is renamed over DIR (``rename(2)`` is atomic), so a reader
that opens DIR sees either the previous complete export or the new complete one, never a mix or a
half-written directory. Resolve DIR once (``os.path.realpath``) to read one consistent snapshot: the
previous version is kept until the next export, so a reader that resolved it just before a swap can
finish; older versions are deleted. Two exports into the same DIR are serialised by a lock file.
If DIR is a real directory left by something else, export refuses to touch it (unless empty).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from flows.warehouse.sql import ident as _ident
from flows.warehouse.sql import literal as _lit

YEAR_JOINED = ("facts", "narratives", "checks")
"""Tables keyed by report_id: exported with the year of their report, so they can be partitioned."""
BASE_TABLES = ("reports", "facts", "narratives", "checks", "documents", "ingest_runs")
"""Warehouse tables exported by default (dictionary tables and v_* views are added when they exist)."""
SORT_KEYS = {
    "reports": "report_id",
    "facts": "report_id, table_id, code, party",
    "narratives": "report_id, ordinal",
    "checks": "report_id, rule_id, party",
    "documents": "path, sha256",
    "ingest_runs": "started_at, run_id",
}
"""Primary-key order, so that the same warehouse gives the same files (diffable, cache-friendly)."""
_TYPE_MAP = {
    "HUGEINT": "BIGINT",
    "UHUGEINT": "BIGINT",
    "UUID": "VARCHAR",
    "INTERVAL": "VARCHAR",
    "JSON": "VARCHAR",
    "VARIANT": "VARCHAR",
    "BIT": "VARCHAR",
    "TIME WITH TIME ZONE": "VARCHAR",
}


class ExportError(RuntimeError):
    """The export cannot be done as asked; exit_code 1 for a wrong request, 2 for an unusable target."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(slots=True, frozen=True)
class Dataset:
    name: str
    kind: str  # table | view
    source: str  # SQL producing the rows (before casts)
    order_by: str | None


def datasets(con: duckdb.DuckDBPyConnection) -> list[Dataset]:
    """What an export contains: the base tables, other tables that are not part of the ingest's
    bookkeeping (the dictionaries), and every ``v_*`` view — found in the catalog, so a new view is
    exported without touching this code."""
    tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND NOT temporary"
        ).fetchall()
    }
    views = [
        r[0]
        for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND NOT internal AND view_name LIKE 'v\\_%' ESCAPE '\\' "
            "ORDER BY view_name"
        ).fetchall()
    ]
    found: list[Dataset] = []
    for name in [*BASE_TABLES, *sorted(tables - set(BASE_TABLES))]:
        if name not in tables:
            continue
        if name in YEAR_JOINED:
            source = f"SELECT t.*, r.year AS year FROM {_ident(name)} AS t LEFT JOIN reports AS r USING (report_id)"
        else:
            source = f"SELECT * FROM {_ident(name)}"
        found.append(Dataset(name, "table", source, SORT_KEYS.get(name)))
    found.extend(Dataset(v, "view", f"SELECT * FROM {_ident(v)}", None) for v in views)
    return found


def export_warehouse(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    *,
    fmt: str = "parquet",
    only: Sequence[str] | None = None,
    source: str = "",
) -> dict[str, Any]:
    """Export into a new version directory and swap ``out`` to it; returns the manifest."""
    available = datasets(con)
    if only:
        names = {d.name for d in available}
        unknown = [n for n in only if n not in names]
        if unknown:
            raise ExportError(
                f"unknown dataset(s) {', '.join(unknown)}; available: {', '.join(sorted(names))}", 1
            )
        chosen = [d for d in available if d.name in set(only)]
    else:
        chosen = available
    out = Path(os.path.abspath(out))
    parent = out.parent
    if not parent.is_dir():
        raise ExportError(f"the parent directory of --out ({parent}) does not exist")
    versions = parent / f".{out.name}.versions"
    versions.mkdir(exist_ok=True)
    with _lock(versions / ".lock"):
        _check_target(out)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        staging = versions / f"{stamp}.partial"
        staging.mkdir()
        try:
            manifest = _write(con, staging, chosen, fmt, source)
            final = versions / stamp
            manifest["version_dir"] = str(final)
            staging.rename(final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        previous = _swap(out, final)
        _prune(versions, keep={final.name, previous.name if previous else ""})
    return manifest


def _write(
    con: duckdb.DuckDBPyConnection, root: Path, chosen: Sequence[Dataset], fmt: str, source: str
) -> dict[str, Any]:
    ext = "parquet" if fmt == "parquet" else "csv"
    options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"
    manifest: dict[str, Any] = {
        "format": fmt,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "warehouse": source,
        "duckdb_version": duckdb.__version__,
        "partitioning": "hive style by year (year=YYYY/, NULL year in year=__HIVE_DEFAULT_PARTITION__)",
        "datasets": {},
    }
    for ds in chosen:
        columns = [(r[0], r[1]) for r in con.execute(f"DESCRIBE {ds.source}").fetchall()]
        casts = [(name, _export_type(ctype, name)) for name, ctype in columns]
        select = ", ".join(f"CAST({_ident(n)} AS {t}) AS {_ident(n)}" for n, t in casts)
        order = f" ORDER BY {ds.order_by}" if ds.order_by else ""
        sql = f"SELECT {select} FROM ({ds.source}) AS src{order}"
        partitioned = any(n == "year" for n, _ in columns)
        if partitioned:
            target = root / ds.name
            rows = _copy(con, sql, target, f"{options}, PARTITION_BY (year), WRITE_PARTITION_COLUMNS true")
            if rows == 0:  # no rows, no partition: one empty file keeps the schema readable (a glob finds it)
                target.mkdir(exist_ok=True)
                _copy(con, sql, target / f"data_0.{ext}", options)
        else:
            target = root / f"{ds.name}.{ext}"
            rows = _copy(con, sql, target, options)
        files = sorted(p for p in ([target] if target.is_file() else target.rglob(f"*.{ext}")))
        manifest["datasets"][ds.name] = {
            "kind": ds.kind,
            "path": target.relative_to(root).as_posix() + ("" if target.is_file() else "/"),
            "partitioned_by": ["year"] if partitioned else [],
            "year_joined_from_reports": ds.name in YEAR_JOINED,
            "rows": rows,
            "files": [p.relative_to(root).as_posix() for p in files],
            "bytes": sum(p.stat().st_size for p in files),
            "columns": [{"name": n, "type": t} for n, t in casts],
        }
    (root / "_schema.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    (root / "SCHEMA.md").write_text(_schema_md(manifest), encoding="utf-8")
    return manifest


def _copy(con: duckdb.DuckDBPyConnection, sql: str, target: Path, options: str) -> int:
    """COPY the query to target; returns the rows written (the view is evaluated once, not counted first)."""
    result = con.execute(f"COPY ({sql}) TO {_lit(target)} ({options})").fetchall()
    return int(result[0][0]) if result and result[0] else 0


def _export_type(duck_type: str, name: str) -> str:
    """The warehouse type, or its Parquet-friendly stand-in; ``year`` is always INTEGER."""
    if name == "year":
        return "INTEGER"
    upper = duck_type.upper()
    if upper.startswith("ENUM("):
        return "VARCHAR"
    if upper == "TIMESTAMP WITH TIME ZONE":
        return "TIMESTAMPTZ"
    return _TYPE_MAP.get(upper, duck_type)


def _schema_md(manifest: dict[str, Any]) -> str:
    lines = [
        "# xxgk export",
        "",
        f"Format: {manifest['format']}"
        + (" (zstd)" if manifest["format"] == "parquet" else "")
        + f"; created {manifest['created_at']} from `{manifest['warehouse']}` "
        f"with DuckDB {manifest['duckdb_version']}.",
        "",
        "Datasets with a `year` column are partitioned hive style (`year=2023/…`); rows without a year are in "
        "`year=__HIVE_DEFAULT_PARTITION__/`. `year` is also stored in the files. facts, narratives and "
        "checks carry the `year` of their report (joined from reports). Column meanings: README.md and "
        "the DDL in `sql/`.",
        "",
        "Read with polars: `pl.read_parquet('DIR/facts/**/*.parquet', hive_partitioning=True)`; with DuckDB: "
        "`read_parquet('DIR/facts/**/*.parquet', hive_partitioning=true)`.",
        "",
    ]
    for name, ds in manifest["datasets"].items():
        part = ", partitioned by year" if ds["partitioned_by"] else ""
        lines += [
            f"## {name}",
            "",
            f"{ds['kind']}, `{ds['path']}`{part}: {ds['rows']} rows in {len(ds['files'])} file(s).",
            "",
            "| column | type |",
            "| --- | --- |",
            *(f"| `{c['name']}` | {c['type']} |" for c in ds["columns"]),
            "",
        ]
    return "\n".join(lines)


def _check_target(out: Path) -> None:
    """DIR must be our symlink, absent, or an empty directory (replaced by the symlink)."""
    if out.is_symlink():
        return
    if out.is_dir():
        if any(out.iterdir()):
            raise ExportError(
                f"{out} is a directory that an earlier xxgk export did not create (exports are a symlink "
                f"to a version directory); move it away or choose another --out"
            )
        out.rmdir()
    elif out.exists():
        raise ExportError(f"{out} exists and is not a directory")


def _swap(out: Path, final: Path) -> Path | None:
    """Point ``out`` at ``final`` with one atomic rename; returns the version it pointed at before."""
    previous = Path(os.path.realpath(out)) if out.is_symlink() else None
    link = out.with_name(f".{out.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(final, out.parent), link)  # relative: the parent can be moved
    os.replace(link, out)
    return previous


def _prune(versions: Path, keep: set[str]) -> None:
    """Delete versions older than the previous one (and leftovers of crashed exports)."""
    for entry in versions.iterdir():
        if entry.name.startswith(".") or entry.name in keep:
            continue
        shutil.rmtree(entry, ignore_errors=True)


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
