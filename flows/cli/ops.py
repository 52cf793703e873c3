"""The operations commands of ``xxgk``: ``serve`` (nightly runs on a Prefect server).

Kept out of ``flows/cli/main.py`` like the analyst commands; ``register(app)`` adds them. Exit status of
``serve``: 0 stopped by the operator, 2 cannot serve (no Prefect server configured or reachable,
missing drop directory).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows.cli import exit_codes
from flows.paths import DEFAULT_DB, DEFAULT_DROP_DIR

EXIT_OK, EXIT_FAILED = exit_codes.OK, exit_codes.CANNOT_RUN


def serve(
    drop_dir: Annotated[Path, typer.Argument(help="Directory crawled by every scheduled run.")] = Path(
        DEFAULT_DROP_DIR
    ),
    cron: Annotated[str, typer.Option("--cron", help="When to run (cron syntax).")] = "0 2 * * *",
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="IANA timezone of --cron (default UTC), e.g. Asia/Shanghai."),
    ] = None,
    db: Annotated[Path, typer.Option("--db", help="DuckDB warehouse file (created if missing).")] = Path(
        DEFAULT_DB
    ),
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Parser processes per run (default: the number of CPUs)."),
    ] = None,
    settle: Annotated[
        float, typer.Option("--settle", min=0, help="Defer files modified less than this many seconds ago.")
    ] = 2.0,
    wait: Annotated[
        float,
        typer.Option("--wait", min=0, help="Seconds a scheduled run waits for another ingest to finish."),
    ] = 3600.0,
    name: Annotated[str, typer.Option("--name", help="Deployment name (xxgk-ingest/NAME).")] = "nightly",
    ocr: Annotated[
        bool, typer.Option("--ocr/--no-ocr", help="Read scanned pages by OCR in every scheduled run.")
    ] = True,
) -> None:
    """Serve the ingest as a scheduled Prefect deployment; runs execute here until Ctrl-C."""
    from flows.cli.prefect_env import configure_prefect_env

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if not drop_dir.is_dir():
        err.print(f"[red]error:[/] drop directory {drop_dir} does not exist or is not a directory")
        raise typer.Exit(EXIT_FAILED)
    configure_prefect_env(verbose=True)  # a service: its log is where operators look
    from flows.ingest.serve import ServeOptions, ServeSetupError, check_server, serve_ingest

    try:
        url = check_server()
    except ServeSetupError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    err.print(f"serving xxgk-ingest/{name} on {url} with schedule {cron!r} ({timezone or 'UTC'})")
    options = ServeOptions(
        drop_dir=drop_dir, db=db, cron=cron, timezone=timezone, workers=workers,
        settle_seconds=settle, lock_wait=wait, name=name, ocr=ocr,
    )  # fmt: skip
    serve_ingest(options)
    err.print("stopped serving (the schedule stays active on the server)")


def register(app: typer.Typer) -> None:
    app.command()(serve)
