"""Parsing on a real Dask cluster (``--dask-address``): a ``distributed.LocalCluster`` with two separate
worker processes, the same drop directory ingested once with the local process pool and once on the
cluster, and the warehouses compared table by table. No mocks, no timing."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_ingest import SEEDS, SYNTHETIC, assert_facts_match_truth, documents_by_name, query, run_ingest

pytestmark = pytest.mark.slow

# one format per seed (each seed's formats are the same report, which would become versions of it)
SEED_FILES = [
    "longwan-2023.txt",
    "ninghai-2021.html",
    "weibin-2023.pdf",
    "yinzhou-2018.docx",
    "yinzhou-2023.pdf",
    "weibin-2023.scanned.pdf",  # rejected (no text layer, OCR off): rejections must match as well
]
SYNTHETIC_FILES = 10


@pytest.fixture(scope="module")
def dask_address() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def _drop(root: Path) -> Path:
    drop = root / "drop"
    drop.mkdir(parents=True)
    sources = [SEEDS / name for name in SEED_FILES]
    synthetic = sorted(p for p in SYNTHETIC.iterdir() if p.suffix in (".pdf", ".docx", ".html", ".txt"))
    by_format: dict[str, list[Path]] = {}
    for path in synthetic:
        by_format.setdefault(path.suffix, []).append(path)
    # round-robin over the formats so that every format is represented
    while len(sources) < len(SEED_FILES) + SYNTHETIC_FILES and any(by_format.values()):
        for paths in by_format.values():
            if paths and len(sources) < len(SEED_FILES) + SYNTHETIC_FILES:
                sources.append(paths.pop(0))
    for path in sources:
        shutil.copyfile(path, drop / path.name)
    return drop


@pytest.fixture(scope="module")
def both(
    prefect_harness: None, dask_address: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    drop = _drop(tmp_path_factory.mktemp("dask"))
    pool_db, dask_db = drop.parent / "pool.duckdb", drop.parent / "dask.duckdb"
    # OCR off: the scan stands for a rejected file here (with OCR it would become a version of weibin-2023)
    pool = run_ingest(drop, pool_db, workers=2, batch_size=4, ocr=False)
    dask = run_ingest(drop, dask_db, batch_size=3, dask_address=dask_address, ocr=False)
    return {"drop": drop, "pool": (pool, pool_db), "dask": (dask, dask_db)}


def test_subset_has_every_format(both: dict[str, Any]) -> None:
    suffixes = {p.suffix for p in both["drop"].iterdir()}
    assert suffixes == {".pdf", ".docx", ".html", ".txt"}


def test_same_counts(both: dict[str, Any]) -> None:
    pool, dask = both["pool"][0], both["dask"][0]
    for key in ("seen", "parsed", "loaded", "duplicate", "rejected"):
        assert dask[key] == pool[key], key
    scans = [p for p in both["drop"].iterdir() if p.name.endswith(".scanned.pdf")]
    assert dask["rejected"] == len(scans) >= 1  # exactly the scans (no text layer)
    assert dask["loaded"] == len(SEED_FILES) + SYNTHETIC_FILES - len(scans)


def test_dask_run_loads_exactly_the_truth_facts(both: dict[str, Any]) -> None:
    """Not only the same as the pool: right, cell for cell, against each document's truth file."""
    db = both["dask"][1]
    docs = documents_by_name(db)
    loaded = [p for p in sorted(both["drop"].iterdir()) if not p.name.endswith(".scanned.pdf")]
    assert loaded
    for path in loaded:
        assert docs[path.name]["status"] == "loaded", docs[path.name]["reason"]
        assert_facts_match_truth(db, docs[path.name]["report_id"], path)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM facts ORDER BY ALL",
        "SELECT * EXCLUDE (loaded_at) FROM reports ORDER BY report_id",
        "SELECT * FROM checks ORDER BY ALL",
        "SELECT * FROM narratives ORDER BY ALL",
        "SELECT path, sha256, format, status, reason_code, reason, report_id, parser_version "
        "FROM documents ORDER BY path",
    ],
    ids=["facts", "reports", "checks", "narratives", "documents"],
)
def test_same_tables(both: dict[str, Any], sql: str) -> None:
    pool_rows = query(both["pool"][1], sql)
    dask_rows = query(both["dask"][1], sql)
    assert pool_rows, "the pool run loaded nothing to compare"
    assert dask_rows == pool_rows


