"""The run's Prefect artifact: one markdown page per ingest run, under one key, so the UI's Artifacts
page shows the history of nightly runs and each flow run links to its own report.

Built as one string first and published with one call (every ``create_*_artifact`` call makes a new
artifact). Long lists are cut: the artifact is for a person skimming a morning report, the complete
data is in the warehouse (``runs``, ``documents``, ``checks``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flows.ingest.runs import FailedCheck

ARTIFACT_KEY = "xxgk-ingest-run"
"""Lowercase letters, digits and dashes only: the key Prefect versions artifacts under."""
MAX_ROWS = 100


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _rel(path: str, root: str) -> str:
    p = Path(path)
    return str(p.relative_to(root)) if p.is_relative_to(root) else path


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        lines.append(f"\n… and {len(rows) - MAX_ROWS} more (see the warehouse).")
    return lines


def run_report_markdown(summary: dict[str, Any], failed_checks: Sequence[FailedCheck]) -> str:
    """The markdown of one run: outcome, counts, rejections with reasons, deferred files, failed checks."""
    root = summary["drop_dir"]
    status = summary.get("status", "completed")
    lines = [
        f"# xxgk ingest: {status}",
        "",
        f"- drop directory: `{root}`",
        f"- warehouse: `{summary['db_path']}`",
        f"- duration: {summary['seconds']:.1f} s (staging copy {summary.get('copy_seconds', 0.0):.2f} s"
        + (", resumed an interrupted run" if summary.get("resumed") else "")
        + ")",
    ]
    if summary.get("error"):
        lines.append(f"- error: {_cell(summary['error'])}")
    keys = ("seen", "unchanged", "parsed", "loaded", "duplicate", "rejected", "deferred")
    lines += ["", "## Files", "", *_table(keys, [[summary.get(k, 0) for k in keys]])]
    if summary.get("worker_crashes"):
        lines.append(f"\nParser worker crashes: {summary['worker_crashes']}")

    rejections = summary.get("rejections", [])
    lines += ["", f"## Rejected files ({len(rejections)})", ""]
    if rejections:
        rows = [[_rel(r["path"], root), r["reason_code"], r["reason"]] for r in rejections]
        lines += _table(("file", "reason_code", "reason"), rows)
    else:
        lines.append("None.")

    deferrals = summary.get("deferrals", [])
    lines += ["", f"## Deferred: still being written, left for the next run ({len(deferrals)})", ""]
    lines += [f"- `{_rel(p, root)}`" for p in deferrals[:MAX_ROWS]] or ["None."]

    lines += ["", f"## Failed checks of the reports loaded ({len(failed_checks)})", ""]
    if failed_checks:
        rows = [
            [
                c.report_id,
                c.agency,
                c.year,
                _rel(c.source_path, root),
                c.rule_id,
                c.party,
                c.severity,
                c.detail,
            ]
            for c in failed_checks
        ]
        lines += _table(("report", "agency", "year", "file", "rule", "party", "severity", "detail"), rows)
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"
