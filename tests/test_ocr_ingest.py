"""The OCR path through a real ingest flow run: scans load with their OCR provenance, --no-ocr rejects
them under a parser version of its own, and the next run with OCR reads them again."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.corpus_index import CORPUS, expected_facts
from tests.test_ingest import documents_by_name, loaded_facts, query, run_ingest

SCAN = CORPUS / "synthetic" / "s0022-huyi-scjgj-2022.scanned.pdf"
TEXT = CORPUS / "seeds" / "yinzhou-2023.docx"


@pytest.fixture(scope="module")
def runs(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("ocr-ingest")
    drop, db = root / "drop", root / "warehouse.duckdb"
    drop.mkdir()
    shutil.copyfile(SCAN, drop / SCAN.name)
    shutil.copyfile(TEXT, drop / TEXT.name)
    off = run_ingest(drop, db, ocr=False)
    off_docs = documents_by_name(db)
    on = run_ingest(drop, db)
    return {"db": db, "off": off, "off_docs": off_docs, "on": on, "docs": documents_by_name(db)}


def test_no_ocr_run_rejects_the_scan_and_says_why(runs: dict[str, Any]) -> None:
    doc = runs["off_docs"][SCAN.name]
    assert (doc["status"], doc["reason_code"]) == ("rejected", "no_text_layer")
    assert "OCR is switched off" in doc["reason"]
    assert doc["parser_version"].endswith("+no-ocr")
    assert (runs["off"]["loaded"], runs["off"]["rejected"], runs["off"]["ocr_documents"]) == (1, 1, 0)


def test_run_with_ocr_reads_the_rejected_scan_again_and_loads_it(runs: dict[str, Any]) -> None:
    s = runs["on"]
    assert (s["parsed"], s["loaded"], s["rejected"], s["unchanged"], s["ocr_documents"]) == (1, 1, 0, 1, 1)
    doc = runs["docs"][SCAN.name]
    assert doc["status"] == "loaded" and not doc["parser_version"].endswith("+no-ocr")
    got = loaded_facts(runs["db"], doc["report_id"])
    expected = expected_facts("s0022-huyi-scjgj-2022")
    missing = expected - got
    # every truth cell not loaded as printed is flagged in the warehouse (uncertain or imputed)
    flagged = query(
        runs["db"],
        "SELECT code, party FROM facts WHERE report_id = ? AND state IN ('uncertain', 'imputed')",
        [doc["report_id"]],
    )
    assert {(c, p) for c, p, _, _ in missing} <= set(flagged)
    assert len(missing) <= 0.005 * len(expected)


def test_reports_show_the_ocr_pages_and_facts_their_provenance(runs: dict[str, Any]) -> None:
    scan_id = runs["docs"][SCAN.name]["report_id"]
    text_id = runs["docs"][TEXT.name]["report_id"]
    pages = dict(query(runs["db"], "SELECT report_id, ocr_pages FROM reports"))
    assert pages == {scan_id: [1, 2, 3, 4], text_id: []}
    rows = query(
        runs["db"],
        "SELECT report_id, provenance, count(*), min(confidence), max(confidence) FROM facts "
        "WHERE table_id <> 'text' GROUP BY ALL ORDER BY ALL",
    )
    by = {(r[0], r[1]): r[2:] for r in rows}
    assert set(by) == {(scan_id, "ocr"), (text_id, "text")}
    assert by[(text_id, "text")][1:] == (None, None)
    low, high = by[(scan_id, "ocr")][1:]
    assert 0.0 <= low <= high <= 1.0
    uncertain = query(
        runs["db"],
        "SELECT count(*) FROM facts WHERE state = 'uncertain' AND (value IS NOT NULL OR provenance <> 'ocr')",
    )
    assert uncertain == [(0,)]


def test_ingest_help_offers_no_ocr() -> None:
    from typer.testing import CliRunner

    from flows.cli.main import app

    out = CliRunner().invoke(app, ["ingest", "--help"], env={"COLUMNS": "200"}).output
    assert "--no-ocr" in out
