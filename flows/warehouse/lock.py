"""The run lock: at most one ingest run per warehouse, across processes (CLI, scheduled runs, backfills).

Why a lock file next to the warehouse (``<db>.lock``) and not DuckDB's own file lock:

- the ingest writes into a staging copy (``<db>.loading``, see ``flows.warehouse.staging``) and only swaps it in
  at the end, so DuckDB's lock on the live file says nothing about whether a run is in progress; two
  runs would each build their own copy and the second swap would silently drop the first run's work;
- DuckDB's lock cannot be waited for (a conflicting open fails at once) and it is also taken by
  read-only connections, so analysts would block the nightly run;
- ``fcntl.flock`` is released by the kernel when the holder dies, even on SIGKILL: a stale lock file
  never needs cleaning up. The file's content (pid, start time) only makes the error message useful.

The lock is re-entrant within one process: the CLI takes it before Prefect starts (so a busy warehouse
fails fast, without paying for a server start), and the flow it then runs takes it again.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

POLL_SECONDS = 0.2
"""How often a waiting run retries the lock (flock has no timeout of its own)."""


class RunLockBusy(RuntimeError):
    """Another process holds the warehouse's run lock and did not release it within the wait."""

    def __init__(self, lock_path: Path, holder: dict[str, object], waited: float) -> None:
        self.lock_path = lock_path
        self.holder = holder
        self.waited = waited
        who = ", ".join(f"{k} {v}" for k, v in holder.items()) or "unknown process"
        super().__init__(
            f"another ingest run is using this warehouse ({who}; lock file {lock_path}); "
            f"gave up after waiting {waited:.0f} s. Wait for it to finish, or pass --wait SECONDS to queue."
        )


@dataclass(slots=True)
class _Held:
    fd: int
    depth: int


_held: dict[str, _Held] = {}
_held_guard = threading.Lock()


def lock_path_of(db_path: str | os.PathLike[str]) -> Path:
    db = Path(db_path).resolve()
    return db.with_name(db.name + ".lock")


def read_holder(lock_path: Path) -> dict[str, object]:
    """What the current holder wrote into the lock file (best effort: it may be mid-write)."""
    try:
        return json.loads(lock_path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


@contextmanager
def run_lock(
    db_path: str | os.PathLike[str],
    wait: float | None = 0.0,
    on_busy: Callable[[dict[str, object]], None] | None = None,
) -> Iterator[Path]:
    """Hold the run lock of ``db_path`` for the duration of the block.

    ``wait``: seconds to wait for a busy lock (0 = fail at once, None = wait forever). Raises
    ``RunLockBusy`` when it stays busy. ``on_busy(holder)`` is called once if the lock is busy and
    the caller is going to wait (so a CLI can say what it is waiting for).
    """
    path = lock_path_of(db_path)
    key = str(path)
    with _held_guard:
        held = _held.get(key)
        if held is not None:
            held.depth += 1
    if held is not None:
        try:
            yield path
        finally:
            with _held_guard:
                held.depth -= 1
        return

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, wait, on_busy)
        os.ftruncate(fd, 0)
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        with _held_guard:
            _held[key] = _Held(fd, 1)
        try:
            yield path
        finally:
            with _held_guard:
                del _held[key]
            os.ftruncate(fd, 0)  # the file stays (unlinking a flock file races with the next opener)
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _acquire(
    fd: int, path: Path, wait: float | None, on_busy: Callable[[dict[str, object]], None] | None
) -> None:
    started = time.monotonic()
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            waited = time.monotonic() - started
            if wait is not None and waited >= wait:
                raise RunLockBusy(path, read_holder(path), waited) from None
            if on_busy is not None and not told:
                on_busy(read_holder(path))
                told = True
            time.sleep(POLL_SECONDS)
