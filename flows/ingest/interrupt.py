"""Stopping an ingest run cleanly on Ctrl-C (SIGINT) or SIGTERM.

Python's default reaction (KeyboardInterrupt raised wherever the main thread happens to be, SIGTERM
killing the process outright) would cut the run off mid-step: the staging copy would never be swapped
in and the Prefect flow run would stay RUNNING. So for the body of a run the first signal only sets a
flag; the writer checks it between documents, stops taking new work, and the run closes as usual:
commits stay committed, the copy is swapped in, the run row and artifact are written, and the flow
ends CANCELLED with the reason. A second signal means "now": the process reports the flow run as
CRASHED (best effort, at most about a second) and exits at once with 128 + the signal number; what
was committed so far stays committed in the staging copy, which the next run resumes.

Signal handlers can only be installed from the main thread; elsewhere (a flow called from a worker
thread) the run keeps Python's default behaviour.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)
SECOND_SIGNAL_REPORT_SECONDS = 1.0
"""How long the second signal may spend telling the Prefect API that the run crashed before exiting."""

_stop = threading.Event()
_signum: int | None = None
_flow_run_id: str | None = None


class RunInterrupted(Exception):
    """The run stopped early because of a signal; what it committed is kept (not a failure of the run)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"interrupted by {signal_name(signum)}")


def signal_name(signum: int) -> str:
    name = signal.Signals(signum).name
    return f"{name} (Ctrl-C)" if signum == signal.SIGINT else name


def exit_status(signum: int) -> int:
    """The shell convention for a process ended by a signal: 130 for SIGINT, 143 for SIGTERM."""
    return 128 + signum


def requested() -> int | None:
    """The signal that asked the current run to stop, or None."""
    return _signum if _stop.is_set() else None


def raise_if_requested() -> None:
    signum = requested()
    if signum is not None:
        raise RunInterrupted(signum)


def request(signum: int) -> None:
    """Ask the current run to stop, as the first signal does (tests and embedding callers use this)."""
    global _signum
    _signum = signum
    _stop.set()


@contextmanager
def stop_on_signals(flow_run_id: str | None = None) -> Iterator[None]:
    """Turn SIGINT/SIGTERM into a stop request for the duration of a run body (main thread only);
    the handlers in place before (Prefect's own SIGTERM bridge among them) are restored afterwards."""
    global _signum, _flow_run_id
    _stop.clear()
    _signum, _flow_run_id = None, flow_run_id
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    for signum in SIGNALS:
        signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _flow_run_id = None


@contextmanager
def abort_on_signals() -> Iterator[None]:
    """Outside a run body (Prefect starting, the run's last API calls): SIGINT and SIGTERM both raise
    KeyboardInterrupt at once, there being nothing to close yet or any more; ``requested()`` then
    names the signal. Main thread only; the previous handlers are restored afterwards."""
    global _signum
    _stop.clear()
    _signum = None
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    for signum in SIGNALS:
        signal.signal(signum, _abort)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _abort(signum: int, _frame: FrameType | None) -> None:
    request(signum)
    raise KeyboardInterrupt


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    if _stop.is_set():
        _exit_now(signum)
    request(signum)
    if sys.stderr is not None and sys.stderr.isatty():
        # os.write, not print: a signal handler may interrupt a print of the main thread itself
        os.write(2, b"\nstopping: finishing the documents in flight (press Ctrl-C again to quit at once)\n")


def _exit_now(signum: int) -> None:
    """The second signal: say so, report the flow run CRASHED if that is quick, and leave at once."""
    os.write(2, b"\ninterrupted again: exiting now; run again to continue\n")
    flow_run_id = _flow_run_id
    if flow_run_id is not None:
        reporter = threading.Thread(target=_report_crashed, args=(flow_run_id, signum), daemon=True)
        reporter.start()
        reporter.join(SECOND_SIGNAL_REPORT_SECONDS)
    os._exit(exit_status(signum))


def _report_crashed(flow_run_id: str, signum: int) -> None:
    """Best effort: a plain HTTP call with a short timeout, outside Prefect's client (whose event loop
    the interrupted main thread may be in the middle of)."""
    try:
        import httpx

        url = _api_url()
        if not url:
            return
        httpx.post(
            f"{url.rstrip('/')}/flow_runs/{flow_run_id}/set_state",
            json={
                "state": {
                    "type": "CRASHED",
                    "name": "Crashed",
                    "message": f"{signal_name(signum)} received twice: the process exited at once; "
                    "documents committed so far are kept and the next run continues from them",
                },
                "force": True,
            },
            timeout=SECOND_SIGNAL_REPORT_SECONDS,
        )
    except Exception:  # noqa: BLE001 - best effort on the way out
        pass


def _api_url() -> str | None:
    """The configured API (``xxgk ingest`` sets ``PREFECT_API_URL`` to its temporary server too), or
    the temporary server Prefect started in this process itself (an in-process caller of the flow);
    ``prefect.server`` is looked up, never imported: importing it costs seconds."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if url:
        return url
    module = sys.modules.get("prefect.server.api.server")
    if module is None:
        return None
    server = module.SubprocessASGIServer()
    return server.api_url if server.running else None
