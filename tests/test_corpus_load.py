"""Acceptance: the whole committed corpus through one real ingest run into a real DuckDB file.

Every document of every format loads exactly its truth facts (code, party, value, state): nothing
missing, nothing extra. Scanned PDFs are rejected for having no text layer. When the shared corpus sits
beside the repository (../shared/corpus, as in CI), its scanned PDFs are added to the same run.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.corpus_index import CORPUS, doc_id_of, documents, expected_facts, truth
from tests.test_ingest import documents_by_name, loaded_facts, query, run_ingest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
DOCS = documents()


def _scanned() -> list[Path]:
    found = {p.name: p for p in CORPUS.rglob("*.scanned.pdf")}
    if SHARED.is_dir():
        found.update({p.name: p for p in SHARED.rglob("*.scanned.pdf")})
    return sorted(found.values())


SCANNED = _scanned()


@pytest.fixture(scope="module")
def corpus_run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("corpus")
    drop, db = root / "drop", root / "warehouse.duckdb"
    for path in [*DOCS, *SCANNED]:
        dst = drop / path.parent.name / path.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dst)
    summary = run_ingest(drop, db)
    return {"db": db, "summary": summary, "docs": documents_by_name(db)}


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_document_loads_exactly_its_truth_facts(corpus_run: dict[str, Any], path: Path) -> None:
    doc = corpus_run["docs"][path.name]
    assert doc["status"] == "loaded", doc["reason"]
    got = loaded_facts(corpus_run["db"], doc["report_id"])
    expected = expected_facts(doc_id_of(path))
    assert sorted(got - expected, key=str) == [], "loaded facts not in the truth file"
    assert sorted(expected - got, key=str) == [], "truth facts not loaded"


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: p.name)
def test_scanned_pdf_is_rejected_for_its_missing_text_layer(corpus_run: dict[str, Any], path: Path) -> None:
    doc = corpus_run["docs"][path.name]
    assert (doc["status"], doc["reason_code"]) == ("rejected", "no_text_layer")
    assert "OCR" in doc["reason"]


def test_cell_accuracy_per_format_is_total(corpus_run: dict[str, Any]) -> None:
    """Per format: truth cells reproduced / truth cells (the figure quoted in the closing note)."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for path in DOCS:
        fmt = path.suffix.lstrip(".")
        doc = corpus_run["docs"][path.name]
        got = loaded_facts(corpus_run["db"], doc["report_id"]) if doc["report_id"] else set()
        expected = expected_facts(doc_id_of(path))
        right[fmt] += len(got & expected)
        total[fmt] += len(expected)
    accuracy = {fmt: right[fmt] / total[fmt] for fmt in total}
    print("cell accuracy per format:", {f: f"{right[f]}/{total[f]}" for f in sorted(total)})
    assert accuracy == {fmt: 1.0 for fmt in total}


def test_every_report_has_its_year_and_generations(corpus_run: dict[str, Any]) -> None:
    rows = query(corpus_run["db"], "SELECT source_path, year, gen_t3, gen_legacy FROM reports")
    assert len(rows) == len(DOCS)
    for source_path, year, gen_t3, gen_legacy in rows:
        meta = truth(doc_id_of(Path(source_path)))["metadata"]
        assert year == meta["year"]
        if meta["generation"] == "legacy":
            assert (gen_t3, gen_legacy) == (None, "legacy")
        else:
            assert gen_t3 == meta["table3_variant"].replace("gb20", "g")
