"""Prefect's environment for the CLI, and the temporary Prefect server ``xxgk ingest`` runs against.

Prefect reads most settings when it is imported, so every command that starts Prefect calls
``configure_prefect_env`` first; the user's explicit values win where that makes sense.

The temporary server: with no ``PREFECT_API_URL`` configured Prefect would start one itself on first
use (its "ephemeral mode"). ``xxgk ingest`` starts it instead, for three reasons:

- **Ctrl-C.** Prefect's own start puts the server in the terminal's process group, so a Ctrl-C meant
  for the command killed the server first, and the interrupted run could then neither record its state
  nor log. Here it runs in a session of its own, tied to this process by PR_SET_PDEATHSIG (Linux), so
  that even ``kill -9`` of the command does not leave it behind.
- **Start-up time.** Starting it through Prefect (``SubprocessASGIServer``) means importing
  ``prefect.server`` in the command, ~2.3 s of CPU spent only to build a command line. Here it is the
  same server in the same environment as Prefect's ephemeral mode (uvicorn serving the app of
  ``prefect.server.api.server.create_app``; flows.cli.prefect_server says how it saves a further
  0.5 s), started with ``subprocess`` before Prefect is even imported, so the server boots on one
  core while the command imports Prefect, copies the warehouse, walks and hashes the drop directory
  and starts its parser processes on the other. The command then points Prefect at it with
  ``PREFECT_API_URL``, exactly as it would point at a standing ``prefect server start``.
- **What the server does.** Settings that only this server gets (``SERVER_SETTINGS``) leave out what
  an ingest run never uses and the server pays for at every start (block type registration,
  automations). Its migration check stays: on a current database it costs ~0.04 s, and whether the
  database is current (and which one it is: a profile or ``prefect.toml`` may name another) is only
  known once Prefect's settings are loaded, after the server has been started.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path


def configure_prefect_env(verbose: bool) -> None:
    """Settings Prefect reads at import time; the user's explicit values win where that makes sense."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    if not verbose:
        # Console only: run logs still go to the Prefect API (visible in the UI).
        os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "CRITICAL"
        os.environ["PREFECT_SERVER_LOGGING_LEVEL"] = "CRITICAL"
        os.environ["PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL"] = "CRITICAL"


SERVER_STOP_GRACE_SECONDS = 0.5
"""The temporary server gets this long to stop on SIGTERM before it is killed. Its database is SQLite,
which a kill cannot corrupt, and by then the run's states are written; a graceful uvicorn shutdown
waits for open client connections (the events stream) and took the full 5 s Prefect allows."""

UVICORN_STARTUP_FAILURE = 3
"""uvicorn's exit status when it cannot start, e.g. the port was taken between choosing and binding it."""

EPHEMERAL_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
"""What Prefect's own ephemeral start puts in the server's environment (prefect.server.api.server
``SubprocessASGIServer._run_uvicorn_command``): no UI, ephemeral-mode services, final app."""

SERVER_SETTINGS = {
    # Block types are registered for the UI's block catalogue; finding out that they already are loads
    # every installed Prefect collection first (prefect-dask imports distributed and numpy: ~0.3 s of
    # CPU at every start). An ingest run uses no blocks, and `prefect server start` registers them.
    "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
    "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
    # Automations (reactive and proactive triggers, their actions): nothing in an ingest run is
    # automated, and a temporary server only lives as long as one run.
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
}
"""Settings of the temporary server only (never of this process, so never of a standing server or of
``xxgk serve``, whose schedules need the scheduler). What stays on is what makes the run's record: the
API itself, the task run recorder (task runs and their states), the event persister (the run's events
in the UI), log and event streams. A value the user set in the environment wins."""


