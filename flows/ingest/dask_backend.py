"""Parsing on a Dask cluster (``xxgk ingest --dask-address tcp://HOST:8786``), through prefect-dask.

The flow process stays the only DuckDB writer; the cluster only parses:

- Each batch of files is one Prefect task run, ``parse_batch_on_worker``, submitted with
  ``prefect_dask.DaskTaskRunner(address=…)``. On the worker it calls ``flows.ingest.parsing.parse_file`` on
  each file of the batch and returns the plain, picklable ``ParseOutcome`` list. Workers import
  neither DuckDB nor the warehouse module.
- A feeder thread in the flow process keeps at most ``2 × (worker threads)`` batches in flight, and
  puts each finished batch's outcomes on the flow's bounded ``ResultStream``; the flow's single writer
  (``load_results``) drains it exactly as it does for the local process pool. A slow writer therefore
  slows down submission instead of piling parsed reports up on the cluster or in the flow process.
- Workers read the files themselves: the drop directory must be mounted at the same path on every
  worker. A worker that cannot see a file fails the batch (and so the run) instead of recording the
  file as rejected, and a worker that sees different bytes at that path produces
  ``changed_during_read`` (``parse_file`` re-hashes what it read), which the writer never stores.
- Every worker must run the same parser code as the flow: a batch answered by another
  ``PARSER_VERSION`` fails the run (stored rows would otherwise claim a version they were not made by).

What the local pool does and this does not: a file that kills its worker process is not pinned down
and rejected on its own. Dask reschedules the batch (``distributed.scheduler.allowed-failures``) and
then fails the run with ``KilledWorker``; there is no per-file timeout either.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.ingest.parsing import PARSER_VERSION, ParseOutcome, parse_file

if TYPE_CHECKING:
    from flows.ingest.results import ResultStream


Item = tuple[str, str]


class DriftError(RuntimeError):
    """A worker cannot do its part: different parser code, or the drop directory is not mounted."""


@task(cache_policy=NO_CACHE, task_run_name="parse_batch-{batch_no}")
def parse_batch_on_worker(
    batch_no: int, items: list[Item], ocr: bool = True
) -> tuple[str, list[ParseOutcome]]:
    """Runs on a Dask worker: parse every file of the batch; return (parser version, outcomes)."""
    missing = [path for path, _ in items if not os.path.exists(path)]
    if missing:
        raise DriftError(
            f"{len(missing)} file(s) of batch {batch_no} are not visible on this Dask worker, e.g. "
            f"{missing[0]}: mount the drop directory at the same path on every worker"
        )
    return PARSER_VERSION, [parse_file(path, sha256, ocr=ocr) for path, sha256 in items]


@contextmanager
def parse_on_dask(
    address: str, batches: Sequence[list[Item]], results: ResultStream, ocr: bool = True
) -> Iterator[None]:
    """Parse ``batches`` on the Dask cluster at ``address`` while the caller drains ``results``.

    Enter, run the writer, leave: leaving waits for the feeder thread (after ``results.cancel()`` when
    the writer failed). Each batch ends with ``results.finish(batch_no[, error])`` exactly once."""
    from prefect_dask import DaskTaskRunner

    with _api_for_workers(), DaskTaskRunner(address=address) as runner:
        threads = sum(runner.client.nthreads().values()) or 1
        feeder = threading.Thread(
            target=contextvars.copy_context().run,  # the flow run context, for the task submissions
            args=(_feed, runner, batches, results, max(2, 2 * threads), ocr),
            name="xxgk-dask-feeder",
            daemon=True,
        )
        feeder.start()
        try:
            yield
        finally:
            results.cancel()  # harmless once the writer has every batch; unblocks the feeder otherwise
            feeder.join()


@contextmanager
def _api_for_workers() -> Iterator[None]:
    """Tell the workers which Prefect API to report their task runs to.

    A Dask worker gets the flow's settings with each task (prefect-dask serialises the context), but
    in ephemeral mode (no ``PREFECT_API_URL``) the temporary server is not a setting: measured, every
    worker process then started a temporary server of its own on the same SQLite file (3 servers,
    ~80 s for 4 files). So the flow's own temporary server (already running: the flow talks to it) is
    named explicitly. It listens on 127.0.0.1 only, which is enough for a cluster on this machine; a
    cluster on other machines needs ``PREFECT_API_URL`` pointing at a ``prefect server start`` they
    can reach (README, "Parsing on a Dask cluster")."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()  # a no-op when the flow's ephemeral client has started it (it has, by now)
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield


def _feed(
    runner, batches: Sequence[list[Item]], results: ResultStream, window: int, ocr: bool = True
) -> None:
    """Every batch ends with exactly one ``finish`` marker, even if feeding itself breaks: the writer
    counts markers, so a feeder that died silently would leave it waiting forever."""
    try:
        _feed_window(runner, batches, results, window, ocr)
    except BaseException as exc:
        for batch_no in range(len(batches)):  # finish() ignores batches that already have their marker
            results.finish(batch_no, f"the Dask feeder failed: {type(exc).__name__}: {exc}")
        raise


def _feed_window(
    runner, batches: Sequence[list[Item]], results: ResultStream, window: int, ocr: bool = True
) -> None:
    """Submit batches with at most ``window`` in flight; hand each finished batch to the writer."""
    from distributed import as_completed

    pending = iter(enumerate(batches))
    by_key: dict[str, tuple[int, object]] = {}
    done = as_completed(loop=runner.client.loop)

    def submit_next() -> None:
        for batch_no, items in pending:
            future = runner.submit(
                parse_batch_on_worker, {"batch_no": batch_no, "items": list(items), "ocr": ocr}
            )
            by_key[future.wrapped_future.key] = (batch_no, future)
            done.add(future.wrapped_future)
            return

    for _ in range(window):
        submit_next()
    for wrapped in done:
        batch_no, future = by_key.pop(wrapped.key)
        if results.cancelled:
            results.finish(batch_no, "cancelled")
            continue
        try:
            version, outcomes = future.result()
            if version != PARSER_VERSION:
                raise DriftError(
                    f"a Dask worker runs parser version {version}, this process {PARSER_VERSION}: "
                    "install the same xxgk on every worker"
                )
        except BaseException as exc:  # noqa: BLE001 - reported to the writer, which fails the run
            results.finish(batch_no, f"{type(exc).__name__}: {exc}")
        else:
            for outcome in outcomes:
                results.put(outcome)
            results.finish(batch_no)
        if not results.cancelled:
            submit_next()
    for batch_no, _items in pending:  # never submitted because the writer stopped
        results.finish(batch_no, "cancelled")
