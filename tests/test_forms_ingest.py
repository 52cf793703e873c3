"""The derived forms through the real ingest: a Prefect flow run, worker processes, a DuckDB file.

An HTML fragment (GBK bytes, no charset, no title), the same kind of fragment saved as ``.txt``, the
report HTML inside a JSON response and a Markdown file (flattened header, wrapped label rows) each load
with exactly their truth facts, under the format their content has.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.corpus_index import truth
from tests.test_ingest import assert_facts_match_truth, copy, documents_by_name, query, run_ingest

FORMS = Path(__file__).parent / "fixtures" / "forms"

DROP = {
    # name in the drop dir → (derived file, format the content has)
    "crawl/yinzhou-2018.html": (FORMS / "fragment" / "yinzhou-2018.html", "html"),
    "crawl/s0003-jianye-scjgj-2021.txt": (FORMS / "fragment" / "s0003-jianye-scjgj-2021.html", "html"),
    "api/s0005-binjiang-wjj-2024.html": (FORMS / "jsstring" / "s0005-binjiang-wjj-2024.html", "html"),
    "pdf2md/weibin-2023.md": (FORMS / "markdown" / "weibin-2023.flat.md", "md"),
    "pdf2md/longwan-2023.md": (FORMS / "markdown" / "longwan-2023.split.md", "md"),
}


@pytest.fixture(scope="module")
def loaded(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("forms")
    drop, db = root / "drop", root / "warehouse.duckdb"
    for name, (src, _) in DROP.items():
        copy(src, drop / name)
    summary = run_ingest(drop, db)
    yield {"db": db, "summary": summary}


@pytest.mark.slow
def test_every_form_loads(loaded: dict[str, Any]) -> None:
    s = loaded["summary"]
    assert (s["loaded"], s["rejected"], s["duplicate"]) == (len(DROP), 0, 0)
    docs = documents_by_name(loaded["db"])
    assert {name: docs[Path(name).name]["format"] for name in DROP} == {n: f for n, (_, f) in DROP.items()}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DROP))
def test_loaded_facts_equal_truth(loaded: dict[str, Any], name: str) -> None:
    doc = documents_by_name(loaded["db"])[Path(name).name]
    assert doc["status"] == "loaded", doc["reason"]
    assert_facts_match_truth(loaded["db"], doc["report_id"], DROP[name][0])
    meta = truth(DROP[name][0].name.split(".")[0])["metadata"]
    year, narrative_only, sections = query(
        loaded["db"],
        "SELECT year, narrative_only, (SELECT count(*) FROM narratives n WHERE n.report_id = r.report_id) "
        "FROM reports r WHERE report_id = ?",
        [doc["report_id"]],
    )[0]
    assert (year, narrative_only) == (meta["year"], False)
    assert sections >= 6  # the six parts of the narrative