class TemporaryServer:
    """The uvicorn process of Prefect's temporary API server (see the module docstring).

    Started at once by the constructor, without waiting: ``wait_until_ready`` waits, just before the
    first API call. Stopped by ``stop``, also registered as an exit handler, which first lets
    Prefect's log and event workers send what they hold."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.started = time.perf_counter()
        self.ready_after: float | None = None
        self._launch()
        atexit.register(self.stop)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _launch(self) -> None:
        self.port = _free_port()
        if self.verbose:  # the line Prefect's own start logs; tests and operators look for it
            print(f"Starting temporary server on http://127.0.0.1:{self.port}", file=sys.stderr, flush=True)
        command = [sys.executable, "-m", "flows.cli.prefect_server", str(self.port)]
        self.process = subprocess.Popen(
            command, env=server_environment(), start_new_session=True, preexec_fn=_die_with_parent()
        )

    def wait_until_ready(self) -> float:
        """Block until the server answers its health check; returns the seconds since it was started."""
        if self.ready_after is not None:
            return self.ready_after
        timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
        deadline = self.started + timeout
        while True:
            process = self.process
            if process is None:
                raise RuntimeError("Prefect's temporary server was stopped before it was ready")
            status = process.poll()
            if status == UVICORN_STARTUP_FAILURE:  # its port was taken after we chose it: another one
                self._launch()
                continue
            if status is not None:
                raise RuntimeError(f"Prefect's temporary server exited with status {status} while starting")
            if _healthy(self.port):
                self.ready_after = time.perf_counter() - self.started
                return self.ready_after
            if time.perf_counter() > deadline:
                raise RuntimeError(
                    f"Prefect's temporary server did not answer within {timeout:.0f} s "
                    "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """Let Prefect send what it still holds (``drain_prefect_workers``), then SIGTERM,
        ``SERVER_STOP_GRACE_SECONDS`` to go, SIGKILL. Idempotent."""
        if self.process is None:
            return
        drain_prefect_workers()
        process, self.process = self.process, None
        process.terminate()
        try:
            process.wait(timeout=SERVER_STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


DRAIN_SECONDS = 5.0
"""How long the exit waits for Prefect's log and event workers (Prefect's own test harness allows 5 s)."""


def drain_prefect_workers() -> None:
    """Block until Prefect's log and event workers have sent what they queued (run logs, the events
    that record task runs), if Prefect is loaded at all.

    Prefect drains them from an interpreter-shutdown hook (``threading._register_atexit``) that runs
    before exit handlers; a command that leaves through ``os._exit`` after the exit handlers, or a
    server stopped by an exit handler registered after them, would lose them. Draining twice is
    harmless."""
    if "prefect.logging.handlers" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        try:
            worker.drain_all(timeout=DRAIN_SECONDS)
        except Exception:  # noqa: BLE001 - best effort on the way out; Prefect reports failed sends itself
            pass


def start_temporary_server(verbose: bool) -> TemporaryServer | None:
    """Start Prefect's temporary server now, unless a Prefect API is configured; do not wait for it.

    Called before Prefect is imported, so "configured" is judged from what can be read without it: the
    ``PREFECT_API_URL`` and ``PREFECT_SERVER_EPHEMERAL_ENABLED`` variables and the active profile of
    the profiles file. ``use_temporary_server`` then checks against Prefect's own settings (which
    also read ``prefect.toml``, ``.env`` and ``pyproject.toml``) and stops the server if they
    configure an API after all."""
    if _configured_without_prefect():
        return None
    return TemporaryServer(verbose)


def use_temporary_server(server: TemporaryServer | None) -> TemporaryServer | None:
    """Import Prefect and point it at ``server`` (``PREFECT_API_URL``), or stop ``server`` when
    Prefect's settings configure an API (or forbid a temporary server) after all. Returns the server
    in use, if any. Prefect reads its settings at import, so they are refreshed after the change."""
    if server is None:
        return None
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        server.stop()
        return None
    os.environ["PREFECT_API_URL"] = server.api_url
    from prefect.context import refresh_global_settings_context

    refresh_global_settings_context()
    return server


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a block of imports, then on again with what exists
    frozen (``gc.freeze``: never scanned again). Importing Prefect's client defines ~400 pydantic
    models (~130,000 objects), its server ~840 (~280,000), all living as long as the process;
    measured, the collector walking them while they are made costs ~15 % of the import (0.15 s of CPU
    in the command, 0.4–0.5 s in the server)."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.freeze()


HEARTBEAT_VARIABLES = ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY")


@contextlib.contextmanager
def run_settings(server: TemporaryServer | None) -> Iterator[None]:
    """Prefect settings for the flow run of ``xxgk ingest`` on its temporary server: no flow-run
    heartbeats, unless the user configured them.

    Heartbeats (an event every 180 s) are what an automation of a standing server watches to mark a
    silent run crashed; the temporary server runs no automations and ends with the command. And a
    sync flow run's heartbeat thread sleeps in whole seconds and is joined when the run ends: measured,
    every run ended 0.9–1.0 s after its last task for that alone. With a standing server they stay on."""
    if server is None or any(name in os.environ for name in HEARTBEAT_VARIABLES):
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def server_environment() -> dict[str, str]:
    """The temporary server's environment: this process's, Prefect's ephemeral-mode variables, and
    ``SERVER_SETTINGS`` where the user has not set them."""
    env = dict(os.environ)
    for key, value in SERVER_SETTINGS.items():
        env.setdefault(key, value)
    env.update(EPHEMERAL_ENV)
    env.pop("PREFECT_API_URL", None)  # the server is not a client of itself
    return env


def _configured_without_prefect() -> bool:
    """True when the environment or the active profile configures a Prefect API, or disables the
    temporary server."""
    if os.environ.get("PREFECT_API_URL"):
        return True
    if os.environ.get("PREFECT_SERVER_EPHEMERAL_ENABLED", "").lower() in ("0", "false", "no", "off"):
        return True
    profile = _active_profile()
    return bool(profile.get("PREFECT_API_URL")) or str(
        profile.get("PREFECT_SERVER_EPHEMERAL_ENABLED", "true")
    ).lower() in ("0", "false", "no", "off")


def _active_profile() -> dict[str, object]:
    """The active profile's settings from the user's profiles file, as Prefect finds it
    (``PREFECT_PROFILES_PATH``, else ``$PREFECT_HOME/profiles.toml``; ``PREFECT_PROFILE`` or the
    file's ``active`` key). Empty when there is no such file or profile: Prefect's defaults apply."""
    import tomllib

    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    name = os.environ.get("PREFECT_PROFILE") or data.get("active") or "ephemeral"
    profile = data.get("profiles", {}).get(name, {})
    return profile if isinstance(profile, dict) else {}


def _free_port() -> int:
    """A port on 127.0.0.1 that nobody listens on now (the kernel's choice); ``wait_until_ready``
    starts again on another one if it is taken before uvicorn binds it."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(port: int) -> bool:
    """One ``GET /api/health`` (the check Prefect's own start polls), with the standard library:
    httpx is not imported yet when the command first asks."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/api/health")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def _die_with_parent() -> object:
    """A preexec function that asks the kernel to SIGTERM the child when the thread that started it
    ends (Linux; the command starts it from its main thread, so: when the command ends); None
    elsewhere. libc is loaded here, before the fork, so the child only makes the one call (``CDLL(None)``:
    the symbols already loaded, libc's among them, without ``find_library``'s helper processes)."""
    import ctypes
    import signal

    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1

    def preexec() -> None:
        libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)

    return preexec
