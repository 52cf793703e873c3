"""Per-rule summary of the within-report checks (transform/checks.py) over a set of documents.

    python scripts/check_summary.py                  # the committed corpus (tests/corpus, scans excluded)
    python scripts/check_summary.py FILE_OR_DIR …    # any documents
    python scripts/check_summary.py --db WAREHOUSE   # the checks table of a loaded warehouse (current reports)

Counting (per report, per rule_id; one rule has several rows for its parties / t3 rows / family members):

- ``fail``           at least one row fails;
- ``pass``           every row passes;
- ``not_evaluable``  no row fails and at least one is not evaluable (a blank, dash or missing term).

A report where the rule does not apply (other generation, no such column) is not counted. The footer
gives the imputed cells (which report, which cell, which rule) and the check time per document, measured
as the time of ``evaluate_report`` re-run on a fresh build (the transform itself is not included).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORMATS = {".docx", ".pdf", ".html", ".txt"}


def _documents(args: list[str]) -> list[Path]:
    roots = [Path(a) for a in args] or [ROOT / "tests" / "corpus"]
    out: list[Path] = []
    for root in roots:
        paths = sorted(root.rglob("*")) if root.is_dir() else [root]
        out += [p for p in paths if p.suffix in FORMATS and not p.name.endswith(".scanned.pdf")]
    return out


def report_status(statuses: list[str]) -> str:
    """One report's status for one rule from the statuses of its rows (see the module docstring)."""
    if "fail" in statuses:
        return "fail"
    if "not_evaluable" in statuses:
        return "not_evaluable"
    return "pass"


def summarise(rows: list[tuple[str, str, str, str]]) -> dict[str, Counter]:
    """(report, rule_id, severity, status) rows → rule_id → Counter of report statuses (+ severity)."""
    per: dict[tuple[str, str], list[str]] = defaultdict(list)
    severity: dict[str, str] = {}
    for report, rule_id, sev, status in rows:
        per[(report, rule_id)].append(status)
        severity[rule_id] = sev
    table: dict[str, Counter] = defaultdict(Counter)
    for (_, rule_id), statuses in per.items():
        table[rule_id][report_status(statuses)] += 1
    for rule_id, sev in severity.items():
        table[rule_id]["_severity_" + sev] = 1
    return table


def print_table(table: dict[str, Counter], n_reports: int) -> None:
    from transform.rules import rule_set

    order = list(dict.fromkeys(e.rule_id for e in rule_set().within))
    order += sorted(set(table) - set(order))
    print(f"{n_reports} reports; counts are reports per rule (see scripts/check_summary.py)")
    print(f"| {'rule_id':<14} | sev  | pass | fail | not_evaluable |")
    print(f"|{'-' * 16}|------|-----:|-----:|--------------:|")
    for rule_id in order:
        c = table.get(rule_id)
        if not c:
            continue
        sev = "hard" if c["_severity_hard"] else "soft"
        print(f"| {rule_id:<14} | {sev} | {c['pass']:>4} | {c['fail']:>4} | {c['not_evaluable']:>13} |")


def from_documents(paths: list[Path]) -> None:
    from extract import extract_file
    from transform import build_report
    from transform.checks import evaluate_report

    rows: list[tuple[str, str, str, str]] = []
    imputed: list[str] = []
    times: list[float] = []
    failures: list[str] = []
    for path in paths:
        report = build_report(extract_file(path))
        name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        rows += [(name, c.rule_id, c.severity, c.status) for c in report.checks]
        imputed += [f"{name}: {c.imputes} by {c.rule_id}[{c.party}]" for c in report.checks if c.imputes]
        failures += [
            f"{name}: {c.rule_id}[{c.party}] {c.severity} {c.detail}"
            for c in report.checks
            if c.status == "fail"
        ]
        fresh = build_report(extract_file(path))
        fresh.checks = [c for c in fresh.checks if c.rule_id.startswith("N-2")]
        for f in fresh.facts:  # undo the build's imputation so the timing includes it
            if f.state == "imputed":
                f.value, f.state = None, "blank"
        t0 = time.perf_counter()
        evaluate_report(fresh)
        times.append(time.perf_counter() - t0)
    print_table(summarise(rows), len(paths))
    print(f"\nimputed cells: {len(imputed)}")
    for line in imputed:
        print("  " + line)
    print(f"\nfailing checks: {len(failures)}")
    for line in failures:
        print("  " + line[:400])
    if times:
        times.sort()
        print(
            f"\ncheck time per document: mean {1000 * sum(times) / len(times):.1f} ms, "
            f"median {1000 * times[len(times) // 2]:.1f} ms, max {1000 * times[-1]:.1f} ms "
            f"({len(times)} documents)"
        )


def from_db(db: str) -> None:
    import duckdb

    con = duckdb.connect(db, read_only=True)
    try:
        rows = con.execute(
            "SELECT c.report_id, c.rule_id, c.severity, c.status FROM checks c "
            "JOIN reports r USING (report_id) WHERE r.is_current"
        ).fetchall()
        n = con.execute("SELECT count(*) FROM reports WHERE is_current").fetchone()[0]
    finally:
        con.close()
    print_table(summarise(rows), n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--db")
    args = parser.parse_args(argv)
    if args.db:
        from_db(args.db)
    else:
        from_documents(_documents(args.paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
