"""Nightly runs: the ingest flow served as a Prefect deployment with a cron schedule.

Why ``flow.serve`` and not a work pool + worker + ``prefect deploy``: one machine, one flow. ``serve``
registers the deployment and then runs as the process that executes its runs (each in a subprocess),
so the whole setup is a Prefect server plus this one long-running command (no work pool, no worker
process, no deployment YAML to keep in step with the code).

Why a real server is required: schedules are turned into runs by the scheduler service of a Prefect
API server. Prefect's temporary (ephemeral) server, which ``xxgk ingest`` uses when nothing is
configured, runs no scheduler and stops with the process, so a schedule on it would never fire;
``serve`` therefore refuses to start without ``PREFECT_API_URL``.

Prefect is imported inside the functions: the CLI sets Prefect's environment before that import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEPLOYMENT_NAME = "nightly"
DEFAULT_CRON = "0 2 * * *"
DEFAULT_LOCK_WAIT = 3600.0
"""A scheduled run queues this long behind a manual run of the same warehouse before it fails."""

SETUP_HELP = """\
xxgk serve needs a running Prefect server: schedules are created by the server's scheduler, and the
temporary server that `xxgk ingest` starts on its own has none. Start one and point xxgk at it:

    prefect server start
    export PREFECT_API_URL=http://127.0.0.1:4200/api
    xxgk serve

(the first command in its own terminal or as a service; the UI is then at http://127.0.0.1:4200)"""


class ServeSetupError(RuntimeError):
    """The Prefect server needed for schedules is not configured or not reachable."""


@dataclass(slots=True, frozen=True)
class ServeOptions:
    drop_dir: Path
    db: Path
    cron: str = DEFAULT_CRON
    timezone: str | None = None
    workers: int | None = None
    settle_seconds: float = 2.0
    lock_wait: float = DEFAULT_LOCK_WAIT
    name: str = DEPLOYMENT_NAME
    ocr: bool = True

    def parameters(self) -> dict[str, object]:
        """Flow parameters of every scheduled run. Absolute paths: runs execute in subprocesses."""
        return {
            "drop_dir": str(self.drop_dir.resolve()),
            "db_path": str(self.db.resolve()),
            "workers": self.workers,
            "settle_seconds": self.settle_seconds,
            "lock_wait": self.lock_wait,
            "ocr": self.ocr,
        }


def configured_api_url() -> str | None:
    """PREFECT_API_URL as Prefect resolves it (environment, then the active profile)."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url or None


def check_server() -> str:
    """The API URL, once the server behind it answered its health check; ServeSetupError otherwise."""
    url = configured_api_url()
    if not url:
        raise ServeSetupError("PREFECT_API_URL is not set.\n\n" + SETUP_HELP)
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
    if problem is not None:
        raise ServeSetupError(unreachable_message(url, problem, serving=True))
    return url


def unreachable_message(url: str, problem: BaseException, serving: bool) -> str:
    """One line for a PREFECT_API_URL nobody answers at (a stopped server, a stale variable): what is
    wrong and what to do. ``xxgk ingest`` can do without it; ``xxgk serve`` cannot."""
    remedy = (
        "start it (prefect server start) or point PREFECT_API_URL at a running one"
        if serving
        else "start it (prefect server start), or unset PREFECT_API_URL to let xxgk ingest start a temporary one"
    )
    return (
        f"no Prefect server answers at PREFECT_API_URL={url} ({type(problem).__name__}: {problem}); {remedy}"
    )


def check_configured_server() -> str | None:
    """For ``xxgk ingest``: None when no API URL is configured or its server answers, else the one-line
    message (checked before the run, so that it fails in seconds instead of Prefect's retries)."""
    url = configured_api_url()
    if not url:
        return None
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
    return None if problem is None else unreachable_message(url, problem, serving=False)


def serve_ingest(options: ServeOptions) -> None:
    """Register (or update) the deployment ``xxgk-ingest/<name>`` with its cron schedule, then execute
    its runs until interrupted. Blocks.

    ``pause_on_shutdown=False``: restarting this process (a deploy, a reboot) must not silently switch
    the nightly schedule off. ``limit=1``: this process runs one ingest at a time; the run lock
    (flows.warehouse.lock) is what keeps it from overlapping a manual ``xxgk ingest`` of the same warehouse.
    """
    import asyncio

    from prefect.runner import Runner
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from flows.ingest.flow import ingest

    class _Runner(Runner):
        def handle_sigterm(self, *args: object, **kwargs: object) -> None:
            """SIGTERM (what a service manager sends) stops serving exactly as Ctrl-C does: the
            runner's own handler calls an async stop without awaiting it and exits from inside the
            event loop, which printed tracebacks and could leave the loop's tasks running."""
            raise KeyboardInterrupt

    runner = _Runner(name=options.name, pause_on_shutdown=False, limit=1)
    runner.add_flow(
        ingest,
        name=options.name,
        schedules=[Cron(options.cron, timezone=options.timezone)],
        parameters=options.parameters(),
        description=f"Nightly ingest of {options.drop_dir.resolve()} into {options.db.resolve()}",
        tags=["xxgk"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    print(
        f"Serving xxgk-ingest/{options.name}. Trigger a run now with: "
        f"prefect deployment run 'xxgk-ingest/{options.name}'",
        flush=True,
    )
    try:
        asyncio.run(runner.start())
    except KeyboardInterrupt:
        pass
