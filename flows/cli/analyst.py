"""The analyst commands of ``xxgk``: ``query``, ``export``, ``report``, ``convert-storage``.

They live here, not in ``flows/cli/main.py``, so the ingest CLI stays small; ``register(app)`` adds them.
All of them read the warehouse through a read-only connection (except convert-storage, which writes a
new file), and never import Prefect: they start in well under a second.

Exit status: 0 done, 1 the SQL (or the request) was wrong, 2 the warehouse cannot be used (missing,
held by a writer, unreadable) or the output cannot be written.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows.paths import DEFAULT_DB

EXIT_OK, EXIT_BAD_REQUEST, EXIT_UNUSABLE = 0, 1, 2

DbOption = Annotated[Path, typer.Option("--db", help="DuckDB warehouse file (opened read-only).")]


def _consoles() -> tuple[Console, Console]:
    return Console(highlight=False, soft_wrap=False), Console(stderr=True, highlight=False, soft_wrap=True)


def query(
    sql: Annotated[str, typer.Argument(help="SQL to run (tables, current_* and v_* views).")],
    db: DbOption = DEFAULT_DB,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table (terminal) | csv | json | parquet (needs --out).")
    ] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the result to this file.")] = None,
) -> None:
    """Run SQL on a read-only connection; print a table, or write CSV/JSON/Parquet."""
    from flows.analyst.query import OutputFormat, QueryError, run_query
    from flows.warehouse.readonly import read_only
    from flows.warehouse.writer import WarehouseError

    console, err = _consoles()
    try:
        output = OutputFormat(fmt)
    except ValueError:
        err.print(f"[red]error:[/] unknown --format {fmt!r}; use table, csv, json or parquet")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
    if output is OutputFormat.parquet and out is None:
        err.print("[red]error:[/] --format parquet needs --out FILE (Parquet is binary, not for a terminal)")
        raise typer.Exit(EXIT_BAD_REQUEST)
    if output is OutputFormat.table and out is not None:
        err.print("[red]error:[/] --out needs --format csv, json or parquet")
        raise typer.Exit(EXIT_BAD_REQUEST)
    if out is not None and not out.parent.is_dir():
        err.print(f"[red]error:[/] the directory of --out ({out.parent}) does not exist")
        raise typer.Exit(EXIT_UNUSABLE)
    try:
        with read_only(db, err) as con:
            result = run_query(con, sql, output, out, console)
    except WarehouseError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_UNUSABLE) from None
    except QueryError as exc:
        err.print(f"[red]SQL error:[/] {exc}")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
    if out is not None:
        err.print(f"{result['rows']} rows written to {out} ({output.value}) in {result['seconds']:.3f} s")


def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="Export directory (replaced atomically).")],
    db: DbOption = DEFAULT_DB,
    fmt: Annotated[str, typer.Option("--format", "-f", help="parquet (zstd) | csv.")] = "parquet",
    tables: Annotated[
        list[str] | None,
        typer.Option("--tables", "-t", help="Datasets to export (repeat or comma-separate); default: all."),
    ] = None,
) -> None:
    """Export the tables and every v_* view, partitioned by year, with a schema file."""
    from flows.analyst.export import ExportError, export_warehouse
    from flows.warehouse.readonly import read_only
    from flows.warehouse.writer import WarehouseError

    console, err = _consoles()
    if fmt not in ("parquet", "csv"):
        err.print(f"[red]error:[/] unknown --format {fmt!r}; use parquet or csv")
        raise typer.Exit(EXIT_BAD_REQUEST)
    wanted = [t.strip() for item in tables or [] for t in item.split(",") if t.strip()] or None
    started = time.perf_counter()
    try:
        with read_only(db, err) as con:
            manifest = export_warehouse(con, out, fmt=fmt, only=wanted, source=str(db))
    except WarehouseError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_UNUSABLE) from None
    except ExportError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(exc.exit_code) from None
    wall = time.perf_counter() - started
    datasets = manifest["datasets"]
    rows = sum(d["rows"] for d in datasets.values())
    size = sum(d["bytes"] for d in datasets.values())
    console.print(
        f"Exported {len(datasets)} datasets, {rows} rows, {size / 1e6:.2f} MB ({fmt}) to {out} "
        f"→ {manifest['version_dir']} in {wall:.1f} s"
    )


def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")],
    agency: Annotated[
        str | None, typer.Option("--agency", help="agency_id, agency name or six-digit division code.")
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Division code: aggregate every agency of the region.")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write a self-contained HTML page (inline SVG charts) for one agency or region."""
    from flows.analyst.report.data import ReportError
    from flows.analyst.report.page import render_report
    from flows.warehouse.readonly import read_only
    from flows.warehouse.writer import WarehouseError

    console, err = _consoles()
    if (agency is None) == (region is None):
        err.print("[red]error:[/] give exactly one of --agency or --region")
        raise typer.Exit(EXIT_BAD_REQUEST)
    if not out.parent.is_dir():
        err.print(f"[red]error:[/] the directory of --out ({out.parent}) does not exist")
        raise typer.Exit(EXIT_UNUSABLE)
    try:
        with read_only(db, err) as con:
            page, subject = render_report(con, agency=agency, region=region)
    except WarehouseError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_UNUSABLE) from None
    except ReportError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
    out.write_text(page, encoding="utf-8")
    console.print(f"Report for {subject} written to {out} ({len(page.encode()) / 1e3:.0f} kB)")


def convert_storage(db: DbOption = DEFAULT_DB) -> None:
    """Rewrite a DuckDB 2.0-format warehouse in v1.5.0 format (readable by the stock duckdb CLI)."""
    from flows.warehouse.storage import convert_storage as convert
    from flows.warehouse.writer import WarehouseError

    console, err = _consoles()
    try:
        version, backup = convert(db)
    except WarehouseError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_UNUSABLE) from None
    if backup is None:
        console.print(f"{db} is already readable by the stock CLI ({version}): nothing to do")
    else:
        console.print(f"{db} converted from {version} to v1.5.0 storage; the original is kept as {backup}")


def register(app: typer.Typer) -> None:
    app.command("query")(query)
    app.command("export")(export)
    app.command("report")(report)
    app.command("convert-storage")(convert_storage)
