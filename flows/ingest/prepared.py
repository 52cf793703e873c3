"""The part of an ingest run that needs no Prefect API, done before the flow run exists.

Why: with a temporary Prefect server, ``xxgk ingest`` waits for the server to boot (about 3 s of one
core) before the flow run can even be created. Nothing of staging, discovery, hashing or the parser
processes' start needs the API, so the command does them meanwhile, on the other core
(``prepare``), and hands the result to the flow (``offer``). The flow's tasks take it instead of
redoing the work (``claim``): ``prepare_staging`` returns the prepared copy, ``discover_files`` the
plan (and logs the same counts), the parse tasks use the pool whose processes are already up. So the
run's record in Prefect still says what was discovered, parsed and loaded, and the run's duration
(``runs.duration_seconds``) includes the prepared part.

A flow started any other way (``xxgk serve``'s scheduled runs, tests calling the flow) finds nothing
to claim, or nothing that matches its own parameters, and does all the work itself, as before. So
does the command's flow when preparing failed (a disk error, a foreign writer): it meets the same
error inside the flow run, which then records it as a failed run, as before.

Called with the run lock held (flows.warehouse.lock): the plan stays true until the flow uses it
because no other run may write the warehouse meanwhile.
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from flows.ingest import interrupt
from flows.ingest.discovery import Plan, Skipped, hash_files, plan_files, walk_drop_dir
from flows.ingest.limits import Limits
from flows.ingest.parsing import parser_version
from flows.ingest.pool import ParserPool
from flows.warehouse import staging
from flows.warehouse.writer import Warehouse, now, open_warehouse


@dataclass(frozen=True, slots=True)
class RunKey:
    """The flow parameters the prepared work depends on: a flow run whose key differs prepares itself."""

    drop_dir: str
    db_path: str
    settle_seconds: float
    follow_links: bool
    version: str
    workers: int | None
    limits: Limits
    dask: bool

    @classmethod
    def of(
        cls,
        drop_dir: str | Path,
        db_path: str | Path,
        workers: int | None,
        settle_seconds: float,
        dask_address: str | None,
        max_memory_mb: int | None,
        file_timeout: float | None,
        max_html_mb: int,
        follow_links: bool,
        ocr: bool,
    ) -> RunKey:
        """The key of a run from the ingest flow's own parameters (the command passes the same)."""
        return cls(
            str(Path(drop_dir).resolve()), str(Path(db_path).resolve()), float(settle_seconds),
            bool(follow_links), parser_version(ocr), workers,
            Limits(memory_mb=max_memory_mb, file_seconds=file_timeout, html_max_mb=max_html_mb, ocr=ocr),
            bool(dask_address),
        )  # fmt: skip


@dataclass(slots=True)
class PreparedRun:
    """The staging copy (open), the plan, and the parser pool (started) of one run."""

    key: RunKey
    started_at: dt.datetime
    stage: staging.Stage
    warehouse: Warehouse
    plan: Plan
    pool: ParserPool | None
    discovery_seconds: float
    seconds: float = 0.0
    """Wall time of ``prepare``: counted in the run's duration."""
    claimed: bool = False
    _closer: ExitStack = field(default_factory=ExitStack)

    def close_warehouse(self) -> None:
        """Close the staging copy's connection (the flow does, before it publishes the copy)."""
        self._closer.close()

    def discard(self) -> None:
        """End the parser processes and close the copy's connection, if still open: for work the flow
        never took (interrupted or failed before the flow run began; the copy stays, identical to the
        live file, and the next run resumes it), or that a failed flow body left open. A no-op after
        a flow that closed both."""
        if self.pool is not None:
            self.pool.stop()
        self._closer.close()


def prepare(key: RunKey) -> PreparedRun:
    """Staging copy, warehouse schema, discovery and hashing, parser processes started (not waited
    for): what ``prepare_staging``, ``discover_files`` and the first ``parse_batch`` would otherwise
    do after the flow run begins. The pool is started only when the plan has files to parse, and not
    for a run that parses on Dask."""
    clock, started_at = time.perf_counter(), now()
    stage = staging.prepare(key.db_path)
    closer = ExitStack()
    try:
        warehouse = closer.enter_context(open_warehouse(stage.path))
        discovery_started = time.perf_counter()
        plan = discover(key.drop_dir, warehouse, key.settle_seconds, key.follow_links, key.version)
        discovery_seconds = time.perf_counter() - discovery_started
        pool = None
        if plan.to_parse and not key.dask:
            pool = ParserPool(key.workers, key.limits)
            pool.start()
    except BaseException:
        closer.close()
        raise
    return PreparedRun(
        key, started_at, stage, warehouse, plan, pool, discovery_seconds,
        seconds=time.perf_counter() - clock, _closer=closer,
    )  # fmt: skip


def discover(
    drop_dir: str, warehouse: Warehouse, settle_seconds: float, follow_links: bool, version: str
) -> Plan:
    """Walk the drop directory and plan each file against the warehouse (flows.ingest.discovery);
    hashing stops early if the run is interrupted (the incomplete plan is then discarded)."""
    skipped: list[Skipped] = []
    files = walk_drop_dir(Path(drop_dir), skipped, follow_links)
    settled_before_ns = time.time_ns() - int(settle_seconds * 1e9) if settle_seconds > 0 else None
    plan = plan_files(
        files, warehouse.known_files(), warehouse.known_hashes, version,
        hasher=lambda stats: hash_files(stats, stop=lambda: interrupt.requested() is not None),
        settled_before_ns=settled_before_ns,
    )  # fmt: skip
    interrupt.raise_if_requested()
    plan.skipped = skipped
    return plan


_offered: PreparedRun | None = None


def offer(prepared: PreparedRun | None) -> None:
    """Make ``prepared`` the work the next matching flow run of this process takes (None: withdraw)."""
    global _offered
    _offered = prepared


def claim(key: RunKey) -> PreparedRun | None:
    """The offered work if it was prepared for exactly this run, once; None otherwise."""
    global _offered
    prepared, _offered = _offered, None
    if prepared is None or prepared.claimed or prepared.key != key:
        if prepared is not None and not prepared.claimed:
            _offered = prepared  # not ours: left for its owner to discard
        return None
    prepared.claimed = True
    return prepared
