"""The committed test corpus: every document with its truth file (tests/corpus/README.md)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
FORMATS = ("docx", "pdf", "html", "txt")


@cache
def truth(doc_id: str) -> dict:
    for sub in ("seeds", "synthetic"):
        path = CORPUS / sub / f"{doc_id}.truth.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    raise KeyError(doc_id)


def doc_id_of(path: Path) -> str:
    return path.name.split(".")[0]


def documents(*, generations: tuple[str, ...] = ("legacy", "gb2019", "gb2021")) -> list[Path]:
    """Every non-scanned corpus document whose report generation is in ``generations``."""
    out = []
    for sub in ("seeds", "synthetic"):
        for path in sorted((CORPUS / sub).iterdir()):
            if path.name.endswith(".scanned.pdf") or path.suffix.lstrip(".") not in FORMATS:
                continue
            if truth(doc_id_of(path))["metadata"]["generation"] in generations:
                out.append(path)
    return out


def truth_values(doc_id: str) -> dict[tuple[str, str], float | None]:
    """(code, party) → the truth value (None for a blank, dash or n/a cell)."""
    return {(f["code"], f["party"]): f["value"] for f in truth(doc_id)["facts"]}


def expected_facts(doc_id: str) -> set[tuple[str, str, float | None, str]]:
    return {
        (f["code"], f["party"], None if f["value"] is None else float(f["value"]), f["state"])
        for f in truth(doc_id)["facts"]
    }


def as_printed(facts) -> set[tuple[str, str, float | None, str]]:
    """Table facts as the document printed them, comparable with ``expected_facts``.

    Narrative numbers (table_id ``text``) are not table cells, so they are compared elsewhere; an
    ``imputed`` cell was printed blank (or lost), and its filled value is asserted by the check tests.
    """
    out = set()
    for table_id, code, party, value, state in facts:
        if table_id == "text":
            continue
        if state == "imputed":
            value, state = None, "blank"
        out.add((code, party, value, state))
    return out


def truth_of(path: Path) -> dict:
    """The truth file beside a corpus document (``<doc_id>.truth.json``)."""
    return json.loads((path.parent / (path.name.split(".")[0] + ".truth.json")).read_text(encoding="utf-8"))


def number(text: str) -> float | None:
    """A cell's text as a number (whitespace ignored), or None."""
    try:
        return float("".join(text.split()))
    except ValueError:
        return None


def numeric_cells(doc) -> list[float]:
    """Every numeric cell of a document model's tables, in order."""
    return [v for t in doc.tables for row in t.rows for c in row if (v := number(c.text)) is not None]
