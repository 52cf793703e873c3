"""Entry point of ``xxgk ingest``'s temporary Prefect server: ``python -m flows.cli.prefect_server PORT``.

The server Prefect's ephemeral mode runs (``SubprocessASGIServer``: uvicorn serving the app of
``prefect.server.api.server.create_app`` on 127.0.0.1 with log level ``error`` and the lifespan on,
the environment set by flows.cli.prefect_env), started the way that costs least on the path every
``xxgk ingest`` waits on:

- Prefect's server module is imported, and its app created, with Python's cyclic garbage collector
  paused (flows.cli.prefect_env.collector_paused). That import defines ~840 pydantic models and the
  SQLAlchemy tables (~280,000 objects), all living as long as the process, and the collector kept
  walking them while they were being made: measured, 2.4–2.6 s of CPU with it, 1.9–2.1 s without.
- uvicorn gets the app itself instead of ``--factory prefect.server.api.server:create_app``: its
  factory call would run ``create_app`` a second time (Prefect caches the app, but sets up logging
  again first: 0.1 s).

Imports nothing of xxgk but flows.cli.prefect_env (standard library only at import).
"""

from __future__ import annotations

import sys

from flows.cli.prefect_env import collector_paused


def main(argv: list[str]) -> None:
    (port,) = argv
    with collector_paused():
        from prefect.server.api.server import create_app

        app = create_app()
    import uvicorn

    # exits with uvicorn's STARTUP_FAILURE (3) when the port is taken: the command then tries another
    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="error", lifespan="on")


if __name__ == "__main__":
    main(sys.argv[1:])
