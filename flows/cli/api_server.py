"""The run's temporary Prefect API server, started by the CLI itself as soon as it knows there is work.

Prefect's own ephemeral mode starts the same server (uvicorn serving ``prefect.server.api.server``)
only when the flow makes its first API call, and first imports the whole server package into the
client process to do so (~4.5 s of CPU here) just to learn how to launch it. Started here instead, the
server boots in its own process while this one imports the flow, takes the pool up and waits for
nothing; the client never imports the server code, since it talks to it through ``PREFECT_API_URL``
like to any standing server. A user's own ``PREFECT_API_URL`` (a standing server) is left alone.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

API_URL_ENV = "PREFECT_API_URL"
_PORT_IN_USE = 3
"""uvicorn's exit status when the port was taken between choosing it and binding it."""


@dataclass
class ApiServer:
    """A started (maybe not yet ready) temporary server; ``close`` stops it."""

    port: int
    process: subprocess.Popen[bytes] | None
    started: float = field(default_factory=time.perf_counter)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait_ready(self, timeout: float) -> None:
        """Block until the server answers its health check (restarting it on a lost port race)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                if self.process.returncode != _PORT_IN_USE:
                    raise RuntimeError(
                        f"the temporary Prefect server exited with status {self.process.returncode}"
                    )
                self.port = _free_port()
                self.process = _launch(self.port)
                os.environ[API_URL_ENV] = self.api_url
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the temporary Prefect server did not answer within {timeout:.0f} s")

    def close(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        os.environ.pop(API_URL_ENV, None)


def start_api_server(announce: Callable[[str], object] | None = None) -> ApiServer | None:
    """Launch the temporary server now and point Prefect at it; None when the user set their own API.

    Must run before Prefect is imported: Prefect reads ``PREFECT_API_URL`` at import time. The server
    is stopped at interpreter exit, like Prefect's own temporary server, because Prefect's log and
    event workers still send what they hold from their own exit hooks (which run first)."""
    if os.environ.get(API_URL_ENV):
        return None
    port = _free_port()
    server = ApiServer(port, _launch(port))
    os.environ[API_URL_ENV] = server.api_url
    atexit.register(server.close)
    if announce is not None:
        announce(f"Starting temporary server on http://127.0.0.1:{port}")
    return server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _launch(port: int) -> subprocess.Popen[bytes]:
    """The command Prefect's ephemeral mode runs (prefect.server.api.server.SubprocessASGIServer), with
    the same switches: no UI, only the services an ephemeral server runs."""
    env = {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    env.pop(API_URL_ENV, None)
    return subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on",
        ],
        env=env,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
