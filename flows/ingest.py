"""The ingest flow: drop directory → parser workers → DuckDB. Orchestration only.

Shape of a run (tasks are verbs; the logic lives in discovery/parsing/pool/warehouse):

1. ``discover_files``: walk, skip unchanged files by path+size+mtime_ns, hash the rest, plan.
2. ``record_known_files``: refresh unchanged rows, record copies of known content (no parsing).
3. ``parse_batch`` × N (submitted, at most ``BATCHES_IN_FLIGHT`` running): each batch of 16–64 files
   goes to a shared process pool; every outcome is put on a queue the moment its file is done.
4. ``load_results``: the one writer, in the flow's own thread, drains that queue and commits each
   document in its own transaction while the workers keep parsing.

Prefect tasks are per batch, never per file: a task run costs ~70 ms of orchestration here.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from flows import progress
from flows.discovery import Candidate, Plan, plan_files, walk_drop_dir
from flows.parsing import PARSER_VERSION, ParseOutcome
from flows.pool import ParserPool
from flows.summary import RunSummary
from flows.warehouse import Warehouse, now, open_warehouse

DEFAULT_BATCH_SIZE = 32
BATCHES_IN_FLIGHT = 2
"""Two batches feed the pool at once so that it never idles on the tail of one batch."""


class ResultStream:
    """Bounded hand-over from the parse threads to the writer.

    Bounded, so that a writer slower than the workers slows the workers down instead of piling
    parsed reports up in memory; cancellable, so that a failed writer cannot leave a parse thread
    blocked on a full queue forever."""

    def __init__(self, maxsize: int) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=maxsize)
        self._cancelled = threading.Event()
        self._finished: set[int] = set()
        self._lock = threading.Lock()

    def finish(self, batch_no: int, error: str | None = None) -> None:
        """Put the end-of-batch marker, once per batch (the writer counts markers to know it is done)."""
        with self._lock:
            if batch_no in self._finished:
                return
            self._finished.add(batch_no)
        self.put(BatchDone(batch_no, error))

    def put(self, item: object) -> None:
        while not self._cancelled.is_set():
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def get(self) -> object:
        return self._queue.get()

    def cancel(self) -> None:
        self._cancelled.set()


@dataclass(slots=True)
class BatchDone:
    """End-of-batch marker on the results queue (carries the error if the batch task itself failed)."""

    batch_no: int
    error: str | None = None


@task(cache_policy=NO_CACHE)
def discover_files(drop_dir: str, warehouse: Warehouse) -> Plan:
    """List the drop directory and decide what to do with each file (read-only on the drop dir)."""
    files = walk_drop_dir(Path(drop_dir))
    plan = plan_files(files, warehouse.known_files(), warehouse.known_hashes, PARSER_VERSION)
    get_run_logger().info(
        "%d files: %d unchanged, %d to parse, %d copies of known content, %d unreadable",
        plan.seen, len(plan.unchanged), len(plan.to_parse), len(plan.copies), len(plan.unreadable),
    )  # fmt: skip
    return plan


@task(cache_policy=NO_CACHE)
def record_known_files(plan: Plan, warehouse: Warehouse, summary: RunSummary) -> None:
    """Write what needs no parsing: last_seen of unchanged files, rows for copies, unreadable files."""
    seen_at = now()
    warehouse.touch(plan.unchanged, seen_at)
    summary.unchanged += len(plan.unchanged)
    for candidate, known in plan.copies:
        written = warehouse.record_copy(candidate, known, seen_at, PARSER_VERSION)
        summary.count(written.status, candidate.stat.path, written.reason_code, written.reason)
        _emit_document(
            candidate.stat.path, written.status, written.report_id, written.reason_code, written.reason
        )
    for unreadable in plan.unreadable:  # no row: without its bytes there is no identity to record
        summary.count("rejected", unreadable.stat.path, "unreadable", unreadable.reason)
        _emit_document(unreadable.stat.path, "rejected", None, "unreadable", unreadable.reason)


@task(cache_policy=NO_CACHE, task_run_name="parse_batch-{batch_no}")
def parse_batch(batch_no: int, items: list[tuple[str, str]], pool: ParserPool, results: ResultStream) -> int:
    """Parse one batch in the worker pool, streaming each outcome to the writer as it completes."""
    try:
        pool.parse(items, results.put)
    except BaseException as exc:
        results.finish(batch_no, f"{type(exc).__name__}: {exc}")
        raise
    results.finish(batch_no)
    return len(items)


@task(cache_policy=NO_CACHE)
def load_results(
    results: ResultStream, batches: int, plan: Plan, warehouse: Warehouse, summary: RunSummary
) -> None:
    """The single writer: commit each parsed file (and its same-content twins) in its own transaction."""
    by_path: dict[str, Candidate] = {c.stat.path: c for c in plan.to_parse}
    failures: list[str] = []
    finished = 0
    while finished < batches:
        item = results.get()
        if isinstance(item, BatchDone):
            finished += 1
            if item.error:
                failures.append(f"batch {item.batch_no}: {item.error}")
            continue
        outcome: ParseOutcome = item
        candidate = by_path[outcome.path]
        twins = plan.twins.get(candidate.sha256, [])
        written = warehouse.record_outcome(outcome, candidate, twins, now(), PARSER_VERSION)
        summary.parse_seconds += outcome.seconds
        for path in [candidate.stat.path, *(t.stat.path for t in twins)]:
            if path != candidate.stat.path and written.status == "loaded":
                status, reason_code, reason = "duplicate", None, f"same content as {candidate.stat.path}"
            else:
                status, reason_code, reason = written.status, written.reason_code, written.reason
            summary.count(status, path, reason_code, reason)
            _emit_document(path, status, written.report_id, reason_code, reason)
    if failures:
        raise RuntimeError("parsing failed outside any single file: " + "; ".join(failures))


@flow(name="xxgk-ingest", task_runner=ThreadPoolTaskRunner(max_workers=BATCHES_IN_FLIGHT))
def ingest(
    drop_dir: str = "data/drop",
    db_path: str = "data/warehouse.duckdb",
    workers: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> dict:
    """Load every new or changed report of ``drop_dir`` into the DuckDB file ``db_path``.

    Returns the run summary as a plain dict (see flows.summary.RunSummary); raises if the run itself
    fails (warehouse locked, worker pool unusable) — bad files never make it fail.
    """
    started_at, clock = now(), time.perf_counter()
    summary = RunSummary(drop_dir=str(Path(drop_dir).resolve()), db_path=str(Path(db_path).resolve()))
    with open_warehouse(db_path) as warehouse:
        plan = discover_files(drop_dir, warehouse)
        summary.seen = plan.seen
        progress.emit(
            "planned", seen=plan.seen, unchanged=len(plan.unchanged), to_parse=len(plan.to_parse),
            copies=len(plan.copies), unreadable=len(plan.unreadable),
        )  # fmt: skip
        record_known_files(plan, warehouse, summary)
        if plan.to_parse:
            items = [(c.stat.path, c.sha256) for c in plan.to_parse]
            size = max(1, batch_size)
            batches = [items[i : i + size] for i in range(0, len(items), size)]
            results = ResultStream(maxsize=2 * BATCHES_IN_FLIGHT * size)
            with ParserPool(workers) as pool:
                futures = [parse_batch.submit(n, batch, pool, results) for n, batch in enumerate(batches)]
                for n, future in enumerate(futures):
                    # a task that Prefect failed before its body ran must still end the writer's wait
                    future.add_done_callback(
                        lambda _f, n=n: results.finish(n, "the parse task ended without reporting its files")
                    )
                summary.parsed = len(items)
                try:
                    load_results(results, len(batches), plan, warehouse, summary)
                except BaseException:
                    results.cancel()
                    raise
                for future in futures:
                    future.wait()
                summary.worker_crashes = pool.crashes
        summary.seconds = time.perf_counter() - clock
        warehouse.record_run(uuid.uuid4().hex, summary.drop_dir, started_at, summary.counts(), PARSER_VERSION)
    return summary.as_dict()


def _emit_document(
    path: str, status: str, report_id: str | None, reason_code: str | None, reason: str | None
) -> None:
    progress.emit(
        "document", path=path, status=status, report_id=report_id, reason_code=reason_code, reason=reason
    )
