"""The run record in the warehouse: one ``ingest_runs`` row per finished run (read it as the ``runs``
view), and the failed checks of the reports a run loaded (for the run's Prefect artifact).

The row is written into the same staging copy as the run's documents, so it is swapped in together
with them: the ``runs`` view never lists a run whose data a reader cannot see yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from flows.ingest.summary import RunSummary


@dataclass(slots=True, frozen=True)
class FailedCheck:
    report_id: str
    agency: str | None
    year: int | None
    source_path: str
    rule_id: str
    party: str
    severity: str
    detail: str | None


def record_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    summary: RunSummary,
    started_at: dt.datetime,
    finished_at: dt.datetime,
    failed_checks: int,
    parser_version: str,
) -> None:
    """Insert the run's row (own statement = own transaction: a failed run still gets its row)."""
    values = {
        "run_id": run_id,
        "drop_dir": summary.drop_dir,
        "started_at": started_at,
        "finished_at": finished_at,
        **summary.counts(),
        "parser_version": parser_version,
        "flow_run_id": summary.flow_run_id,
        "status": summary.status,
        "error": summary.error,
        "duration_seconds": summary.seconds,
        "deferred_files": sorted(summary.deferrals),
        "failed_checks": failed_checks,
        "worker_crashes": summary.worker_crashes,
        "resumed": summary.resumed,
        "copy_seconds": summary.copy_seconds,
    }
    columns = ", ".join(values)
    placeholders = ", ".join(f"${name}" for name in values)
    con.execute(f"INSERT INTO ingest_runs ({columns}) VALUES ({placeholders})", values).fetchall()


def failed_checks_since(con: duckdb.DuckDBPyConnection, loaded_since: dt.datetime) -> list[FailedCheck]:
    """Failed checks (``checks.status = 'fail'``) of the reports loaded at or after ``loaded_since``."""
    rows = con.execute(
        """
        SELECT c.report_id, r.agency, r.year, r.source_path, c.rule_id, c.party, c.severity, c.detail
        FROM checks AS c JOIN reports AS r USING (report_id)
        WHERE c.status = 'fail' AND r.loaded_at >= ?
        ORDER BY r.source_path, c.rule_id, c.party
        """,
        [loaded_since],
    ).fetchall()
    return [FailedCheck(*row) for row in rows]
