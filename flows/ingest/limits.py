"""Per-file resource limits of a parsing process: a memory cap and a wall-time cap.

One hostile file (a PDF whose content stream inflates to 500 MB, a page of a million glyphs) must not be
able to take the machine that runs the nightly job, and must not hang a run. Both caps are enforced
inside the process that parses, so they hold the same way in the local pool's workers and in the
child process a Dask task parses in:

- **Memory**: a watchdog thread reads the process's resident size from ``/proc`` every
  ``WATCH_INTERVAL`` seconds while a file is parsed; once it passes ``memory_mb`` it signals
  the main thread, whose handler raises ``MemoryCapHit`` (a BaseException) in the middle of whatever
  Python code is running, with memory still to spare for unwinding. Failing allocations instead
  (``RLIMIT_AS`` alone) was measured to crash CPython itself (a segfault unwinding pdfminer) on a page
  of a million glyphs. A single C call can outrun the watchdog (zlib inflating a 500 MB stream in one
  go), so ``RLIMIT_AS`` stays as the hard backstop, ``AS_HEADROOM_MB`` above the watchdog's cap: there
  the allocation fails with ``MemoryError``. That limit counts reserved, not resident, memory: a
  damaged file that makes a library reserve more than the cap in one go (pdfminer reading a stream
  whose ``/Length`` claims a gigabyte) is rejected even though the pages would never be touched.
  Both become ``resource_limit``; a library that crashes
  rather than fail its allocation loses its worker, which the pool reports as ``worker_crashed``.
- **Time**: a ``SIGALRM`` timer per file raises ``FileTimeout`` (a BaseException, so no library's
  ``except Exception`` swallows it), which becomes ``timeout``. A parse stuck inside C code that never
  returns to Python is killed by the parent after ``file_seconds`` + ``KILL_GRACE``.

Only the standard library here: this module runs in the workers.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

DEFAULT_MEMORY_MB = 320
"""Resident memory one parsing process may use. Real reports need well under 150 MB (an idle worker is
~50 MB), a 30 MB portal page about 280 MB. Measured during a two-worker ``xxgk ingest``: the CLI
process ~265 MB, its temporary Prefect server ~210 MB, forkserver ~40 MB, an idle worker ~50 MB; 320 MB
(+ ``AS_HEADROOM_MB``) for the worker that meets a hostile file keeps the whole tree under 1 GB. The cap
holds for the process, not per file: a worker whose heap stayed fragmented after a capped file has
less room, never more."""
DEFAULT_FILE_SECONDS = 300.0
"""Wall time per file. Real reports parse in seconds (a 100-page PDF in well under a minute on a busy
machine); a file still parsing after five minutes is hostile or broken."""
DEFAULT_HTML_MAX_MB = 32
"""Largest HTML page read (see extract.html.MAX_BYTES): parsing a page costs up to ~8x its size in the
worst case (a page that is mostly hidden text), so 32 MB stays inside the default memory cap."""
DEFAULT_OCR_MEMORY_MB = 1100
"""The memory cap of a parse while it runs OCR (measured: OCR of a corpus scan peaks at about 790 MB in
its process, the engine's models and page images)."""
AS_HEADROOM_MB = 32
"""Address space allowed beyond ``memory_mb`` before allocations fail outright (see the docstring)."""
WATCH_INTERVAL = 0.02
"""Seconds between two reads of the resident size: a parse adds at most a few MB in that time."""
KILL_GRACE = 30.0
"""Seconds past ``file_seconds`` (at most ``file_seconds`` again) after which the parent kills a parsing
process that did not stop by itself (stuck in C code, where the timer cannot interrupt it)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The per-file caps (plain data: pickled to the workers). ``None`` disables a cap."""

    memory_mb: int | None = DEFAULT_MEMORY_MB
    file_seconds: float | None = DEFAULT_FILE_SECONDS
    html_max_mb: int = DEFAULT_HTML_MAX_MB
    ocr: bool = True
    """Read page images of PDFs by OCR (``--ocr/--no-ocr``)."""
    ocr_memory_mb: int | None = DEFAULT_OCR_MEMORY_MB
    """The memory cap of a parse once it runs OCR: the engine's models and page images need several
    hundred MB more than any text document, and only a PDF with image pages gets this allowance."""

    @property
    def html_max_bytes(self) -> int:
        return self.html_max_mb * 2**20

    @property
    def kill_after(self) -> float | None:
        """When the parent gives up on a file that the in-process timer could not stop."""
        if self.file_seconds is None:
            return None
        return self.file_seconds + min(KILL_GRACE, self.file_seconds)


class FileTimeout(BaseException):
    """The file's wall-time cap passed (raised by the timer inside whatever the parse was doing)."""


class MemoryCapHit(BaseException):
    """The file's memory cap was reached (raised by the watchdog's signal inside the parse)."""


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_mb() -> float | None:
    """This process's resident set size now, from /proc/self/statm (None without /proc)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * _PAGE / 2**20
    except (OSError, ValueError, IndexError):
        return None


class _Watchdog:
    """A daemon thread that signals the main thread once the armed file's RSS passes its limit."""

    def __init__(self) -> None:
        self._limit_mb: float | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="xxgk-memory-watchdog", daemon=True)
        self._thread.start()

    def arm(self, limit_mb: float) -> None:
        with self._lock:
            self._limit_mb = limit_mb

    def disarm(self) -> None:
        with self._lock:
            self._limit_mb = None

    def _run(self) -> None:
        while True:
            time.sleep(WATCH_INTERVAL)
            with self._lock:
                limit = self._limit_mb
                if limit is None:
                    continue
                rss = resident_mb()
                if rss is not None and rss > limit:
                    self._limit_mb = None  # one signal per file
                    os.kill(os.getpid(), signal.SIGUSR1)


