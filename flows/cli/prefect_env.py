"""Prefect reads most settings when it is imported, so every command that starts Prefect calls this
first; the user's explicit values win where that makes sense."""

from __future__ import annotations

import atexit
import os


def configure_prefect_env(verbose: bool) -> None:
    """Settings Prefect reads at import time; the user's explicit values win where that makes sense."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    if not verbose:
        # Console only: run logs still go to the Prefect API (visible in the UI).
        os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "CRITICAL"
        os.environ["PREFECT_SERVER_LOGGING_LEVEL"] = "CRITICAL"
        os.environ["PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL"] = "CRITICAL"


def start_temporary_server() -> None:
    """Start Prefect's temporary server (when no PREFECT_API_URL is configured) in its own session.

    Why not let Prefect start it on first use: it would be in the terminal's process group, so a
    Ctrl-C meant for ``xxgk ingest`` would kill the server first, and the interrupted run could then
    neither record its state nor log (Prefect retries for minutes and leaves the run RUNNING). Started
    here with Prefect's own ``start()``, only in a new session, and tied to this process by
    PR_SET_PDEATHSIG (Linux), so that even ``kill -9`` of the command does not leave it behind. Prefect
    finds the running instance and uses it; it stops it at exit as it always does.
    """
    from prefect.logging.configuration import ensure_logging_setup
    from prefect.server.api import server as prefect_server
    from prefect.settings import get_current_settings

    ensure_logging_setup()  # as on Prefect's own first use: --verbose shows "Starting temporary server"

    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        return
    instance = prefect_server.SubprocessASGIServer()
    if instance.running:
        return
    real = prefect_server.subprocess
    prefect_server.subprocess = _DetachedSubprocess(real)  # type: ignore[assignment]
    try:
        instance.start()
    finally:
        prefect_server.subprocess = real  # type: ignore[assignment]
    # runs before Prefect's own stop (atexit is last-in first-out), which would give the server 5 s
    atexit.register(_stop_quickly, instance)


SERVER_STOP_GRACE_SECONDS = 0.5
"""The temporary server gets this long to stop on SIGTERM before it is killed. Its database is SQLite,
which a kill cannot corrupt, and by then the run's states are written; a graceful uvicorn shutdown
waits for open client connections (the events stream) and took the full 5 s Prefect allows."""


def _stop_quickly(instance: object) -> None:
    import subprocess

    process = getattr(instance, "server_process", None)
    if process is None:
        return
    process.terminate()
    try:
        process.wait(timeout=SERVER_STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    instance.server_process = None  # type: ignore[attr-defined]  # Prefect's stop: nothing left to do


class _DetachedSubprocess:
    """The ``subprocess`` module as Prefect's server start sees it: Popen in a new session, killed
    with this process."""

    def __init__(self, module: object) -> None:
        self._module = module

    def __getattr__(self, name: str) -> object:
        return getattr(self._module, name)

    def Popen(self, *args: object, **kwargs: object) -> object:  # noqa: N802 - mirrors subprocess.Popen
        import subprocess

        kwargs.setdefault("start_new_session", True)
        kwargs.setdefault("preexec_fn", _die_with_parent())
        return subprocess.Popen(*args, **kwargs)  # type: ignore[call-overload]


def _die_with_parent() -> object:
    """A preexec function that asks the kernel to SIGTERM the child when this process ends (Linux);
    None elsewhere. libc is loaded here, before the fork, so the child only makes the one call."""
    import ctypes
    import ctypes.util
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    pr_set_pdeathsig = 1

    def preexec() -> None:
        libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)

    return preexec