def test_cli_env_setting_uses_the_cluster_with_one_prefect_server(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str, dask_address: str
) -> None:
    """``XXGK_DASK_ADDRESS`` through the real entry point, with no Prefect server configured: the
    workers must report to the flow's own temporary server, not start one each."""
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    drop.mkdir()
    for name in ("ninghai-2021.txt", "longwan-2023.docx"):
        shutil.copyfile(SEEDS / name, drop / name)
    env = {**cli_env, "XXGK_DASK_ADDRESS": dask_address}
    done = subprocess.run(
        [xxgk_bin, "ingest", str(drop), "--db", str(db), "--progress", "plain", "--verbose"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "Connecting to an existing Dask cluster" in output
    assert output.count("Starting temporary server") == 1
    rows = query(db, "SELECT status, count(*) FROM documents GROUP BY ALL")
    assert rows == [("loaded", 2)]


def test_crashing_and_hanging_files_are_rejected_and_the_others_load(
    prefect_harness: None, dask_address: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that kills its parser process, one that sleeps past the time cap, and one stuck where the
    timer cannot reach it (signals blocked, like C code that never returns): each is rejected with its
    reason on the Dask worker, the batches they share with good files still load those exactly, and the
    cluster's workers survive for the next run."""
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    drop.mkdir()
    good = ["longwan-2023.txt", "ninghai-2021.html", "yinzhou-2023.pdf"]
    for name in good:
        shutil.copyfile(SEEDS / name, drop / name)
    for name in ("boom-crash.txt", "sleepy-hang.txt", "stuck-hang.txt"):
        (drop / name).write_bytes((SEEDS / "weibin-2023.txt").read_bytes() + name.encode())  # distinct bytes
    monkeypatch.setenv("XXGK_FAULT_INJECT", "crash:boom-,hang:sleepy-,stuck:stuck-")
    summary = run_ingest(drop, db, batch_size=2, dask_address=dask_address, file_timeout=3)
    docs = documents_by_name(db)
    assert (docs["boom-crash.txt"]["status"], docs["boom-crash.txt"]["reason_code"]) == (
        "rejected",
        "worker_crashed",
    )
    assert "exit status 70" in docs["boom-crash.txt"]["reason"]
    for name in ("sleepy-hang.txt", "stuck-hang.txt"):
        assert (docs[name]["status"], docs[name]["reason_code"]) == ("rejected", "timeout"), docs[name]
        assert "cap of 3 s" in docs[name]["reason"]
    for name in good:
        assert docs[name]["status"] == "loaded", docs[name]["reason"]
        assert_facts_match_truth(db, docs[name]["report_id"], drop / name)
    assert (summary["loaded"], summary["rejected"]) == (3, 3)
    from distributed import Client

    with Client(dask_address) as client:
        assert len(client.scheduler_info()["workers"]) == 2


def test_a_scan_is_read_by_ocr_on_a_dask_worker(
    prefect_harness: None, dask_address: str, tmp_path: Path
) -> None:
    """OCR runs inside the parsing worker on Dask too, under the same per-file limits (the OCR memory
    allowance included): the committed scan loads there with its OCR pages and provenance, and every
    truth cell is exact or flagged in the warehouse, as tests/test_ocr_ingest.py asserts for the pool."""
    from tests.corpus_index import CORPUS, expected_facts
    from tests.test_ingest import loaded_facts

    scan = CORPUS / "synthetic" / "s0022-huyi-scjgj-2022.scanned.pdf"
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    drop.mkdir()
    shutil.copyfile(scan, drop / scan.name)
    summary = run_ingest(drop, db, dask_address=dask_address)
    assert (summary["loaded"], summary["rejected"], summary["ocr_documents"]) == (1, 0, 1)
    report_id = documents_by_name(db)[scan.name]["report_id"]
    assert query(db, "SELECT ocr_pages FROM reports") == [([1, 2, 3, 4],)]
    provenance = query(db, "SELECT DISTINCT provenance FROM facts WHERE table_id <> 'text'")
    assert provenance == [("ocr",)]
    expected = expected_facts("s0022-huyi-scjgj-2022")
    missing = expected - loaded_facts(db, report_id)
    flagged = query(
        db,
        "SELECT code, party FROM facts WHERE report_id = ? AND state IN ('uncertain', 'imputed')",
        [report_id],
    )
    assert {(c, p) for c, p, _, _ in missing} <= set(flagged)
    assert len(missing) <= 0.005 * len(expected)
