"""Entry point of ``xxgk ingest``'s temporary Prefect server: ``python -m flows.cli.prefect_server ARGS``,
where ARGS are uvicorn's, exactly those Prefect's ephemeral mode passes (flows.cli.prefect_env).

The one difference from ``python -m uvicorn ARGS``: Prefect's server module is imported, and its app
created, with Python's cyclic garbage collector paused. That import defines some thousand pydantic
models and SQLAlchemy tables, objects that live as long as the process, and the collector kept
walking them while they were being made: measured, 2.4–2.6 s of CPU with it, 1.9–2.1 s without,
on the path that every ``xxgk ingest`` waits on. Afterwards the collector is switched back on, with
everything made so far frozen (``gc.freeze``: never scanned again), and uvicorn's own ``main`` runs
with the same arguments; its ``--factory`` call finds the app already made (Prefect caches it by
settings).

Imports nothing of xxgk: only Prefect and uvicorn.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    try:
        from prefect.server.api.server import create_app

        create_app()
    finally:
        gc.enable()
        gc.freeze()
    from uvicorn.main import main as uvicorn_main

    uvicorn_main()  # reads sys.argv, as ``python -m uvicorn`` does


if __name__ == "__main__":
    main()
