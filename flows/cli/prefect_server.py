"""Entry point of ``xxgk ingest``'s temporary Prefect server: ``python -m flows.cli.prefect_server ARGS``,
where ARGS are uvicorn's, exactly those Prefect's ephemeral mode passes (flows.cli.prefect_env).

The one difference from ``python -m uvicorn ARGS``: Prefect's server module is imported, and its app
created, with Python's cyclic garbage collector paused. That import defines ~840 pydantic models and
the SQLAlchemy tables (~280,000 objects), all living as long as the process, and the collector kept
walking them while they were being made: measured, 2.4–2.6 s of CPU with it, 1.9–2.1 s without,
on the path that every ``xxgk ingest`` waits on. Afterwards the collector is switched back on, with
everything made so far frozen (``gc.freeze``: never scanned again), and uvicorn's own ``main`` runs
with the same arguments; its ``--factory`` call finds the app already made (Prefect caches it by
settings).

Imports nothing of xxgk but flows.cli.prefect_env (standard library only at import).
"""

from __future__ import annotations

from flows.cli.prefect_env import collector_paused


def main() -> None:
    with collector_paused():
        from prefect.server.api.server import create_app

        create_app()
    from uvicorn.main import main as uvicorn_main

    uvicorn_main()  # reads sys.argv, as ``python -m uvicorn`` does


if __name__ == "__main__":
    main()
