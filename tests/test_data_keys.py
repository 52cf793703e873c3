"""Data tests: the keys the child tables do not declare (sql/schema/003_facts.sql says why) hold in a
real warehouse, and a repeated key from the transform is kept once, with a warning, never twice."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.ingest.parsing import parse_file, sha256_file
from flows.records import Candidate, FileStat
from flows.warehouse.writer import open_warehouse
from tests.corpus_index import CORPUS

KEYS = {
    "facts": ("report_id", "table_id", "code", "party"),
    "narratives": ("report_id", "ordinal"),
    "checks": ("report_id", "rule_id", "party"),
    "reports": ("report_id",),
    "documents": ("path", "sha256"),
}


@pytest.mark.parametrize("table", sorted(KEYS))
def test_every_key_is_unique_in_the_corpus_warehouse(corpus_run: dict[str, Any], table: str) -> None:
    key = ", ".join(KEYS[table])
    with duckdb.connect(str(corpus_run["db"]), read_only=True) as con:
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        repeated = con.execute(
            f"SELECT {key}, count(*) FROM {table} GROUP BY ALL HAVING count(*) > 1 LIMIT 5"
        ).fetchall()
    assert rows > 0
    assert repeated == []


def test_a_repeated_key_from_the_transform_is_written_once_with_a_warning(tmp_path: Path) -> None:
    path = CORPUS / "seeds" / "yinzhou-2023.html"
    sha = sha256_file(path)
    outcome = parse_file(str(path), sha)
    report = outcome.report
    assert report is not None and report.facts and report.checks and report.narratives
    doubled = dataclasses.replace(
        report,
        facts=[*report.facts, (*report.facts[0][:3], 999.0, *report.facts[0][4:])],
        checks=[*report.checks, report.checks[0]],
        narratives=[*report.narratives, report.narratives[0]],
    )
    st = path.stat()
    candidate = Candidate(FileStat(str(path), st.st_size, st.st_mtime_ns), sha)
    with open_warehouse(tmp_path / "w.duckdb") as wh:
        written = wh.record_outcome(
            dataclasses.replace(outcome, report=doubled), candidate, [], dt.datetime.now(dt.UTC), "test"
        )
        assert written.status == "loaded"
        rid = written.report_id
        first = report.facts[0]
        assert wh.con.execute(
            "SELECT value FROM facts WHERE report_id = ? AND table_id = ? AND code = ? AND party = ?",
            [rid, *first[:3]],
        ).fetchall() == [(first[3],)]  # the first, not the repeated 999
        counts = [
            wh.con.execute(f"SELECT count(*) FROM {t} WHERE report_id = ?", [rid]).fetchone()[0]
            for t in ("facts", "checks", "narratives")
        ]
        assert counts == [len(report.facts), len(report.checks), len(report.narratives)]
        warnings = wh.con.execute("SELECT warnings FROM reports WHERE report_id = ?", [rid]).fetchone()[0]
    assert [w for w in warnings if w.startswith("loader:")] == [
        "loader: 1 fact(s) with a repeated (table_id, code, party) dropped; kept the first",
        "loader: 1 check(s) with a repeated (rule_id, party) dropped; kept the first",
        "loader: 1 narrative(s) with a repeated ordinal dropped; kept the first",
    ]
