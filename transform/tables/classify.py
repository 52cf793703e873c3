"""Which statistical table a document table is (t2 / t3 / t4 / legacy), judged by its labels.

Tables are recognised by what they say, not where they sit: table 2 may be printed as two tables, a
page break may cut table 3 in two, and a legacy 统计表 may hang after the signature as an attachment.
"""

from __future__ import annotations

from extract.model import Table
from transform.labels import fold, norm
from transform.tables.legacy import is_cumulative_header
from transform.vocab import table_words, vocab


def classify(table: Table) -> str | None:
    """The table whose words score highest (at least 2); the marker words are table_words.csv's."""
    v = vocab()
    t2_markers, t4_markers = set(table_words("t2_marker")), set(table_words("t4_marker"))
    legacy_markers, generic = set(table_words("legacy_marker")), set(table_words("generic_column"))
    bands, captions = set(table_words("t3_header_band")), table_words("legacy_caption_part")
    article = table_words("t2_article_prefix")
    scores = {"t2": 0, "t3": 0, "t4": 0, "legacy": 0}
    for row in table.rows:
        for cell in row:
            if not cell.text.strip():
                continue
            folded = fold(cell.text)
            if folded.startswith(article):
                scores["t2"] += 2
                continue
            n = norm(cell.text)
            if (
                n in t2_markers
                or v.canon("t2", "row", n) in v.t2_rows
                or v.canon("t2", "col", n) in v.t2_cols
            ):
                scores["t2"] += 1
            t3 = v.canon("t3", "row", n)
            if t3 in v.t3_levels and t3 not in generic:
                scores["t3"] += 1
            if n in v.parties and n not in generic or n in bands:
                scores["t3"] += 1
            if v.canon("t4", "col", n) in t4_markers:
                scores["t4"] += 1
            if n in legacy_markers or any(w in n for w in captions) or is_cumulative_header(cell.text):
                scores["legacy"] += 2
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 2 else None


def group_tables(tables: list[Table]) -> dict[str, list[Table]]:
    """Class → its table fragments in document order."""
    groups: dict[str, list[Table]] = {}
    for t in tables:
        kind = classify(t)
        if kind:
            groups.setdefault(kind, []).append(t)
    return groups
