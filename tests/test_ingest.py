"""The ingest flow end to end: real Prefect flow runs, real worker processes, a real DuckDB file,
real corpus documents. No mocks.

Tests that compare loaded facts with the truth files need the PDF reader and the transform to be
right as well; they are the pipeline's acceptance tests, not unit tests of flows/.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.warehouse.staging import staging_path
from tests.corpus_index import CORPUS, as_printed, doc_id_of, expected_facts

SEEDS = CORPUS / "seeds"
SYNTHETIC = CORPUS / "synthetic"

NOT_A_REPORT = (
    "关于做好春节期间安全生产工作的通知\n\n各乡镇人民政府、街道办事处：\n\n"
    "春节将至，为切实做好节日期间安全生产工作，现将有关事项通知如下。\n\n"
    "一、高度重视，压实责任。\n\n二、加强巡查，消除隐患。\n\n某某县应急管理局\n2024年1月20日\n"
)


# ---- helpers ---------------------------------------------------------------------------------------


def run_ingest(drop: Path, db: Path, **options: Any) -> dict[str, Any]:
    """One real flow run (needs the ``prefect_harness`` fixture)."""
    from flows.ingest.flow import ingest

    options.setdefault("workers", 2)
    options.setdefault("settle_seconds", 0)  # test files are written just before the run
    return ingest(drop_dir=str(drop), db_path=str(db), **options)


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def documents_by_name(db: Path) -> dict[str, dict[str, Any]]:
    """Latest documents row per file name (names are unique within each test's drop dir)."""
    cols = ["path", "sha256", "format", "status", "reason_code", "reason", "report_id", "parser_version"]
    rows = query(db, f"SELECT {', '.join(cols)} FROM documents ORDER BY last_seen")
    return {Path(r[0]).name: dict(zip(cols, r, strict=True)) for r in rows}


def loaded_facts(db: Path, report_id: str) -> set[tuple[str, str, float | None, str]]:
    """The report's table cells as printed (see ``tests.corpus_index.as_printed``)."""
    rows = query(db, "SELECT table_id, code, party, value, state FROM facts WHERE report_id = ?", [report_id])
    return as_printed(rows)


def tree_hashes(root: Path) -> dict[str, tuple[str, int]]:
    """Every file and directory under root with its content hash and mtime_ns: a file written, changed
    or even created and deleted again in the drop dir shows up as a difference."""
    return {
        str(p.relative_to(root)): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir",
            p.stat().st_mtime_ns,
        )
        for p in sorted([root, *root.rglob("*")])
    }


