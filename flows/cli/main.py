"""``xxgk``: the command line. This module only assembles the sub-commands; each lives in its own
module (``ingest``, the analyst commands, ``serve``) and adds itself with ``register(app)``."""

from __future__ import annotations

import typer

from flows.cli import analyst, ingest, ops

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="xxgk command line: government information-disclosure annual reports → DuckDB.",
)


@app.callback()
def main() -> None:
    """xxgk: government information-disclosure annual reports → DuckDB."""


# ingest: load the drop directory (flows/cli/ingest.py)
ingest.register(app)
# query, export, report, convert-storage: read-only analyst commands (flows/cli/analyst.py)
analyst.register(app)
# serve: nightly runs on a Prefect server (flows/cli/ops.py)
ops.register(app)

if __name__ == "__main__":
    app()
