"""The no-op shortcut: tell, before Prefect starts, that a run would have nothing to do.

A re-run over an unchanged drop directory is the most common nightly run, and most of its cost is
not the work: measured over 10,000 unchanged files (benchmarks/RESULTS.md) the flow body takes about
a second while the CLI spends most of its wall time starting and stopping Prefect's temporary server
and copying the warehouse to its staging file. This check walks the drop directory (stat only, no
hashing) and compares it with the warehouse's ``documents`` rows on a read-only connection; when
every file is recorded with the same path, size and mtime (and none was rejected by an older parser)
there is nothing to parse, copy or record, and ``xxgk ingest`` prints the summary and stops.

What a shortcut run does not do, by design: no Prefect flow run, no ``ingest_runs`` row, no refresh
of ``documents.last_seen``. ``xxgk ingest --no-shortcut`` runs the full flow anyway (and records it).
Anything unusual — no warehouse yet, a staging copy left by an interrupted run, a file that is new,
changed, deferred or unreadable, a warehouse that cannot be opened read-only — means "not a no-op",
and the normal run takes over.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from flows.ingest.discovery import FileStat, Skipped, plan_files, walk_drop_dir
from flows.ingest.parsing import parser_version
from flows.ingest.summary import RunSummary
from flows.warehouse.staging import staging_path
from flows.warehouse.writer import Warehouse


class _NotANoop(Exception):
    pass


def _refuse_hashing(files: list[FileStat]) -> dict[str, str]:
    if files:  # something would have to be hashed: new or changed
        raise _NotANoop
    return {}


def _refuse_lookup(hashes: list[str]) -> dict:
    if hashes:
        raise _NotANoop
    return {}


def nothing_to_do(
    drop_dir: str | Path,
    db_path: str | Path,
    settle_seconds: float = 0.0,
    follow_links: bool = False,
    ocr: bool = True,
) -> dict | None:
    """The run summary of a run that would change nothing, or None when a real run is needed.

    Call it with the run lock held (no other run may write the warehouse meanwhile)."""
    started = time.perf_counter()
    db = Path(db_path)
    if not db.is_file() or staging_path(db).exists():
        return None
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return None
    try:
        with con:
            known = Warehouse(con).known_files()
    except duckdb.Error:  # e.g. a warehouse from before the documents table: let the run migrate it
        return None
    skipped: list[Skipped] = []
    files = walk_drop_dir(Path(drop_dir), skipped, follow_links)
    settled_before_ns = time.time_ns() - int(settle_seconds * 1e9) if settle_seconds > 0 else None
    try:
        plan = plan_files(
            files,
            known,
            _refuse_lookup,
            parser_version(ocr),
            _refuse_hashing,
            settled_before_ns=settled_before_ns,
        )
    except _NotANoop:
        return None
    if plan.to_parse or plan.copies or plan.unreadable or plan.deferred or len(plan.unchanged) != len(files):
        return None
    summary = RunSummary(drop_dir=str(Path(drop_dir).resolve()), db_path=str(db.resolve()))
    summary.seen = summary.unchanged = len(files)
    summary.skip(skipped)
    summary.seconds = time.perf_counter() - started
    return summary.as_dict()
