"""``xxgk ingest [DROP_DIR] [--db PATH]``: load the drop directory into the warehouse.

Prefect is imported only inside the command, after its environment is set: a fresh PREFECT_HOME needs
minutes-scale patience for the temporary server's first start (schema migration), telemetry must be
off on offline machines, and Prefect's console logging is noise for a CLI user unless --verbose.

Exit status: 0 nothing rejected, 1 the run finished with rejections, 2 the run itself failed,
3 another run holds the warehouse's run lock (``--wait`` to queue behind it).
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from flows.cli import exit_codes, prefect_env
from flows.cli.display import Display, ProgressMode, print_summary
from flows.cli.prefect_env import configure_prefect_env
from flows.ingest.limits import DEFAULT_FILE_SECONDS, DEFAULT_HTML_MAX_MB, DEFAULT_MEMORY_MB
from flows.paths import DEFAULT_DB, DEFAULT_DROP_DIR

EXIT_OK, EXIT_REJECTIONS, EXIT_FAILED, EXIT_LOCKED = (
    exit_codes.OK, exit_codes.REFUSED, exit_codes.CANNOT_RUN, exit_codes.LOCKED,
)  # fmt: skip


def ingest(
    drop_dir: Annotated[Path, typer.Argument(help="Directory crawled recursively for reports.")] = Path(
        DEFAULT_DROP_DIR
    ),
    db: Annotated[Path, typer.Option("--db", help="DuckDB warehouse file (created if missing).")] = Path(
        DEFAULT_DB
    ),
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Parser processes (default: the number of CPUs).")
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
    max_memory_mb: Annotated[
        int,
        typer.Option(
            "--max-memory-mb",
            min=64,
            help="Resident memory cap per parsing process; a file over it is rejected.",
        ),
    ] = DEFAULT_MEMORY_MB,
    file_timeout: Annotated[
        float,
        typer.Option(
            "--file-timeout", min=1, help="Seconds one file may take to parse before it is rejected."
        ),
    ] = DEFAULT_FILE_SECONDS,
    max_html_mb: Annotated[
        int, typer.Option("--max-html-mb", min=1, help="Largest HTML page read; larger ones are rejected.")
    ] = DEFAULT_HTML_MAX_MB,
    follow_links: Annotated[
        bool,
        typer.Option(
            "--follow-links",
            help="Also read symlinks to regular files outside DROP_DIR (by default they are skipped, unread).",
        ),
    ] = False,
    shortcut: Annotated[
        bool,
        typer.Option(
            "--shortcut/--no-shortcut",
            help="When no file is new or changed, stop before starting Prefect (no run is recorded).",
        ),
    ] = True,
    ocr: Annotated[
        bool,
        typer.Option(
            "--ocr/--no-ocr",
            help="Read scanned pages (PDF pages without a text layer, large images on text pages) by OCR; "
            "--no-ocr rejects scans as no_text_layer.",
        ),
    ] = True,
) -> None:
    """Load every new or changed report of DROP_DIR into the warehouse; print a summary."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if not drop_dir.is_dir():
        err.print(f"[red]error:[/] drop directory {drop_dir} does not exist or is not a directory")
        raise typer.Exit(EXIT_FAILED)

    from flows.ingest import interrupt

    mode = progress_mode
    if mode is ProgressMode.auto:
        mode = ProgressMode.bar if sys.stdout.isatty() else ProgressMode.plain
    display = Display(mode, out, drop_dir)
    # SIGINT/SIGTERM: outside the run's body they end the command at once (KeyboardInterrupt, nothing
    # to close); during the body the run first stops cleanly (flows.ingest.interrupt)
    with interrupt.abort_on_signals():
        try:
            _ingest(
                drop_dir, db, workers, batch_size, dask_address, verbose, wait, settle, shortcut,
                out, err, display,
                {"max_memory_mb": max_memory_mb, "file_timeout": file_timeout, "max_html_mb": max_html_mb,
                 "follow_links": follow_links, "ocr": ocr},
            )  # fmt: skip
        except KeyboardInterrupt:
            _exit_interrupted(err, display.loaded, interrupt.requested())


