"""``xxgk`` command line: ``xxgk ingest [DROP_DIR] [--db PATH]``.

Prefect is imported only inside the command, after its environment is set: a fresh PREFECT_HOME needs
minutes-scale patience for the temporary server's first start (schema migration), telemetry must be
off on offline machines, and Prefect's console logging is noise for a CLI user unless --verbose.

Exit status: 0 nothing rejected, 1 the run finished with rejections, 2 the run itself failed,
3 another run holds the warehouse's run lock (``--wait`` to queue behind it).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.analyst_cli import register as register_analyst_commands
from flows.ops_cli import register as register_ops_commands

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.split("\n\n")[0])

EXIT_OK, EXIT_REJECTIONS, EXIT_FAILED, EXIT_LOCKED = 0, 1, 2, 3


class ProgressMode(StrEnum):
    auto = "auto"
    bar = "bar"
    plain = "plain"
    none = "none"


@app.callback()
def main() -> None:
    """xxgk: government information-disclosure annual reports → DuckDB."""


def configure_prefect_env(verbose: bool) -> None:
    """Settings Prefect reads at import time; the user's explicit values win where that makes sense."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    if not verbose:
        # Console only: run logs still go to the Prefect API (visible in the UI).
        os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "CRITICAL"
        os.environ["PREFECT_SERVER_LOGGING_LEVEL"] = "CRITICAL"
        os.environ["PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL"] = "CRITICAL"


@app.command()
def ingest(
    drop_dir: Annotated[Path, typer.Argument(help="Directory crawled recursively for reports.")] = Path(
        "data/drop"
    ),
    db: Annotated[Path, typer.Option("--db", help="DuckDB warehouse file (created if missing).")] = Path(
        "data/warehouse.duckdb"
    ),
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Parser processes [default: CPU count].")
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Files per Prefect task.")] = 32,
    dask_address: Annotated[
        str | None,
        typer.Option(
            "--dask-address",
            envvar="XXGK_DASK_ADDRESS",
            help="Parse on this Dask scheduler (tcp://HOST:8786) instead of local processes; "
            "the drop directory must be at the same path on every worker.",
        ),
    ] = None,
    progress_mode: Annotated[
        ProgressMode,
        typer.Option("--progress", help="bar (TTY), plain (one line per document), none; auto picks by TTY."),
    ] = ProgressMode.auto,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False,
    wait: Annotated[
        float,
        typer.Option("--wait", min=0, help="Seconds to wait for a running ingest of the same warehouse."),
    ] = 0.0,
    settle: Annotated[
        float, typer.Option("--settle", min=0, help="Defer files modified less than this many seconds ago.")
    ] = 2.0,
    shortcut: Annotated[
        bool,
        typer.Option(
            "--shortcut/--no-shortcut",
            help="When no file is new or changed, stop before starting Prefect (no run is recorded).",
        ),
    ] = True,
) -> None:
    """Load every new or changed report of DROP_DIR into the warehouse; print a summary."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if not drop_dir.is_dir():
        err.print(f"[red]error:[/] drop directory {drop_dir} does not exist or is not a directory")
        raise typer.Exit(EXIT_FAILED)

    configure_prefect_env(verbose)
    from flows import progress
    from flows.lock import RunLockBusy, run_lock
    from flows.staging import probe_live
    from flows.warehouse import WarehouseError

    # Take the run lock and check the warehouse before Prefect's ~15 s server start: fail fast, and
    # queue (--wait) without a server running. The flow takes the same lock again (re-entrant).
    run_guard = contextlib.ExitStack()
    try:
        run_guard.enter_context(
            run_lock(db, wait=wait, on_busy=lambda holder: err.print(f"waiting for the run lock: {holder}"))
        )
        probe_live(db)
    except RunLockBusy as exc:
        run_guard.close()
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_LOCKED) from None
    except WarehouseError as exc:
        run_guard.close()
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    _note_storage_format(err, db)
    if shortcut:
        from flows.noop import nothing_to_do

        quick = nothing_to_do(drop_dir, db, settle)
        if quick is not None:
            run_guard.close()
            _print_summary(out, quick, drop_dir, quick["seconds"])
            raise typer.Exit(EXIT_OK)

    mode = progress_mode
    if mode is ProgressMode.auto:
        mode = ProgressMode.bar if sys.stdout.isatty() else ProgressMode.plain
    display = _Display(mode, out, drop_dir)
    progress.install(display.on_event)
    started = time.perf_counter()
    try:
        with display:
            from flows.ingest import ingest as ingest_flow

            summary = ingest_flow(
                drop_dir=str(drop_dir), db_path=str(db), workers=workers, batch_size=batch_size,
                dask_address=dask_address,
                settle_seconds=settle,
            )  # fmt: skip
    except WarehouseError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    except KeyboardInterrupt:
        err.print("[red]interrupted[/]: every document committed so far is complete; run again to finish")
        raise typer.Exit(EXIT_FAILED) from None
    except Exception as exc:  # noqa: BLE001 - any failure of the run itself is exit status 2
        err.print(f"[red]error:[/] the ingest run failed: {type(exc).__name__}: {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    finally:
        progress.install(None)
        run_guard.close()

    _print_summary(out, summary, drop_dir, time.perf_counter() - started)
    raise typer.Exit(EXIT_REJECTIONS if summary["rejected"] else EXIT_OK)


def _note_storage_format(err: Console, db: Path) -> None:
    """A warehouse in DuckDB 2.0's own format works, but the stock duckdb CLI cannot open it: say so."""
    from flows.warehouse import legacy_format_note, storage_format

    note = legacy_format_note(db, storage_format(db)) if db.is_file() else None
    if note:
        err.print(f"[yellow]note:[/] {note}")


