"""Exit status of every ``xxgk`` command: one table, the same meaning everywhere.

The README's table is this one (a test compares them). 1 means "done, but part of what was asked was
refused" (rejected files, a wrong SQL request), 2 "could not do the job at all", which includes a usage
error because click, under typer, exits 2 for those.
"""

from __future__ import annotations

import signal

OK = 0
REFUSED = 1
CANNOT_RUN = 2
LOCKED = 3
INTERRUPTED = 128 + signal.SIGINT
TERMINATED = 128 + signal.SIGTERM

TABLE: dict[int, str] = {
    OK: "success",
    REFUSED: "done, but something asked for was refused: files were rejected (ingest, listed in the "
    "summary), or the request was wrong (query/export/report: an SQL error, an unknown dataset, an "
    "ambiguous agency)",
    CANNOT_RUN: "the command could not do its job: a usage error (unknown option, bad value), a missing "
    "drop directory, an unusable warehouse (missing, or open for writing in another program), a "
    "failed ingest run, no reachable Prefect server",
    LOCKED: "ingest: another ingest run of the same warehouse holds the run lock (`--wait SECONDS` "
    "queues behind it)",
    INTERRUPTED: "ingest: interrupted by Ctrl-C (SIGINT); what was loaded is kept, run again to continue",
    TERMINATED: "ingest: stopped by SIGTERM; what was loaded is kept, run again to continue",
}