def _ingest(
    drop_dir: Path,
    db: Path,
    workers: int | None,
    batch_size: int,
    dask_address: str | None,
    verbose: bool,
    wait: float,
    settle: float,
    shortcut: bool,
    out: Console,
    err: Console,
    display: Display,
    limits: dict[str, Any],
) -> None:
    """The command once its arguments are checked; always ends with typer.Exit. ``limits`` are the
    per-file caps, ``follow_links`` and ``ocr``, passed to the flow (and the no-op shortcut) as they are."""
    configure_prefect_env(verbose)
    from flows.ingest import progress
    from flows.warehouse.lock import RunLockBusy, describe_holder, run_lock
    from flows.warehouse.staging import probe_live
    from flows.warehouse.writer import WarehouseError

    # Take the run lock and check the warehouse before Prefect's server starts: fail fast, and queue
    # (--wait) without a server running. The flow takes the same lock again (re-entrant).
    run_guard = contextlib.ExitStack()
    try:
        run_guard.enter_context(
            run_lock(
                db,
                wait=wait,
                on_busy=lambda holder: err.print(
                    f"waiting for the run lock: another ingest of this warehouse is running "
                    f"({describe_holder(holder)}); waiting up to {wait:.0f} s for it to finish"
                ),
            )
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
        from flows.ingest.noop import nothing_to_do

        quick = nothing_to_do(drop_dir, db, settle, limits["follow_links"], ocr=limits["ocr"])
        if quick is not None:
            run_guard.close()
            print_summary(out, quick, drop_dir, quick["seconds"])
            raise typer.Exit(EXIT_OK)

    # From here on the run needs Prefect. Its temporary server boots in a process of its own (one
    # core, ~2.7 s of CPU) while this process imports Prefect, prepares the staging copy, discovers
    # and hashes, and starts the parser processes (the other core); the flow run then begins as soon
    # as the server answers and takes the prepared work over (flows.ingest.prepared).
    started = time.perf_counter()
    server = prefect_env.start_temporary_server(verbose)
    try:
        with prefect_env.collector_paused():  # ~400 pydantic models, ~130,000 objects that live for good
            server = prefect_env.use_temporary_server(server)
            import prefect.flow_engine  # noqa: F401 - the first flow call's own import, done while the server boots

            from flows.ingest.flow import ingest as ingest_flow
    except Exception:
        run_guard.close()
        raise
    if server is None:
        from flows.ingest.serve import check_configured_server

        unreachable = check_configured_server()
        if unreachable:
            run_guard.close()
            err.print(f"[red]error:[/] {unreachable}")
            raise typer.Exit(EXIT_FAILED)
    progress.install(display.on_event)
    from prefect.exceptions import TerminationSignal

    from flows.ingest import interrupt, prepared

    key = prepared.RunKey.of(
        drop_dir=drop_dir, db_path=db, workers=workers, settle_seconds=settle, dask_address=dask_address,
        **limits,
    )  # fmt: skip
    ready: prepared.PreparedRun | None = None
    interrupted: int | None = None  # documents loaded when a signal stopped the run
    try:
        with display, prefect_env.run_settings(server):
            try:
                ready = prepared.prepare(key)
            except Exception:  # noqa: BLE001 - the flow does that work itself, and records the failure
                ready = None
            if server is not None:
                server.wait_until_ready()
            prepared.offer(ready)
            state = ingest_flow(
                drop_dir=str(drop_dir), db_path=str(db), workers=workers, batch_size=batch_size,
                dask_address=dask_address, settle_seconds=settle, return_state=True,
                **limits,
            )  # fmt: skip
            if state.is_cancelled() and interrupt.requested() is not None:
                summary = state.result(raise_on_failure=False)
                raise _Interrupted(summary["loaded"] if isinstance(summary, dict) else display.loaded)
            summary = state.result()
    except _Interrupted as stop:
        interrupted = stop.loaded
    except (KeyboardInterrupt, TerminationSignal):
        interrupted = display.loaded
    except WarehouseError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    except Exception as exc:  # noqa: BLE001 - any failure of the run itself is exit status 2
        err.print(f"[red]error:[/] the ingest run failed: {type(exc).__name__}: {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    finally:
        prepared.offer(None)
        if ready is not None:
            ready.discard()
        progress.install(None)
        run_guard.close()
    if interrupted is not None:  # after the clean-up above, which a quick exit would skip
        _exit_interrupted(err, interrupted, interrupt.requested())

    wall = time.perf_counter() - started
    print_summary(out, summary, drop_dir, wall, startup=max(0.0, wall - summary["seconds"]))
    _leave(EXIT_REJECTIONS if summary["rejected"] else EXIT_OK)


class _Interrupted(Exception):
    """The run stopped on a signal and closed cleanly, having loaded ``loaded`` documents."""

    def __init__(self, loaded: int) -> None:
        self.loaded = loaded


def _exit_interrupted(err: Console, loaded: int, signum: int | None) -> None:
    """One line, and the shell's exit status for the signal (130 SIGINT, 143 SIGTERM)."""
    import signal

    from flows.ingest.interrupt import exit_status

    err.print(f"interrupted: {loaded} loaded, run again to continue")
    _leave(exit_status(signum or signal.SIGINT))


def _leave(status: int) -> None:
    """End the command with ``status``. As the console script (not an in-process caller), skip the
    interpreter's teardown, which spends ~3 s collecting Prefect's object graph here (measured: the
    summary was printed 2.7–3.8 s before the process ended). What the teardown would do that matters
    is done first: Prefect's log and event workers drain into the API, the exit handlers run (the
    temporary server is stopped, loggers flush).
    Nothing is left open to finalise: the warehouse connections are closed, the parser pool is shut."""
    if Path(sys.argv[0]).name == "xxgk":
        import atexit
        import os

        prefect_env.drain_prefect_workers()  # Prefect's own drain is an interpreter-shutdown hook
        sys.stdout.flush()
        sys.stderr.flush()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    raise typer.Exit(status)


def _note_storage_format(err: Console, db: Path) -> None:
    """A warehouse in DuckDB 2.0's own format works, but the stock duckdb CLI cannot open it: say so."""
    from flows.warehouse.writer import legacy_format_note, storage_format

    note = legacy_format_note(db, storage_format(db)) if db.is_file() else None
    if note:
        err.print(f"[yellow]note:[/] {note}")


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