_watchdog: _Watchdog | None = None


def apply_memory_cap(memory_mb: int | None) -> None:
    """Start the watchdog and cap the address space so that it can grow by what the resident size may
    still grow (``memory_mb`` − now) + ``AS_HEADROOM_MB`` (call once, in a parsing process).

    The hard limit is left as it is, so the cap can be lifted again by the same process; it guards
    against input, not against our own code."""
    global _watchdog
    if memory_mb is None or resident_mb() is None:  # no /proc (not Linux): uncapped rather than guessed
        return
    if _watchdog is None:
        _watchdog = _Watchdog()
    current, rss = _status_kb("VmSize"), resident_mb()
    if current is None or rss is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = int(current * 1024 + (max(memory_mb - rss, 0) + AS_HEADROOM_MB) * 2**20)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def allow_ocr(limits: Limits) -> None:
    """The hook extract.ocr calls before OCR runs in a parse: lift this process's memory cap (watchdog
    and address space) to ``limits.ocr_memory_mb``. It stays lifted for the process's later files,
    because the engine's models stay loaded in it (a text file's cap would be below its resting size)."""
    global _ocr_raised
    if limits.ocr_memory_mb is None or limits.memory_mb is None or _ocr_raised:
        return
    _ocr_raised = True
    if _watchdog is not None:
        _watchdog.arm(limits.ocr_memory_mb)
    # onnxruntime reserves far more address space than it touches: the resident watchdog alone caps OCR
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


_ocr_raised = False


def _on_alarm(signum: int, frame: object) -> None:
    raise FileTimeout()


def _on_memory(signum: int, frame: object) -> None:
    raise MemoryCapHit()


@contextlib.contextmanager
def file_limits(limits: Limits | None) -> Iterator[None]:
    """Raise ``FileTimeout`` / ``MemoryCapHit`` inside the body once it passes its time or memory cap.

    Only the main thread receives signals; elsewhere (and with no limits) the body runs uncapped and
    the parent-side kill is the only cap."""
    if limits is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous_alarm = signal.signal(signal.SIGALRM, _on_alarm)
    previous_usr1 = signal.signal(signal.SIGUSR1, _on_memory)
    if _watchdog is not None and limits.memory_mb is not None:
        ocr_cap = limits.ocr_memory_mb if _ocr_raised and limits.ocr_memory_mb is not None else 0
        _watchdog.arm(max(limits.memory_mb, ocr_cap))
    if limits.file_seconds is not None:
        signal.setitimer(signal.ITIMER_REAL, limits.file_seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if _watchdog is not None:
            _watchdog.disarm()
        signal.signal(signal.SIGALRM, previous_alarm)
        signal.signal(signal.SIGUSR1, previous_usr1)


def caused_by_memory(exc: BaseException | None) -> bool:
    """True if ``exc`` is, or was raised while handling / because of, a MemoryError: libraries often
    wrap a failed allocation into their own error type (a pdfminer syntax error, a zlib error)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, MemoryError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def release_memory() -> None:
    """After a parse hit the cap: collect its garbage and hand freed heap pages back to the kernel, so
    the worker goes on at its normal size (glibc keeps freed small blocks otherwise)."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def memory_reason(memory_mb: int | None) -> str:
    peak = _status_kb("VmHWM")
    peak_text = f"; this process peaked at {peak / 1024:.0f} MB resident" if peak else ""
    if memory_mb is None:
        return f"parsing ran out of memory{peak_text}; the file was not read"
    return (
        f"parsing needed more than the memory cap of {memory_mb} MB per parsing process "
        f"(--max-memory-mb){peak_text}; the file was not read"
    )


def timeout_reason(seconds: float | None) -> str:
    return f"parsing took longer than the cap of {seconds:.0f} s per file (--file-timeout); gave up"
