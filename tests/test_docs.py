"""Everything is documented: every table, view and column of the live schema has a description, and
docs/dictionary.md is what ``python -m flows.analyst.docs`` writes today."""

from __future__ import annotations

import csv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_dictionary_documents_everything_and_is_up_to_date() -> None:
    from flows.analyst.docs import DOC_PATH, live_schema, render, undocumented

    relations, con = live_schema()
    con.close()
    assert undocumented(relations) == []
    for rel in relations:  # the analyst views document every column themselves
        if rel.source.startswith(("staging/1", "marts/")):
            assert [c.name for c in rel.columns if c.origin not in ("own", "metric_dictionary")] == [], (
                rel.name
            )
    text = render()
    assert DOC_PATH.read_text(encoding="utf-8") == text, (
        "docs/dictionary.md is stale: python -m flows.analyst.docs"
    )
    metrics = list(csv.DictReader((REPO / "transform" / "data" / "metrics.csv").open(encoding="utf-8")))
    assert all(f"| `{m['code']}` |" in text for m in metrics)
