"""v_checks_cross_year (sql/checks): the rules between an agency's adjacent years (X-1, T2-A, T2-B), on
the corpus warehouse with real reports re-inserted one year later (the corpus has no adjacent years)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from tests.corpus_index import truth_values
from tests.test_ingest import query


def _with_next_year(db: Path, tmp: Path, report_ids: list[str]) -> Path:
    """A copy of the corpus warehouse where each given report also appears, as printed, one year later
    (same agency_id): the corpus has no agency with two adjacent years."""
    copy = tmp / "cross.duckdb"
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    try:
        for rid in report_ids:
            con.execute(
                "INSERT INTO reports SELECT * REPLACE (report_id || ':next' AS report_id, year + 1 AS year) "
                "FROM reports WHERE report_id = ?",
                [rid],
            )
            con.execute(
                "INSERT INTO facts SELECT * REPLACE (report_id || ':next' AS report_id) FROM facts WHERE report_id = ?",
                [rid],
            )
    finally:
        con.close()
    return copy


def test_cross_year_view(corpus_run, tmp_path):
    db, docs = corpus_run["db"], corpus_run["docs"]
    assert query(db, "SELECT count(*) FROM v_checks_cross_year") == [(0,)]  # no adjacent years in the corpus
    g21 = docs["s0039-luancheng-zf-2024.docx"]["report_id"]
    g19 = docs["s0040-cangnan-scjgj-2019.txt"]["report_id"]
    legacy = docs["s0043-beilun-tjj-2018.pdf"]["report_id"] if "s0043-beilun-tjj-2018.pdf" in docs else None
    copy = _with_next_year(db, tmp_path, [r for r in (g21, g19, legacy) if r])
    rows = query(
        copy,
        "SELECT rule_id, party, report_id_from, report_id_to, year_to - year_from, lhs, rhs, status, severity FROM v_checks_cross_year",
    )
    by = {(r[0], r[1], r[2]): r for r in rows}
    assert {r[4] for r in rows} == {1} and {r[8] for r in rows} == {"soft"}
    v = truth_values("s0039-luancheng-zf-2024")
    parties = sorted(p for (c, p) in v if c == "req_carried_out")
    for party in parties:  # the same report one year later: carried out (t) vs carried in (t+1)
        out, inn = v[("req_carried_out", party)], v[("req_carried_in", party)]
        row = by[("X-1", party, g21)]
        assert row[5:8] == (out, inn, "pass" if out == inn else "fail")
    assert by[("X-1", "total", g21)][5:8] == (3.0, 1.0, "fail")
    for x in ("reg", "nd"):
        inforce, made, rep = (v[(f"{x}_{k}", "_")] for k in ("in_force", "made", "repealed"))
        row = by[(f"T2-A.{x}", "_", g21)]
        assert row[5:7] == (inforce, inforce + made - rep)
    w = truth_values("s0040-cangnan-scjgj-2019")
    for x in ("lic", "oms", "pen", "coe", "fee"):
        prev, change = w[(f"{x}_items_prev", "_")], w[(f"{x}_items_change", "_")]
        assert by[("T2-B", x, g19)][5:8] == (prev, prev + change, "pass" if change == 0 else "fail")
    # never across a legacy year, and G19 pairs get no T2-A, G21 pairs no T2-B
    assert legacy is None or not any(r[2] == legacy for r in rows)
    assert not any(r[0] == "T2-B" and r[2] == g21 for r in rows) and not any(
        r[0].startswith("T2-A") and r[2] == g19 for r in rows
    )
