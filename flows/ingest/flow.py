"""The ingest flow: drop directory → parser workers → DuckDB. Orchestration only.

Shape of a run (tasks are verbs; the logic lives in discovery/parsing/pool/warehouse):

0. Under the run lock (``<db>.lock``, flows.warehouse.lock), ``prepare_staging`` copies the live warehouse to
   ``<db>.loading`` (flows.warehouse.staging); everything below writes the copy, readers keep the live file.
1. ``discover_files``: walk, skip unchanged files by path+size+mtime_ns, defer files still being
   written (mtime within the settle window), hash the rest, plan.
2. ``record_known_files``: refresh unchanged rows, record copies of known content (no parsing).
3. ``parse_batch`` × N (submitted, at most ``BATCHES_IN_FLIGHT`` running): each batch of 16–64 files
   goes to a shared process pool; every outcome is put on a queue the moment its file is done.
4. ``load_results``: the one writer, in the flow's own thread, drains that queue and commits what
   arrived within a quarter second (at most 64 files) in one transaction while the workers keep
   parsing; each document is still loaded whole or not at all.
5. ``refresh_model`` (rebuild the materialised fact model, sql/models, if the run loaded or superseded
   anything: flows.warehouse.models), ``record_run`` (a ``runs`` row), ``publish_warehouse`` (atomic swap of the copy
   over the live file), ``publish_run_report`` (the run's markdown artifact) — also after a failed run,
   for what it committed.

On the first SIGINT/SIGTERM (flows.ingest.interrupt) the writer stops between two documents, the pool's
workers are ended, and step 5 runs as for a failed run, as ``interrupted``; the flow returns Cancelled.

Started by ``xxgk ingest``, steps 0 and 1 and the start of the parser processes are done before the
flow run exists, while Prefect's server boots (flows.ingest.prepared); ``prepare_staging``,
``discover_files`` and the parse tasks take that work over, so the run records and logs the same
counts, and its duration includes it.

Prefect tasks are per batch, never per file: a task run costs ~70 ms of orchestration here.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Cancelled, State
from prefect.task_runners import ThreadPoolTaskRunner

from flows.ingest import interrupt, prepared, progress, runs
from flows.ingest.artifacts import ARTIFACT_KEY, run_report_markdown
from flows.ingest.discovery import Candidate, Plan
from flows.ingest.limits import DEFAULT_FILE_SECONDS, DEFAULT_HTML_MAX_MB, DEFAULT_MEMORY_MB, Limits
from flows.ingest.parsing import ParseOutcome, parser_version
from flows.ingest.pool import ParserPool
from flows.ingest.results import BatchDone, ResultStream
from flows.ingest.summary import RunSummary
from flows.paths import DEFAULT_DB, DEFAULT_DROP_DIR
from flows.warehouse import staging
from flows.warehouse.lock import run_lock
from flows.warehouse.writer import Warehouse, now, open_warehouse

DEFAULT_BATCH_SIZE = 32
DEFAULT_SETTLE_SECONDS = 2.0
"""A new or changed file modified less than this long ago is probably still being written: next run."""
BATCHES_IN_FLIGHT = 2
WRITE_WINDOW_SECONDS = 0.25
"""How long the writer waits for more parsed files after the first of a group before committing the
group: long enough that one commit serves many documents when the parsers are fast, short enough that a
loaded document shows up at once."""
WRITE_GROUP_MAX = 64
"""Most files committed in one transaction (bounds what a killed run parses again, and the writer's
memory)."""
"""Two batches feed the pool at once so that it never idles on the tail of one batch."""
WRITER_POLL_SECONDS = 0.2
"""How often the waiting writer looks up to see whether the run was interrupted."""


@task(cache_policy=NO_CACHE)
def prepare_staging(db_path: str, ready: staging.Stage | None = None) -> staging.Stage:
    """Copy the live warehouse to ``<db>.loading`` (or keep an interrupted run's copy) to load into;
    ``ready``: the copy the command already made while Prefect started (flows.ingest.prepared)."""
    stage = ready or staging.prepare(db_path)
    get_run_logger().info(
        "loading into %s (%s%s)", stage.path,
        "resuming an interrupted run" if stage.resumed else f"copied in {stage.copy_seconds:.2f} s",
        ", before the flow run began" if ready else "",
    )  # fmt: skip
    return stage


@task(cache_policy=NO_CACHE)
def discover_files(
    drop_dir: str,
    warehouse: Warehouse,
    settle_seconds: float = 0.0,
    follow_links: bool = False,
    version: str = "",
    ready: tuple[Plan, float] | None = None,
) -> Plan:
    """List the drop directory and decide what to do with each file (read-only on the drop dir; only
    files inside it, see flows.ingest.discovery). ``ready``: the plan (and the seconds it took) that
    the command made while Prefect started (flows.ingest.prepared); logged the same way."""
    if ready is None:
        started = time.perf_counter()
        plan = prepared.discover(
            drop_dir, warehouse, settle_seconds, follow_links, version or parser_version(True)
        )
        took, when = time.perf_counter() - started, ""
    else:
        (plan, took), when = ready, ", before the flow run began"
    for entry in plan.skipped:
        get_run_logger().warning("skipped (not read): %s: %s", entry.reason, entry.path)
    get_run_logger().info(
        "%d files: %d unchanged, %d to parse, %d copies of known content, %d unreadable, %d still being "
        "written (walked and hashed in %.2f s%s)",
        plan.seen, len(plan.unchanged), len(plan.to_parse), len(plan.copies), len(plan.unreadable),
        len(plan.deferred), took, when,
    )  # fmt: skip
    return plan


@task(cache_policy=NO_CACHE)
def record_known_files(plan: Plan, warehouse: Warehouse, summary: RunSummary, version: str = "") -> None:
    """Write what needs no parsing: last_seen of unchanged files, rows for copies, unreadable files."""
    seen_at = now()
    warehouse.touch(plan.unchanged, seen_at)
    summary.unchanged += len(plan.unchanged)
    for candidate, known in plan.copies:
        written = warehouse.record_copy(candidate, known, seen_at, version or parser_version(True))
        summary.count(written.status, candidate.stat.path, written.reason_code, written.reason)
        _emit_document(
            candidate.stat.path, written.status, written.report_id, written.reason_code, written.reason
        )
    for unreadable in plan.unreadable:  # no row: without its bytes there is no identity to record
        summary.count("rejected", unreadable.stat.path, "unreadable", unreadable.reason)
        _emit_document(unreadable.stat.path, "rejected", None, "unreadable", unreadable.reason)
    for stat in plan.deferred:  # no row either: the next run must see it as new
        summary.count("deferred", stat.path)
        _emit_document(
            stat.path, "deferred", None, "still_being_written", "modified during the settle window"
        )


@task(cache_policy=NO_CACHE, task_run_name="parse_batch-{batch_no}")
def parse_batch(batch_no: int, items: list[tuple[str, str]], pool: ParserPool, results: ResultStream) -> int:
    """Parse one batch in the worker pool, streaming each outcome to the writer as it completes."""
    try:
        if pool.stopped:  # the run was interrupted before this batch's turn came
            results.finish(batch_no)
            return 0
        pool.parse(items, results.put)
    except BaseException as exc:
        results.finish(batch_no, f"{type(exc).__name__}: {exc}")
        raise
    results.finish(batch_no)
    return len(items)


@task(cache_policy=NO_CACHE)
def load_results(
    results: ResultStream,
    batches: int,
    plan: Plan,
    warehouse: Warehouse,
    summary: RunSummary,
    version: str = "",
) -> bool:
    """The single writer: commit the parsed files (each with its same-content twins) a group at a time.

    A group is what arrived within ``WRITE_WINDOW_SECONDS`` of its first file, at most
    ``WRITE_GROUP_MAX`` files, written in one transaction (flows.warehouse.writer.record_outcomes: each
    file is loaded whole or not at all). Returns True when it stopped early because the run was
    interrupted: between two groups, so every document is committed whole or not at all; outcomes
    still queued are dropped (not written, so the next run parses those files again)."""
    by_path: dict[str, Candidate] = {c.stat.path: c for c in plan.to_parse}
    failures: list[str] = []
    finished = 0
    group: list[ParseOutcome] = []
    while finished < batches:
        if interrupt.requested() is not None:
            return True
        item = results.get(timeout=WRITER_POLL_SECONDS)
        if item is None:
            continue
        deadline = time.monotonic() + WRITE_WINDOW_SECONDS
        while True:
            if isinstance(item, BatchDone):
                finished += 1
                if item.error:
                    failures.append(f"batch {item.batch_no}: {item.error}")
            else:
                group.append(item)
            left = deadline - time.monotonic()
            if finished >= batches or len(group) >= WRITE_GROUP_MAX or left <= 0:
                break
            item = results.get(timeout=left)
            if item is None:
                break
        if group:
            _write_group(group, by_path, plan, warehouse, summary, version or parser_version(True))
            group = []
    if failures:
        raise RuntimeError("parsing failed outside any single file: " + "; ".join(failures))
    return False


def _write_group(
    group: list[ParseOutcome], by_path: dict[str, Candidate], plan: Plan, warehouse: Warehouse,
    summary: RunSummary, version: str,
) -> None:  # fmt: skip
    items = [(o, by_path[o.path], plan.twins.get(by_path[o.path].sha256, [])) for o in group]
    written_all = warehouse.record_outcomes(items, now(), version)
    for (outcome, candidate, twins), written in zip(items, written_all, strict=True):
        if written.status == "loaded" and outcome.report is not None and outcome.report.ocr_pages:
            summary.ocr_documents += 1
        summary.parse_seconds += outcome.seconds
        for path in [candidate.stat.path, *(t.stat.path for t in twins)]:
            if path != candidate.stat.path and written.status == "loaded":
                status, reason_code, reason = "duplicate", None, f"same content as {candidate.stat.path}"
            else:
                status, reason_code, reason = written.status, written.reason_code, written.reason
            summary.count(status, path, reason_code, reason)
            _emit_document(path, status, written.report_id, reason_code, reason)


@task(cache_policy=NO_CACHE)
def record_run(
    warehouse: Warehouse, summary: RunSummary, started_at: dt.datetime, version: str = ""
) -> list[runs.FailedCheck]:
    """Write the run's ``runs`` row into the copy (swapped in with the data it describes)."""
    failed = runs.failed_checks_since(warehouse.con, started_at)
    runs.record_run(
        warehouse.con,
        uuid.uuid4().hex,
        summary,
        started_at,
        now(),
        len(failed),
        version or parser_version(True),
    )
    return failed


@task(cache_policy=NO_CACHE)
def refresh_model(warehouse: Warehouse) -> None:
    """Rebuild the materialised fact model (sql/models) in the copy when the run changed its inputs (loaded or
    superseded a report, or resumed a copy that did); a run that changed nothing skips it (flows.warehouse.models)."""
    done = warehouse.refresh_model()
    logger = get_run_logger()
    if done.rebuilt:
        logger.info("model rebuilt (%s): %d reports in %.2f s", done.reason, done.reports, done.seconds)
    else:
        logger.info("model up to date (checked in %.3f s)", done.seconds)


@task(cache_policy=NO_CACHE)
def publish_warehouse(stage: staging.Stage) -> None:
    """Atomically replace the live warehouse with the loaded copy (readers of the old file keep it)."""
    staging.publish(stage)


@task(cache_policy=NO_CACHE)
def publish_run_report(summary: dict, failed_checks: list[runs.FailedCheck]) -> None:
    """The run's markdown artifact: counts, rejections, deferred files, failed checks, duration."""
    create_markdown_artifact(
        run_report_markdown(summary, failed_checks),
        key=ARTIFACT_KEY,
        description=f"xxgk ingest {summary['status']}: {summary['loaded']} loaded, "
        f"{summary['rejected']} rejected, {summary['deferred']} deferred",
    )


@flow(name="xxgk-ingest", task_runner=ThreadPoolTaskRunner(max_workers=BATCHES_IN_FLIGHT))
def ingest(
    drop_dir: str = DEFAULT_DROP_DIR,
    db_path: str = DEFAULT_DB,
    workers: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    lock_wait: float | None = 0.0,
    dask_address: str | None = None,
    max_memory_mb: int | None = DEFAULT_MEMORY_MB,
    file_timeout: float | None = DEFAULT_FILE_SECONDS,
    max_html_mb: int = DEFAULT_HTML_MAX_MB,
    follow_links: bool = False,
    ocr: bool = True,
) -> dict | State:
    """Load every new or changed report of ``drop_dir`` into the DuckDB file ``db_path``.

    ``ocr``: read page images (scans, image pages of mixed PDFs) by OCR in the parser workers; without
    it scans are rejected ``no_text_layer`` under a parser version of their own, so a later run with OCR
    reads them again.

    With ``dask_address`` the files are parsed on that Dask cluster instead of the local process
    pool (flows.ingest.dask_backend); this process still does all the writing.

    Returns the run summary as a plain dict (see flows.ingest.summary.RunSummary); raises if the run itself
    fails (warehouse locked, worker pool unusable) — bad files never make it fail. Files modified in
    the last ``settle_seconds`` are deferred to the next run. ``lock_wait``: seconds to wait for
    another run of the same warehouse (None: as long as it takes) before failing with RunLockBusy.
    ``max_memory_mb`` / ``file_timeout`` / ``max_html_mb``: the per-file caps (flows.ingest.limits), the
    same on the local pool and on Dask; None switches the memory or time cap off. ``follow_links``:
    also read symlinks to regular files outside ``drop_dir`` (by default they are skipped, unread).

    On SIGINT/SIGTERM (flows.ingest.interrupt) the run stops taking work, closes as a failed run would
    (what it committed is swapped in and recorded, status ``interrupted``) and returns a Cancelled
    state whose message says why; its result is the summary dict.
    """
    limits = Limits(memory_mb=max_memory_mb, file_seconds=file_timeout, html_max_mb=max_html_mb, ocr=ocr)
    started_at, clock = now(), time.perf_counter()
    version = parser_version(ocr)
    # what the command prepared for exactly this run while Prefect started, if anything
    key = prepared.RunKey.of(
        drop_dir, db_path, workers, settle_seconds, dask_address, max_memory_mb, file_timeout,
        max_html_mb, follow_links, ocr,
    )  # fmt: skip
    ready = prepared.claim(key)
    summary = RunSummary(drop_dir=str(Path(drop_dir).resolve()), db_path=str(Path(db_path).resolve()))
    summary.flow_run_id = flow_run.id
    record = _RunRecord(summary, ready.started_at if ready else started_at, clock, version, ready)
    try:
        _run(
            drop_dir, db_path, workers, batch_size, settle_seconds, lock_wait, dask_address, record,
            limits, follow_links,
        )  # fmt: skip
    except interrupt.RunInterrupted as exc:  # still waiting for the run lock: nothing to close
        record.error = exc
        summary.status, summary.error = "interrupted", str(exc)
    finally:
        if ready is not None:  # normally closed by now; not if the body failed before it got to them
            ready.discard()
    publish_run_report(summary.as_dict(), record.failed_checks)
    if isinstance(record.error, interrupt.RunInterrupted):
        return Cancelled(
            message=f"{record.error}: {summary.loaded} loaded, the rest is left for the next run",
            data=summary.as_dict(),
        )
    if record.error is not None:
        raise record.error
    return summary.as_dict()


def _run(
    drop_dir: str,
    db_path: str,
    workers: int | None,
    batch_size: int,
    settle_seconds: float,
    lock_wait: float | None,
    dask_address: str | None,
    record: _RunRecord,
    limits: Limits,
    follow_links: bool,
) -> None:
    """The flow's body: under the run lock, into the staging copy (closed by ``_loading_copy``)."""
    summary = record.summary
    with (
        interrupt.stop_on_signals(summary.flow_run_id),
        run_lock(db_path, wait=lock_wait, while_waiting=interrupt.raise_if_requested),
        _loading_copy(db_path, record) as warehouse,
    ):
        interrupt.raise_if_requested()
        ready = record.ready
        plan = discover_files(
            drop_dir, warehouse, settle_seconds, follow_links, record.version,
            (ready.plan, ready.discovery_seconds) if ready else None,
        )  # fmt: skip
        summary.seen = plan.seen
        summary.skip(plan.skipped)
        progress.emit(
            "planned", seen=plan.seen, unchanged=len(plan.unchanged), to_parse=len(plan.to_parse),
            copies=len(plan.copies), unreadable=len(plan.unreadable), deferred=len(plan.deferred),
        )  # fmt: skip
        record_known_files(plan, warehouse, summary, record.version)
        interrupt.raise_if_requested()
        if plan.to_parse:
            items = [(c.stat.path, c.sha256) for c in plan.to_parse]
            size = max(1, batch_size)
            batches = [items[i : i + size] for i in range(0, len(items), size)]
            results = ResultStream(maxsize=2 * BATCHES_IN_FLIGHT * size)
            if dask_address:
                from flows.ingest.dask_backend import parse_on_dask

                summary.parsed = len(items)
                with parse_on_dask(dask_address, batches, results, limits):
                    stopped = load_results(results, len(batches), plan, warehouse, summary, record.version)
                    if stopped:
                        results.cancel()
            else:
                with ready.pool if ready and ready.pool else ParserPool(workers, limits) as pool:
                    futures = [parse_batch.submit(n, batch, pool, results) for n, batch in enumerate(batches)]
                    for n, future in enumerate(futures):
                        # a task that Prefect failed before its body ran must still end the writer's wait
                        future.add_done_callback(
                            lambda _f, n=n: results.finish(
                                n, "the parse task ended without reporting its files"
                            )
                        )
                    summary.parsed = len(items)
                    try:
                        stopped = load_results(
                            results, len(batches), plan, warehouse, summary, record.version
                        )
                        if stopped:
                            results.cancel()  # parse threads blocked on a full queue return
                            pool.stop()
                    except BaseException:
                        results.cancel()
                        raise
                    for future in futures:
                        future.wait()
                    summary.worker_crashes = pool.crashes
            if stopped:
                interrupt.raise_if_requested()


@dataclass(slots=True)
class _RunRecord:
    """What the closing steps of a run need: its summary and timing, and the failure they outlive."""

    summary: RunSummary
    started_at: dt.datetime
    clock: float
    version: str = ""
    """The parser version the run records (``parsing.parser_version``)."""
    ready: prepared.PreparedRun | None = None
    """Staging copy, plan and parser pool prepared before the flow run began (flows.ingest.prepared)."""
    error: Exception | None = None
    failed_checks: list[runs.FailedCheck] = field(default_factory=list)


@contextmanager
def _loading_copy(db_path: str, record: _RunRecord) -> Iterator[Warehouse]:
    """The staging copy, open for the run's body. On the way out, also when the body failed, the
    run's row is written, the copy swapped in (what a failed run committed is complete per document,
    as before), and the failure kept for the flow to re-raise after the artifact.

    An interrupted run (flows.ingest.interrupt) closes the same way, as ``interrupted``. Only
    ``Exception`` is caught: after a KeyboardInterrupt raised outside the run's own signal handling
    (like SIGKILL) nothing is swapped, and the next run resumes the copy."""
    summary, ready = record.summary, record.ready
    stage = prepare_staging(db_path, ready.stage if ready else None)
    summary.resumed, summary.copy_seconds = stage.resumed, stage.copy_seconds
    with _prepared_warehouse(ready) if ready else open_warehouse(stage.path) as warehouse:
        try:
            yield warehouse
        except interrupt.RunInterrupted as exc:
            record.error = exc
            summary.status, summary.error = "interrupted", str(exc)
        except Exception as exc:  # noqa: BLE001 - recorded and published, then re-raised by the flow
            record.error = exc
            summary.status, summary.error = "failed", f"{type(exc).__name__}: {exc}"
        try:
            refresh_model(warehouse)
        except Exception as exc:  # noqa: BLE001 - the data is committed; the next writer rebuilds the model
            if record.error is None:
                record.error = exc
                summary.status, summary.error = "failed", f"refreshing the model: {type(exc).__name__}: {exc}"
        # the run's own time: the flow body, and what was done for it before the flow run began
        summary.seconds = time.perf_counter() - record.clock + (ready.seconds if ready else 0.0)
        record.failed_checks = record_run(warehouse, summary, record.started_at, record.version)
    publish_warehouse(stage)


@contextmanager
def _prepared_warehouse(ready: prepared.PreparedRun) -> Iterator[Warehouse]:
    """The staging copy the command opened before the flow run began, closed like ``open_warehouse``."""
    try:
        yield ready.warehouse
    finally:
        ready.close_warehouse()


def _emit_document(
    path: str, status: str, report_id: str | None, reason_code: str | None, reason: str | None
) -> None:
    progress.emit(
        "document", path=path, status=status, report_id=report_id, reason_code=reason_code, reason=reason
    )
