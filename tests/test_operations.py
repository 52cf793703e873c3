"""Nightly operations with real processes, real flow runs and real DuckDB files: the run record
(``runs`` row + Prefect artifact), files still being written, the run lock, readers during a run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.ingest.discovery import FileStat, hash_files, plan_files, walk_drop_dir
from flows.warehouse.lock import RunLockBusy, lock_path_of, run_lock
from flows.warehouse.staging import staging_path
from flows.warehouse.writer import open_warehouse
from tests.corpus_index import CORPUS
from tests.test_ingest import assert_facts_match_truth, copy, documents_by_name, query, run_ingest

SEEDS = CORPUS / "seeds"
REPO = Path(__file__).resolve().parents[1]

HOLD_LOCK = """
import sys
from flows.warehouse.lock import run_lock
with run_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes our stdin (or kills us)
"""


def hold_lock(db: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def settled(path: Path) -> Path:
    """Backdate a file written by the test: it is finished, not in the settle window."""
    old = time.time() - 60
    os.utime(path, (old, old))
    return path


# ---- the run record: runs row + artifact --------------------------------------------------------------


def test_run_leaves_a_runs_row_and_a_markdown_artifact(prefect_harness: None, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    copy(SEEDS / "weibin-2023.html", drop / "weibin-2023.html")
    (drop / "empty.txt").write_bytes(b"")
    # a report whose own arithmetic is wrong: 5 new requests from natural persons, total still 0
    lines = (SEEDS / "ninghai-2021.txt").read_text(encoding="utf-8").split("\n")
    row = next(n for n, line in enumerate(lines) if "一、本年新收政府信息公开申请数量" in line) + 1
    assert lines[row] == "\t0"
    lines[row] = "\t5"
    (drop / "ninghai-2021.txt").write_text("\n".join(lines), encoding="utf-8")
    summary = run_ingest(drop, db)
    assert summary["flow_run_id"]

    ((row),) = query(
        db,
        """SELECT flow_run_id, status, error, seen, parsed, loaded, rejected, deferred, deferred_files,
                  failed_checks, duration_seconds, resumed FROM runs""",
    )
    failing = query(db, "SELECT rule_id, party FROM checks WHERE status = 'fail' ORDER BY rule_id")
    # ninghai prints zeros everywhere: 5 new requests from natural persons break exactly the column
    # identity of that column and the row sum of that row (total still 0)
    assert failing == [("T3-A", "natural_person"), ("T3-D", "req_new")]
    failed = len(failing)
    assert row[:10] == (summary["flow_run_id"], "completed", None, 3, 3, 2, 1, 0, [], failed)
    assert row[10] > 0 and row[11] is False

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[summary["flow_run_id"]]))
        )
    assert [(a.key, a.type) for a in artifacts] == [("xxgk-ingest-run", "markdown")]
    markdown = str(artifacts[0].data)
    assert "# xxgk ingest: completed" in markdown
    assert (
        "| 3 | 0 | 3 | 2 | 0 | 1 | 0 |" in markdown
    )  # seen unchanged parsed loaded duplicate rejected deferred
    assert "| empty.txt | empty_file |" in markdown
    assert f"## Failed checks of the reports loaded ({failed})" in markdown
    assert "| T3-A | natural_person | hard |" in markdown and "ninghai-2021.txt" in markdown
    assert "duration:" in markdown


def test_old_warehouse_gains_the_run_columns(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute((REPO / "sql/schema/005_ingest_runs.sql").read_text()).fetchall()
    con.execute(
        "INSERT INTO ingest_runs VALUES ('r1', '/d', now(), now(), 1, 1, 0, 0, 0, 0, 'v0')"
    ).fetchall()
    con.close()
    with open_warehouse(db):
        pass
    assert query(db, "SELECT run_id, status, flow_run_id, deferred FROM runs") == [
        ("r1", "completed", None, None)
    ]


# ---- files still being written --------------------------------------------------------------------------

WRITER = """
import os, sys, time
data, path, stop = open(sys.argv[1], "rb").read(), sys.argv[2], sys.argv[3]
step = max(1, len(data) // 1000)  # ~50 s of writing if nobody says stop
with open(path, "wb") as out:
    for i in range(0, len(data), step):
        out.write(data[i : i + step]); out.flush()
        if i == 0:
            print("writing", flush=True)
        if os.path.exists(stop):
            out.write(data[i + step :])
            break
        time.sleep(0.05)
"""


def test_file_being_written_is_deferred_and_loaded_by_the_next_run(
    prefect_harness: None, tmp_path: Path
) -> None:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    settled(copy(SEEDS / "weibin-2023.html", drop / "weibin-2023.html"))
    growing, stop = drop / "ninghai-2021.txt", tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(SEEDS / "ninghai-2021.txt"), str(growing), str(stop)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        first = run_ingest(drop, db, settle_seconds=2.0)
        assert writer.poll() is None, "the writer finished before the run looked at its file"
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert (first["loaded"], first["deferred"], first["rejected"]) == (1, 1, 0)
    assert first["deferrals"] == [str(growing)]
    assert "ninghai-2021.txt" not in documents_by_name(db)  # no row: the next run sees a new file
    assert query(db, "SELECT deferred, deferred_files FROM runs") == [(1, [str(growing)])]

    settled(growing)
    second = run_ingest(drop, db, settle_seconds=2.0)
    assert (second["loaded"], second["deferred"], second["unchanged"]) == (1, 0, 1)
    doc = documents_by_name(db)["ninghai-2021.txt"]
    assert doc["status"] == "loaded"
    assert_facts_match_truth(db, doc["report_id"], SEEDS / "ninghai-2021.txt")


def test_file_written_to_while_it_is_hashed_is_deferred(tmp_path: Path) -> None:
    """A real write between the directory walk and the end of hashing (the hasher appends to the file
    before hashing it, as a slow upload would)."""
    drop = tmp_path / "drop"
    path = settled(copy(SEEDS / "ninghai-2021.txt", drop / "ninghai-2021.txt"))
    files = walk_drop_dir(drop)

    def hash_while_written(stats: list[FileStat]) -> dict[str, str | OSError]:
        with path.open("ab") as out:
            out.write("\n更多内容".encode())
        return hash_files(stats)

    plan = plan_files(files, {}, lambda _hashes: {}, "v", hasher=hash_while_written)
    assert [s.path for s in plan.deferred] == [str(path)] and plan.to_parse == []


# ---- the run lock -----------------------------------------------------------------------------------------


def test_run_lock_is_exclusive_across_processes_and_freed_by_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    holder = hold_lock(db)
    try:
        with pytest.raises(RunLockBusy, match=f"pid {holder.pid}"):
            with run_lock(db, wait=0):
                pass
        with pytest.raises(RunLockBusy, match="--wait"):
            with run_lock(db, wait=0.5):
                pass
    finally:
        os.kill(holder.pid, signal.SIGKILL)  # no cleanup code runs: the kernel drops the flock
        holder.wait()
    assert lock_path_of(db).exists()
    with run_lock(db, wait=10):
        with run_lock(db, wait=0):  # re-entrant in the holding process (CLI, then the flow)
            pass


def test_cli_exits_3_when_another_run_holds_the_lock(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    drop.mkdir()
    holder = hold_lock(db)
    try:
        result = subprocess.run(
            [xxgk_bin, "ingest", str(drop), "--db", str(db), "--wait", "0"],
            env=cli_env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 3, result.stdout + result.stderr
    assert "another ingest run" in result.stderr and f"pid {holder.pid}" in result.stderr
    assert not db.exists() and not staging_path(db).exists()


@pytest.mark.slow
def test_two_ingest_processes_at_once_queue_on_the_lock(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    names = ["ninghai-2021.txt", "weibin-2023.html", "yinzhou-2023.docx"]
    for name in names:
        settled(copy(SEEDS / name, drop / name))
    cmd = [
        xxgk_bin,
        "ingest",
        str(drop),
        "--db",
        str(db),
        "--wait",
        "600",
        "--workers",
        "1",
        "--progress",
        "none",
        "--no-shortcut",  # the second run must go through the full flow (and record its run) after waiting
    ]
    procs = [
        subprocess.Popen(cmd, env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    for rc, out, err in results:
        assert rc == 0, out + err
    waited = [err for _, _, err in results if "waiting for the run lock" in err]
    assert len(waited) == 1, [err for _, _, err in results]
    summaries = sorted(
        next(line for line in out.splitlines() if line.startswith("Summary:")) for _, out, _ in results
    )
    assert summaries[0].startswith("Summary: 3 seen, 0 unchanged, 3 loaded")
    assert summaries[1].startswith("Summary: 3 seen, 3 unchanged, 0 loaded")
    assert query(db, "SELECT count(*), count(DISTINCT path) FROM documents") == [(3, 3)]
    assert query(db, "SELECT count(*) FROM reports") == [(3,)]
    assert query(db, "SELECT loaded FROM runs ORDER BY started_at") == [(3,), (0,)]


# ---- readers during a run -----------------------------------------------------------------------------

READER = """
import json, os, sys, time
import duckdb
db, stop = sys.argv[1], sys.argv[2]
while not os.path.exists(stop):
    t = time.time()
    try:
        con = duckdb.connect(db, read_only=True)
        try:
            rows = con.execute(
                "SELECT r.report_id, count(f.report_id) FROM reports r LEFT JOIN facts f USING (report_id) "
                "GROUP BY ALL"
            ).fetchall()
            runs = con.execute("SELECT count(*) FROM runs").fetchall()[0][0]
        finally:
            con.close()
        print(json.dumps({"t": t, "reports": dict(rows), "runs": runs}), flush=True)
    except duckdb.Error as exc:
        print(json.dumps({"t": t, "error": str(exc)}), flush=True)
    time.sleep(0.02)
"""

HOLDING_READER = """
import json, os, sys, time
import duckdb
db, stop = sys.argv[1], sys.argv[2]
con = duckdb.connect(db, read_only=True)  # an analyst's session, open for the whole run
def state():
    return dict(con.execute("SELECT report_id, count(*) FROM facts GROUP BY ALL").fetchall())
print(json.dumps(state()), flush=True)
while not os.path.exists(stop):
    time.sleep(0.05)
print(json.dumps(state()), flush=True)
con.close()
"""


def facts_per_report(db: Path) -> dict[str, int]:
    return dict(
        query(
            db,
            "SELECT r.report_id, count(f.report_id) FROM reports r LEFT JOIN facts f USING (report_id) GROUP BY ALL",
        )
    )


def test_readers_are_never_locked_out_and_never_see_a_partial_run(
    prefect_harness: None, tmp_path: Path
) -> None:
    drop, db, stop = tmp_path / "drop", tmp_path / "w.duckdb", tmp_path / "stop"
    copy(SEEDS / "ninghai-2021.txt", drop / "ninghai-2021.txt")
    run_ingest(drop, db)
    before = facts_per_report(db)
    for name in ("weibin-2023.html", "yinzhou-2023.docx", "longwan-2023.html", "yinzhou-2018.txt"):
        copy(SEEDS / name, drop / name)

    log = (tmp_path / "reader.jsonl").open("w")
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop)], stdout=log)
    holding = subprocess.Popen(
        [sys.executable, "-c", HOLDING_READER, str(db), str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holding.stdout is not None
        assert json.loads(holding.stdout.readline()) == before
        started = time.time()
        summary = run_ingest(drop, db)  # must not be blocked by the open analyst session
        finished = time.time()
        assert summary["loaded"] == 4
    finally:
        stop.touch()
        reader.wait(timeout=60)
        holding_out, _ = holding.communicate(timeout=60)
        log.close()
    after = facts_per_report(db)
    assert len(after) == 5 and set(before) < set(after)
    assert json.loads(holding_out) == before  # the open session kept its consistent (old) snapshot

    observations = [json.loads(line) for line in (tmp_path / "reader.jsonl").read_text().splitlines()]
    errors = [o["error"] for o in observations if "error" in o]
    assert errors == []
    during = [o for o in observations if started <= o["t"] <= finished]
    assert during, "the reader made no query while the run was loading"
    print(
        f"reader: {len(observations)} queries, {len(during)} during the {finished - started:.1f} s run, 0 errors"
    )
    for o in observations:  # exactly the old state or exactly the new one: never a partial run
        assert (o["reports"], o["runs"]) in ((before, 1), (after, 2)), o
    assert not staging_path(db).exists()
