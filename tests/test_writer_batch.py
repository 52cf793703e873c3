"""The writer commits several documents in one transaction: each is still loaded whole or not at all.

Real corpus documents parsed by the real parser, written into a real DuckDB file; facts are compared
with the truth files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb

from flows.ingest.parsing import parse_file, sha256_file
from flows.records import Candidate, FileStat, ParseOutcome
from flows.warehouse.writer import open_warehouse
from tests.corpus_index import CORPUS, as_printed, doc_id_of, expected_facts

SEEDS = CORPUS / "seeds"
FILES = ("longwan-2023.txt", "ninghai-2021.html", "weibin-2023.txt", "yinzhou-2023.html")
SEEN_AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _parsed(path: Path) -> tuple[ParseOutcome, Candidate]:
    sha = sha256_file(path)
    st = path.stat()
    return parse_file(str(path), sha), Candidate(FileStat(str(path), st.st_size, st.st_mtime_ns), sha)


def _facts(con: duckdb.DuckDBPyConnection, report_id: str) -> set[tuple]:
    rows = con.execute(
        "SELECT table_id, code, party, value, state FROM facts WHERE report_id = ?", [report_id]
    ).fetchall()
    return as_printed(rows)


def test_a_batch_loads_every_document_exactly_its_truth(tmp_path: Path) -> None:
    items = [(*_parsed(SEEDS / name), []) for name in FILES]
    with open_warehouse(tmp_path / "w.duckdb") as wh:
        written = wh.record_outcomes(items, SEEN_AT, "test")
        assert [w.status for w in written] == ["loaded"] * len(FILES)
        for (_, candidate, _), w in zip(items, written, strict=True):
            assert _facts(wh.con, w.report_id) == expected_facts(doc_id_of(Path(candidate.stat.path)))
        docs = wh.con.execute("SELECT path, status, report_id FROM documents ORDER BY path").fetchall()
        assert docs == sorted(
            (c.stat.path, "loaded", w.report_id) for (_, c, _), w in zip(items, written, strict=True)
        )


def test_a_refused_document_is_rejected_and_the_rest_of_its_batch_loads(tmp_path: Path) -> None:
    items = [(*_parsed(SEEDS / name), []) for name in FILES]
    bad_outcome, bad_candidate, _ = items[2]
    # a year DuckDB cannot store in the INTEGER column: the warehouse refuses this report
    bad_report = dataclasses.replace(bad_outcome.report, year=10**12)
    items[2] = (dataclasses.replace(bad_outcome, report=bad_report), bad_candidate, [])
    with open_warehouse(tmp_path / "w.duckdb") as wh:
        written = wh.record_outcomes(items, SEEN_AT, "test")
        assert [w.status for w in written] == ["loaded", "loaded", "rejected", "loaded"]
        assert written[2].reason_code == "load_error"
        assert "refused" in (written[2].reason or "")
        for i in (0, 1, 3):
            doc_id = doc_id_of(Path(items[i][1].stat.path))
            assert _facts(wh.con, written[i].report_id) == expected_facts(doc_id)
        bad_id = bad_candidate.sha256[:16]
        for table in ("reports", "facts", "narratives", "checks"):
            assert wh.con.execute(
                f"SELECT count(*) FROM {table} WHERE report_id = ?", [bad_id]
            ).fetchone() == (0,)
        assert wh.con.execute(
            "SELECT status, reason_code FROM documents WHERE path = ?", [bad_candidate.stat.path]
        ).fetchall() == [("rejected", "load_error")]
        assert wh.con.execute("SELECT count(*) FROM reports").fetchone() == (3,)


def test_two_versions_in_one_batch_chain_as_versions(tmp_path: Path) -> None:
    """The second copy sees the first, written earlier in the same transaction, as its predecessor."""
    src = SEEDS / "longwan-2023.txt"
    first = tmp_path / "drop" / "a.txt"
    second = tmp_path / "drop" / "b.txt"
    first.parent.mkdir()
    first.write_bytes(src.read_bytes())
    second.write_bytes(src.read_bytes() + b"\n")  # same report, new bytes: a republication
    items = [(*_parsed(first), []), (*_parsed(second), [])]
    with open_warehouse(tmp_path / "w.duckdb") as wh:
        written = wh.record_outcomes(items, SEEN_AT, "test")
        assert [w.status for w in written] == ["loaded", "loaded"]
        rows = wh.con.execute(
            "SELECT report_id, version, is_current, supersedes FROM reports ORDER BY version"
        ).fetchall()
        assert rows == [
            (written[0].report_id, 1, False, None),
            (written[1].report_id, 2, True, written[0].report_id),
        ]


def test_a_batch_versions_its_reports_exactly_as_one_write_per_document(tmp_path: Path) -> None:
    """Lineage is read once per batch and kept in memory while the batch's reports succeed each other:
    a changed file (same path) and another copy of the same agency's year, in one batch after a stored
    first version, chain as they do when each is written alone."""
    src = SEEDS / "longwan-2023.txt"
    drop = tmp_path / "drop"
    drop.mkdir()
    a, b = drop / "a.txt", drop / "b.txt"
    a.write_bytes(src.read_bytes())
    first = [(*_parsed(a), [])]
    a.write_bytes(src.read_bytes() + b"\n")  # the same path, changed
    b.write_bytes(src.read_bytes() + b"\n\n")  # another copy of the same agency and year
    second = [(*_parsed(a), []), (*_parsed(b), [])]

    def lineage(con: duckdb.DuckDBPyConnection) -> list[tuple]:
        return con.execute(
            "SELECT report_id, source_path, version, is_current, supersedes FROM reports ORDER BY version"
        ).fetchall()

    with open_warehouse(tmp_path / "batched.duckdb") as wh:
        wh.record_outcomes(first, SEEN_AT, "test")
        wh.record_outcomes(second, SEEN_AT, "test")
        batched = lineage(wh.con)
    with open_warehouse(tmp_path / "single.duckdb") as wh:
        for outcome, candidate, twins in first + second:
            wh.record_outcome(outcome, candidate, twins, SEEN_AT, "test")
        single = lineage(wh.con)
    ids = [c.sha256[:16] for _, c, _ in first + second]
    assert (
        batched
        == single
        == [
            (ids[0], str(a), 1, False, None),
            (ids[1], str(a), 2, False, ids[0]),
            (ids[2], str(b), 3, True, ids[1]),
        ]
    )
