"""Acceptance: the whole committed corpus through one real ingest run into a real DuckDB file.

Every document of every format loads exactly its truth facts (code, party, value, state): nothing
missing, nothing extra. Scanned PDFs are rejected for having no text layer. When the shared corpus sits
beside the repository (../shared/corpus, as in CI), its scanned PDFs are added to the same run.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import scanned_documents
from tests.corpus_index import doc_id_of, documents, expected_facts, truth
from tests.test_ingest import loaded_facts, query

DOCS = documents()
SCANNED = scanned_documents()


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_document_loads_exactly_its_truth_facts(corpus_run: dict[str, Any], path: Path) -> None:
    doc = corpus_run["docs"][path.name]
    assert doc["status"] == "loaded", doc["reason"]
    got = loaded_facts(corpus_run["db"], doc["report_id"])
    expected = expected_facts(doc_id_of(path))
    assert sorted(got - expected, key=str) == [], "loaded facts not in the truth file"
    assert sorted(expected - got, key=str) == [], "truth facts not loaded"


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: p.name)
def test_scanned_pdf_without_ocr_is_rejected_for_its_missing_text_layer(
    corpus_run: dict[str, Any], path: Path
) -> None:
    doc = corpus_run["docs"][path.name]  # the corpus run has OCR off (see conftest.corpus_run)
    assert (doc["status"], doc["reason_code"]) == ("rejected", "no_text_layer")
    assert "OCR is switched off" in doc["reason"]


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