class _Display:
    """Turns flow progress events into a rich progress bar or one plain line per document."""

    def __init__(self, mode: ProgressMode, console: Console, drop_dir: Path) -> None:
        self.mode = mode
        self.console = console
        self.root = drop_dir.resolve()
        self.bar: Progress | None = None
        self.task_id: Any = None

    def __enter__(self) -> _Display:
        if self.mode is ProgressMode.bar:
            self.bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[last]}"),
                console=Console(stderr=True),
                transient=False,
            )
            self.bar.start()
            self.task_id = self.bar.add_task("starting Prefect", total=None, last="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def _rel(self, path: str) -> str:
        try:
            return str(Path(path).relative_to(self.root))
        except ValueError:
            return path

    def on_event(self, event: str, data: dict[str, Any]) -> None:
        if event == "planned":
            work = data["to_parse"] + data["copies"] + data["unreadable"] + data.get("deferred", 0)
            if self.bar is not None:
                self.bar.update(self.task_id, description="ingesting", total=work, completed=0)
            elif self.mode is ProgressMode.plain:
                print(
                    f"planned\t{data['seen']} seen\t{data['unchanged']} unchanged\t{data['to_parse']} to parse",
                    flush=True,
                )
        elif event == "document":
            rel = self._rel(data["path"])
            if self.bar is not None:
                self.bar.update(self.task_id, advance=1, last=f"{data['status']} {rel}")
            elif self.mode is ProgressMode.plain:
                detail = (
                    data["reason_code"] if data["status"] in ("rejected", "deferred") else data["report_id"]
                )
                print(f"{data['status']}\t{detail}\t{rel}", flush=True)


def _print_summary(console: Console, summary: dict[str, Any], drop_dir: Path, wall: float) -> None:
    table = Table(title="xxgk ingest", show_header=True, header_style="bold")
    table.add_column("files", justify="left")
    table.add_column("count", justify="right")
    for key in ("seen", "unchanged", "parsed", "loaded", "duplicate", "rejected", "deferred"):
        table.add_row(key, str(summary[key]))
    console.print(table)
    if summary["rejections"]:
        rejected = Table(title="rejected files", show_header=True, header_style="bold", expand=False)
        rejected.add_column("file", overflow="fold")
        rejected.add_column("reason_code")
        rejected.add_column("reason", overflow="fold")
        root = drop_dir.resolve()
        for r in summary["rejections"]:
            path = Path(r["path"])
            rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
            rejected.add_row(rel, r["reason_code"], r["reason"])
        console.print(rejected)
    if summary.get("deferrals"):
        console.print(
            f"deferred (still being written, left for the next run): {', '.join(summary['deferrals'])}"
        )
    console.print(
        f"Summary: {summary['seen']} seen, {summary['unchanged']} unchanged, {summary['loaded']} loaded, "
        f"{summary['rejected']} rejected, {summary['duplicate']} duplicate, {summary.get('deferred', 0)} deferred; "
        f"parsed {summary['parsed']} "
        f"in {wall:.1f} s (warehouse {summary['db_path']})"
    )


# query, export, report, convert-storage: read-only analyst commands (flows/analyst_cli.py)
register_analyst_commands(app)
# serve: nightly runs on a Prefect server (flows/ops_cli.py)
register_ops_commands(app)

if __name__ == "__main__":
    app()
