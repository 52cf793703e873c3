"""A process pool for parsing that survives dead and hung workers.

Why not a bare ``ProcessPoolExecutor``: when one worker dies (segfault in a C extension, OOM kill),
the executor is *broken* and fails every pending future, including files that had nothing to do with
the crash. Here the files caught in a crash are resubmitted to a rebuilt pool; a file caught in two
crashes is parsed alone in a one-process pool, so the file that really kills its worker is pinned
down and rejected (``worker_crashed``) while all the others are parsed normally.

Per-file limits (flows.ingest.limits) are enforced inside each worker: a file over its memory or time
cap comes back as a ``resource_limit`` / ``timeout`` rejection and the worker goes on. A worker that
does not stop by itself (stuck in C code) is killed once nothing has finished for the limits'
``kill_after`` seconds; its file is then handled like a crash and ends as ``timeout``.

The pool is shared by the concurrent ``parse_batch`` tasks of one flow run (threads of the flow
process), hence the lock and the generation counter: only the first thread that sees a broken
executor replaces it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from flows.ingest.limits import Limits, timeout_reason
from flows.ingest.parsing import FAULT_ENV, ParseOutcome, init_worker, parse_in_worker

Item = tuple[str, str]
"""(path, sha256) of a file to parse."""
OnOutcome = Callable[[ParseOutcome], None]

MAX_ATTEMPTS_IN_POOL = 2


def _context() -> mp.context.BaseContext:
    """forkserver where available: workers fork from a small server that pre-imported only the parser
    (fast start, no Prefect/DuckDB state copied, no fork-with-threads hazards); spawn elsewhere."""
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["flows.ingest.parsing"])
        return ctx
    return mp.get_context("spawn")


def _kill_workers(executor: ProcessPoolExecutor) -> None:
    """Kill an executor's worker processes so that a hung parse turns into BrokenProcessPool.

    ``_processes`` is private, but the executor has no public way to stop a running work item."""
    for proc in list((getattr(executor, "_processes", None) or {}).values()):
        try:
            proc.kill()
        except (OSError, ValueError, AttributeError):
            pass


class ParserPool:
    """Parse files in worker processes; call ``on_outcome`` for each file as soon as it is done."""

    def __init__(self, workers: int | None = None, limits: Limits | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.limits = limits or Limits()
        self.file_timeout = self.limits.kill_after
        self._ctx = _context()
        self._initargs = (os.environ.get(FAULT_ENV, ""), self.limits)
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._generation = 0
        self.crashes = 0
        self._closed = False
        self._stopped = False
        self._alone: ProcessPoolExecutor | None = None

    def __enter__(self) -> ParserPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None

    def stop(self) -> None:
        """End the work at once (the run was interrupted): kill the workers and make every ``parse``
        return without further outcomes. Files being parsed are dropped; the next run parses them."""
        with self._lock:
            self._stopped = True
            self._closed = True
            for executor in (self._executor, self._alone):
                if executor is not None:
                    _kill_workers(executor)
                    executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    @property
    def stopped(self) -> bool:
        return self._stopped

    def _current(self) -> tuple[ProcessPoolExecutor, int]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the parser pool is closed")
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=self._ctx,
                    initializer=init_worker,
                    initargs=self._initargs,
                )
                self._generation += 1
            return self._executor, self._generation

    def _discard(self, generation: int, kill: bool = False) -> None:
        with self._lock:
            if self._executor is not None and generation == self._generation:
                self.crashes += 1
                if kill:
                    _kill_workers(self._executor)
                # no cancel_futures: a broken executor fails its pending futures itself, and those
                # must surface as BrokenProcessPool (resubmit), not as a cancellation
                self._executor.shutdown(wait=False)
                self._executor = None

    def parse(self, items: Sequence[Item], on_outcome: OnOutcome) -> None:
        """Parse ``items``; every item produces exactly one outcome, in completion order."""
        attempts: dict[Item, int] = {}
        queue = list(items)
        alone: list[Item] = []
        while queue and not self._stopped:
            try:
                executor, generation = self._current()
            except RuntimeError:
                if self._stopped:
                    return
                raise
            futures: dict[Future[ParseOutcome], Item] = {}
            retry: list[Item] = []
            for item in queue:
                try:
                    futures[executor.submit(parse_in_worker, *item)] = item
                except (BrokenProcessPool, RuntimeError):
                    # broken by a crash seen first by another batch: replace the pool, resubmit unchanged
                    self._discard(generation)
                    retry.append(item)
            pending = set(futures)
            while pending and not self._stopped:
                done, pending = wait(pending, timeout=self.file_timeout, return_when=FIRST_COMPLETED)
                if self._stopped:
                    return
                if not done:  # nothing finished for a whole timeout: treat the pool as hung
                    self._discard(generation, kill=True)
                    continue
                for future in done:
                    item = futures[future]
                    try:
                        outcome = future.result()
                    except CancelledError:
                        retry.append(item)
                        continue
                    except BrokenProcessPool:
                        self._discard(generation)
                        attempts[item] = attempts.get(item, 0) + 1
                        (alone if attempts[item] >= MAX_ATTEMPTS_IN_POOL else retry).append(item)
                        continue
                    except Exception as exc:  # noqa: BLE001 - e.g. an outcome that cannot be pickled
                        outcome = _rejected(item, "parser_error", f"{type(exc).__name__}: {exc}")
                    on_outcome(outcome)
            queue = retry
        for item in alone:
            if self._stopped:
                return
            self._parse_alone(item, on_outcome)

    def _parse_alone(self, item: Item, on_outcome: OnOutcome) -> None:
        """Last resort for a file caught in repeated crashes: one process, one file, a hard timeout."""
        executor = ProcessPoolExecutor(
            max_workers=1, mp_context=self._ctx, initializer=init_worker, initargs=self._initargs
        )
        self._alone = executor
        try:
            future = executor.submit(parse_in_worker, *item)
            try:
                outcome = future.result(timeout=self.file_timeout)
            except BrokenProcessPool:
                self.crashes += 1
                outcome = _rejected(
                    item,
                    "worker_crashed",
                    "the parser process died while reading this file (it crashed twice); "
                    "the file may be malformed in a way that breaks the PDF/DOCX library",
                )
            except FutureTimeout:
                _kill_workers(executor)
                outcome = _rejected(item, "timeout", timeout_reason(self.limits.file_seconds))
            except Exception as exc:  # noqa: BLE001
                outcome = _rejected(item, "parser_error", f"{type(exc).__name__}: {exc}")
            if self._stopped:
                return
            on_outcome(outcome)
        finally:
            self._alone = None
            executor.shutdown(wait=False, cancel_futures=True)


def _rejected(item: Item, code: str, reason: str) -> ParseOutcome:
    path, sha256 = item
    return ParseOutcome.rejected(path, sha256, code, reason)
