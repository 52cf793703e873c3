"""Parse files one at a time in a child process, so that a file that crashes, hangs or bloats its
parser costs that child and never the process that asked (a Dask worker).

A Dask task runs in a worker thread of a daemonic process: no signals (so no in-process time cap),
no ``multiprocessing`` children, and a crash would kill the worker and, after Dask's retries, the run.
So the task hands its files to a child started with ``subprocess`` (``python -m
flows.ingest.isolated``) that applies the same per-file limits as the local pool's workers
(flows.ingest.limits) and answers one ``ParseOutcome`` per file over its stdout. The child parses one
file at a time, so when it dies or stops answering, the file it was reading is known exactly: it is
rejected (``worker_crashed`` / ``timeout``), a new child takes the remaining files. A child whose file
hit the memory cap is replaced too, so its fragmented heap is not carried into the next file.

Frames on the pipes: 8-byte big-endian length + pickle. Only this package's own processes are on
either end.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Sequence

from flows.ingest.limits import Limits, timeout_reason
from flows.records import ParseOutcome

Item = tuple[str, str]
_HEADER = struct.Struct(">Q")


class _ChildGone(Exception):
    """The child closed its stdout (it died) before answering."""


class _ChildSilent(Exception):
    """The child did not answer within the kill deadline."""


def _write_frame(fd: int, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    while size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise _ChildSilent()
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise _ChildGone()
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int, deadline: float | None) -> object:
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    return pickle.loads(_read_exact(fd, size, deadline))


class _Child:
    def __init__(self, limits: Limits, fault_spec: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flows.ingest.isolated"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        _write_frame(self.stdin, (fault_spec, limits))

    def parse(self, item: Item, kill_after: float | None) -> ParseOutcome:
        _write_frame(self.stdin, item)
        deadline = None if kill_after is None else time.monotonic() + kill_after
        outcome = _read_frame(self.stdout, deadline)
        assert isinstance(outcome, ParseOutcome)
        return outcome

    def exit_description(self) -> str:
        code = self.proc.wait(timeout=30)
        if code < 0:
            try:
                return f"killed by signal {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit status {code}"

    def close(self, kill: bool = False) -> None:
        if kill and self.proc.poll() is None:
            self.proc.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def parse_isolated(items: Sequence[Item], limits: Limits, fault_spec: str = "") -> list[ParseOutcome]:
    """One outcome per item, in order; never raises for what a file does to its parser."""
    outcomes: list[ParseOutcome] = []
    remaining = list(items)
    while remaining:
        child = _Child(limits, fault_spec)
        kill = False
        try:
            while remaining:
                path, sha256 = item = remaining[0]
                try:
                    outcome = child.parse(item, limits.kill_after)
                except _ChildGone:
                    outcome = ParseOutcome.rejected(
                        path,
                        sha256,
                        "worker_crashed",
                        f"the parser process died while reading this file ({child.exit_description()}); "
                        "the file may be malformed in a way that breaks the PDF/DOCX library",
                    )
                except _ChildSilent:
                    kill = True
                    outcome = ParseOutcome.rejected(
                        path, sha256, "timeout", timeout_reason(limits.file_seconds)
                    )
                remaining.pop(0)
                outcomes.append(outcome)
                if outcome.reason_code in ("worker_crashed", "timeout", "resource_limit"):
                    kill = True
                    break
        finally:
            child.close(kill=kill)
    return outcomes


def _serve() -> None:
    """The child: read the settings, then parse each item until stdin closes."""
    from flows.ingest.parsing import init_worker, parse_in_worker

    stdin, stdout = sys.stdin.buffer.fileno(), sys.stdout.buffer.fileno()
    sys.stdout = sys.stderr  # anything a library prints must not corrupt the frames
    try:
        fault_spec, limits = _read_frame(stdin, None)
    except _ChildGone:
        return
    init_worker(fault_spec, limits)
    while True:
        try:
            path, sha256 = _read_frame(stdin, None)
        except _ChildGone:
            return
        _write_frame(stdout, parse_in_worker(path, sha256))


if __name__ == "__main__":
    _serve()