def png_bytes() -> bytes:
    """A real 1×1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def assert_facts_match_truth(db: Path, report_id: str, source: Path) -> None:
    got = loaded_facts(db, report_id)
    expected = expected_facts(doc_id_of(source))
    assert sorted(got - expected, key=str) == [], f"{source.name}: loaded facts not in the truth file"
    assert sorted(expected - got, key=str) == [], f"{source.name}: truth facts not loaded"


# ---- one mixed drop directory: good files and every kind of bad input -----------------------------

GOOD = {
    # name in the drop dir → corpus source (distinct agency/year each, so each is its own lineage)
    "a/yinzhou-2023.docx": SEEDS / "yinzhou-2023.docx",
    "a/weibin-2023.html": SEEDS / "weibin-2023.html",
    "ninghai-2021.txt": SEEDS / "ninghai-2021.txt",
    "b/deep/longwan-2023.pdf": SEEDS / "longwan-2023.pdf",
    "yinzhou-2018.doc": SEEDS / "yinzhou-2018.pdf",  # a PDF saved under a .doc name
}
BAD = {
    "bad/truncated.pdf": "corrupt_file",
    "bad/empty.txt": "empty_file",
    "bad/weibin-2023.scanned.pdf": "no_text_layer",
    "bad/picture.png": "unsupported_format",
    "bad/notice.txt": "not_a_report",
}


@pytest.fixture(scope="module")
def mixed(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("mixed")
    drop, db = root / "drop", root / "warehouse.duckdb"
    for name, src in GOOD.items():
        copy(src, drop / name)
    pdf = (SEEDS / "weibin-2023.pdf").read_bytes()
    (drop / "bad").mkdir(parents=True)
    (drop / "bad/truncated.pdf").write_bytes(pdf[: len(pdf) * 2 // 5])
    (drop / "bad/empty.txt").write_bytes(b"")
    copy(SEEDS / "weibin-2023.scanned.pdf", drop / "bad/weibin-2023.scanned.pdf")
    (drop / "bad/picture.png").write_bytes(png_bytes())
    (drop / "bad/notice.txt").write_text(NOT_A_REPORT, encoding="utf-8")
    before = tree_hashes(drop)
    summary = run_ingest(drop, db, ocr=False)  # the scan stands for an unreadable file here (no OCR)
    after = tree_hashes(drop)
    yield {"drop": drop, "db": db, "summary": summary, "before": before, "after": after}


def test_mixed_run_counts(mixed: dict[str, Any]) -> None:
    s = mixed["summary"]
    assert s["seen"] == len(GOOD) + len(BAD)
    assert s["parsed"] == len(GOOD) + len(BAD)
    assert (s["loaded"], s["rejected"], s["unchanged"], s["duplicate"]) == (len(GOOD), len(BAD), 0, 0)
    assert {Path(r["path"]).name: r["reason_code"] for r in s["rejections"]} == {
        Path(k).name: v for k, v in BAD.items()
    }


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_rejected_with_its_own_reason(mixed: dict[str, Any], name: str) -> None:
    doc = documents_by_name(mixed["db"])[Path(name).name]
    assert (doc["status"], doc["reason_code"]) == ("rejected", BAD[name])
    assert doc["reason"] and doc["report_id"] is None


def test_scanned_pdf_reason_says_no_text_layer_and_no_ocr(mixed: dict[str, Any]) -> None:
    reason = documents_by_name(mixed["db"])["weibin-2023.scanned.pdf"]["reason"].lower()
    assert "text layer" in reason and "ocr" in reason


def test_good_files_of_the_same_run_load(mixed: dict[str, Any]) -> None:
    docs = documents_by_name(mixed["db"])
    for name in GOOD:
        doc = docs[Path(name).name]
        assert doc["status"] == "loaded", (name, doc["reason_code"], doc["reason"])
        assert doc["report_id"] == doc["sha256"][:16]
    assert query(mixed["db"], "SELECT count(*), count(*) FILTER (is_current) FROM reports") == [
        (len(GOOD), len(GOOD))
    ]


def test_pdf_renamed_doc_is_recognised_as_pdf(mixed: dict[str, Any]) -> None:
    doc = documents_by_name(mixed["db"])["yinzhou-2018.doc"]
    assert doc["format"] == "pdf"
    assert doc["status"] == "loaded", doc["reason"]


@pytest.mark.parametrize("name", sorted(GOOD))
def test_loaded_facts_equal_truth(mixed: dict[str, Any], name: str) -> None:
    doc = documents_by_name(mixed["db"])[Path(name).name]
    assert doc["status"] == "loaded", doc["reason"]
    assert_facts_match_truth(mixed["db"], doc["report_id"], GOOD[name])


def test_every_loaded_report_has_facts_and_narrative(mixed: dict[str, Any]) -> None:
    assert (
        query(
            mixed["db"],
            """SELECT report_id FROM reports
           WHERE report_id NOT IN (SELECT report_id FROM facts)
              OR report_id NOT IN (SELECT report_id FROM narratives)""",
        )
        == []
    )


def test_drop_dir_is_not_modified(mixed: dict[str, Any]) -> None:
    assert mixed["after"] == mixed["before"]


# ---- idempotence, additions, changes ----------------------------------------------------------------


def _snapshot(db: Path) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
    return (
        query(
            db, "SELECT path, sha256, status, reason_code, report_id, first_seen FROM documents ORDER BY ALL"
        ),
        query(db, "SELECT * FROM reports ORDER BY report_id"),
        query(db, "SELECT * FROM facts ORDER BY ALL"),
        query(db, "SELECT * FROM narratives ORDER BY ALL"),
    )


def test_second_run_parses_nothing_and_changes_nothing(prefect_harness: None, tmp_path: Path) -> None:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    copy(SEEDS / "ninghai-2021.txt", drop / "ninghai-2021.txt")
    copy(SEEDS / "weibin-2023.html", drop / "weibin-2023.html")
    (drop / "empty.txt").write_bytes(b"")
    first = run_ingest(drop, db)
    assert (first["parsed"], first["loaded"], first["rejected"]) == (3, 2, 1)
    before = _snapshot(db)

    second = run_ingest(drop, db)
    assert second["parsed"] == 0
    assert (second["seen"], second["unchanged"], second["loaded"], second["rejected"]) == (3, 3, 0, 0)
    assert _snapshot(db) == before


def test_touched_but_identical_file_is_not_parsed_again(prefect_harness: None, tmp_path: Path) -> None:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    path = copy(SEEDS / "ninghai-2021.txt", drop / "ninghai-2021.txt")
    run_ingest(drop, db)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    again = run_ingest(drop, db)
    assert (again["parsed"], again["unchanged"]) == (0, 1)
    assert query(db, "SELECT mtime_ns FROM documents") == [(stat.st_mtime_ns + 5_000_000_000,)]


def test_adding_one_file_loads_only_it(prefect_harness: None, tmp_path: Path) -> None:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    copy(SEEDS / "ninghai-2021.txt", drop / "ninghai-2021.txt")
    copy(SEEDS / "weibin-2023.html", drop / "weibin-2023.html")
    run_ingest(drop, db)
    before = query(db, "SELECT report_id, loaded_at FROM reports ORDER BY report_id")

    copy(SEEDS / "yinzhou-2023.docx", drop / "new" / "yinzhou-2023.docx")
    summary = run_ingest(drop, db)
    assert (summary["seen"], summary["unchanged"], summary["parsed"], summary["loaded"]) == (3, 2, 1, 1)
    after = query(db, "SELECT report_id, loaded_at FROM reports ORDER BY report_id")
    assert set(before) < set(after) and len(after) == 3
    new = documents_by_name(db)["yinzhou-2023.docx"]
    assert new["status"] == "loaded"
    assert_facts_match_truth(db, new["report_id"], SEEDS / "yinzhou-2023.docx")


def test_copy_of_known_content_is_a_duplicate_not_a_second_report(
    prefect_harness: None, tmp_path: Path
) -> None:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    copy(SEEDS / "ninghai-2021.txt", drop / "ninghai-2021.txt")
    copy(SEEDS / "ninghai-2021.txt", drop / "same-run-copy.txt")
    first = run_ingest(drop, db)
    assert (first["parsed"], first["loaded"], first["duplicate"]) == (1, 1, 1)
    copy(SEEDS / "ninghai-2021.txt", drop / "later" / "later-copy.txt")
    second = run_ingest(drop, db)
    assert (second["parsed"], second["duplicate"]) == (0, 1)
    docs = documents_by_name(db)
    assert {d["status"] for n, d in docs.items() if n != "ninghai-2021.txt"} == {"duplicate"}
    assert len({d["report_id"] for d in docs.values()}) == 1
    assert query(db, "SELECT count(*) FROM reports") == [(1,)]


def test_changed_file_and_republication_become_new_current_versions(
    prefect_harness: None, tmp_path: Path
) -> None:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    path = copy(SEEDS / "ninghai-2021.txt", drop / "ninghai-2021.txt")
    run_ingest(drop, db)
    ((v1,),) = query(db, "SELECT report_id FROM reports")

    # the same file, edited (different bytes, same report)
    path.write_bytes(path.read_bytes() + "\n（本报告已更正）\n".encode())
    changed = run_ingest(drop, db)
    assert (changed["parsed"], changed["loaded"]) == (1, 1)

    # a corrected re-publication: another document of the same agency and year
    copy(SEEDS / "ninghai-2021.docx", drop / "ninghai-2021-corrected.docx")
    republished = run_ingest(drop, db)
    assert (republished["parsed"], republished["loaded"]) == (1, 1)

    rows = query(
        db, "SELECT report_id, version, is_current, supersedes, source_path FROM reports ORDER BY version"
    )
    assert [(r[1], r[2]) for r in rows] == [(1, False), (2, False), (3, True)]
    assert rows[0][0] == v1 and rows[0][3] is None
    assert rows[1][3] == rows[0][0] and rows[2][3] == rows[1][0]
    # both contents of the edited path are kept as separate documents rows
    assert query(db, "SELECT count(*) FROM documents WHERE path = ?", [str(path)]) == [(2,)]
    # every version keeps its own complete facts
    for report_id, *_ in rows:
        assert loaded_facts(db, report_id)


def test_worker_crash_and_parser_bug_lose_no_other_file(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    good = ["ninghai-2021.txt", "weibin-2023.html", "yinzhou-2023.docx", "longwan-2023.html"]
    for name in good:
        copy(SEEDS / name, drop / name)
    copy(SEEDS / "yinzhou-2018.txt", drop / "boom-yinzhou-2018.txt")  # kills its worker process
    monkeypatch.setenv("XXGK_FAULT_INJECT", "crash:boom-")
    summary = run_ingest(drop, db, batch_size=2)
    docs = documents_by_name(db)
    assert {n: docs[n]["status"] for n in good} == dict.fromkeys(good, "loaded")
    assert (docs["boom-yinzhou-2018.txt"]["status"], docs["boom-yinzhou-2018.txt"]["reason_code"]) == (
        "rejected",
        "worker_crashed",
    )
    assert summary["worker_crashes"] >= 2

    monkeypatch.setenv("XXGK_FAULT_INJECT", "raise:oops-")
    copy(SEEDS / "yinzhou-2018.docx", drop / "oops-yinzhou-2018.docx")
    summary = run_ingest(drop, db)
    doc = documents_by_name(db)["oops-yinzhou-2018.docx"]
    assert (doc["status"], doc["reason_code"]) == ("rejected", "parser_error")
    assert "RuntimeError" in doc["reason"] and "injected fault" in doc["reason"]
    assert (summary["parsed"], summary["rejected"]) == (1, 1)


def test_locked_warehouse_fails_the_run(prefect_harness: None, tmp_path: Path) -> None:
    from flows.warehouse.writer import WarehouseError

    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    copy(SEEDS / "ninghai-2021.txt", drop / "ninghai-2021.txt")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseError, match="in use by another process"):
            run_ingest(drop, db)
    finally:
        holder.kill()
        holder.wait()


# ---- kill -9 in the middle of a run ------------------------------------------------------------------


def kill_corpus(n: int = 20) -> list[Path]:
    """n documents with distinct agency/year, mixed formats, none scanned."""
    picked: list[Path] = []
    for path in sorted(SYNTHETIC.iterdir()):
        if path.name.endswith((".truth.json", ".scanned.pdf")):
            continue
        picked.append(path)
        if len(picked) == n:
            break
    return picked


def holding_one_file(env: dict[str, str], sources: dict[str, Path]) -> dict[str, str]:
    """``env`` with the last source (in path order) held in its parser for good (fault injection): a run
    that is stopped or killed mid-way cannot have finished first, however fast the others parse — with
    grouped writes, a fast parser could otherwise commit every document before the first "loaded" line.
    The re-run, without it, reads that file too."""
    return {**env, "XXGK_FAULT_INJECT": f"hang:{sorted(sources)[-1]}"}


@pytest.mark.slow
def test_kill_mid_run_then_rerun_leaves_no_partial_or_duplicate_data(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    sources = {src.name: src for src in kill_corpus()}
    assert len(sources) == 20
    for name, src in sources.items():
        copy(src, drop / name)
    cmd = [
        xxgk_bin,
        "ingest",
        str(drop),
        "--db",
        str(db),
        "--progress",
        "plain",
        "--workers",
        "2",
        "--batch-size",
        "4",
        "--settle",  # the files were written just now; the run discovers them within a second or two
        "0",
    ]

    proc = subprocess.Popen(
        cmd,
        env=holding_one_file(cli_env, sources),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    first_loaded = None
    deadline = time.monotonic() + 300
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("loaded\t"):
                first_loaded = line
                break
            assert time.monotonic() < deadline, "no document loaded within 300 s"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI, its Prefect server and its parser workers
        proc.wait()
    assert first_loaded, "the run ended before any document was loaded"
    # the run loads into a staging copy (flows.warehouse.staging): the live file is still the empty
    # warehouse the first run published before loading (queryable, no rows), and the copy holds every
    # document committed before the kill, complete — the re-run resumes from it
    assert query(db, "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM runs)") == [(0, 0)]
    staged = staging_path(db)
    committed_before_rerun = query(staged, "SELECT count(*) FROM documents")[0][0]
    assert (
        1 <= query(staged, "SELECT count(*) FROM reports")[0][0] <= committed_before_rerun < len(sources)
    ), "the kill did not land mid-run"
    assert query(
        staged, "SELECT count(*) FROM reports WHERE report_id NOT IN (SELECT report_id FROM facts)"
    ) == [(0,)]

    rerun = subprocess.run(cmd, env=cli_env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode in (0, 1), rerun.stdout + rerun.stderr
    assert "Summary:" in rerun.stdout

    assert query(db, "SELECT count(*), count(DISTINCT path) FROM documents") == [(20, 20)]
    assert (
        query(db, "SELECT count(*) FROM documents WHERE status = 'loaded'")[0][0]
        == query(db, "SELECT count(*) FROM reports")[0][0]
    )
    assert query(db, "SELECT count(*) FROM reports WHERE report_id NOT IN (SELECT report_id FROM facts)") == [
        (0,)
    ]
    assert (
        query(db, "SELECT report_id, table_id, code, party FROM facts GROUP BY ALL HAVING count(*) > 1") == []
    )
    # the re-run parsed only what the killed run had not committed
    assert f"{committed_before_rerun} unchanged" in rerun.stdout
    assert not staged.exists()
    assert query(db, "SELECT resumed FROM runs") == [(True,)]
    for name, src in sources.items():
        doc = documents_by_name(db)[name]
        assert doc["status"] == "loaded", (name, doc["reason"])
        assert_facts_match_truth(db, doc["report_id"], src)
