"""No silent loss: a document that shows statistics but yields no table fact is never a clean load.

A report whose tables were lost on the way (an image in place of table 三, a table the crawler flattened, a
grid whose labels arrived as mojibake, a page that kept the heading and dropped the table) would otherwise
load as a tidy narrative-only report, and every count it printed would be gone without a trace. The
evidence that statistics were there is read from the document itself:

- a statistics heading (``data/statistics_headings.csv``: 三、收到和处理政府信息公开申请情况, 四、政府信息公开
  行政复议、行政诉讼情况, a …统计表 caption) on a short paragraph of its own, or
- a table the extractor returned that the classifier took for a statistics table, or that prints at least
  ``MIN_NUMBERS`` numbers (a layout table of a portal page prints none or a page number).

When such evidence exists and the tables gave no mapped fact (``unmapped:`` cells alone are no reading of
the table: nothing of it reached a metric), the report gets the hard check ``tables_unread`` (status fail)
and a warning. The narrative and its ``txt_*`` figures still load.
"""

from __future__ import annotations

import re
from functools import cache

from extract.model import Document, Table
from transform.labels import norm
from transform.report import Check, Fact, is_unmapped
from transform.values import parse_value
from transform.vocab import read_rows

TABLES_UNREAD = "tables_unread"
"""rules.csv rule_id (document-level: evaluated here, not by the equation engine)."""
MIN_NUMBERS = 3
"""Numbers a table must print to count as statistics the transform should have read."""
_MAX_HEADING = 40


@cache
def _headings() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(r["pattern"]), r["table"]) for r in read_rows("statistics_headings.csv"))


def statistics_headings(doc: Document) -> list[str]:
    """Short paragraphs that head a statistics table, as printed."""
    out = []
    for p in doc.paragraphs:
        text = p.text.strip()
        if not text or len(text) > _MAX_HEADING:
            continue
        n = norm(text)
        if any(pattern.search(n) for pattern, _ in _headings()):
            out.append(text)
    return out


def _numbers(table: Table) -> int:
    return sum(1 for row in table.rows for c in row if parse_value(c.text).state == "number")


def tables_unread(doc: Document, groups: dict[str, list[Table]], facts: list[Fact]) -> Check | None:
    """The failing ``tables_unread`` check when the document shows statistics and no table was read."""
    if any(f.table_id != "text" and not is_unmapped(f.code) for f in facts):
        return None
    headings = statistics_headings(doc)
    numeric = [t for t in doc.tables if _numbers(t) >= MIN_NUMBERS]
    classified = sorted({t.index for ts in groups.values() for t in ts})
    if not headings and not numeric and not classified:
        return None
    evidence = []
    if headings:
        evidence.append("statistics heading " + ", ".join(repr(h) for h in headings[:3]))
    if classified:
        evidence.append(f"{len(classified)} table(s) classified as statistics ({', '.join(sorted(groups))})")
    if numeric:
        printed = sum(_numbers(t) for t in numeric)
        evidence.append(f"{len(numeric)} table(s) printing {printed} numbers")
    unmapped = sum(1 for f in facts if is_unmapped(f.code))
    lost = "no table cell was read" + (f" ({unmapped} unmapped cell(s) only)" if unmapped else "")
    numbers = float(sum(_numbers(t) for t in doc.tables))
    return Check(
        rule_id=TABLES_UNREAD,
        party="_",
        severity="hard",
        status="fail",
        lhs=numbers,
        rhs=0.0,
        detail=f"{'; '.join(evidence)}; {lost}: the statistics of this report are not loaded",
    )
