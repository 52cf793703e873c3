"""Which statistical table a document table is (t2 / t3 / t4 / legacy), judged by its labels.

Tables are recognised by what they say, not where they sit: table 2 may be printed as two tables, a
page break may cut table 3 in two, and a legacy 统计表 may hang after the signature as an attachment.
"""

from __future__ import annotations

from extract.model import Table
from transform.labels import fold, norm
from transform.tables.legacy import is_cumulative_header
from transform.vocab import vocab

_T2_MARKERS = {"信息内容"}
_T4_MARKERS = {"行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉", "结果维持", "结果纠正", "尚未审结"}
_LEGACY_MARKERS = {"统计指标", "统计数", "计量单位", "指标名称"}
_GENERIC = {"总计", "其他", "小计"}


def classify(table: Table) -> str | None:
    v = vocab()
    scores = {"t2": 0, "t3": 0, "t4": 0, "legacy": 0}
    for row in table.rows:
        for cell in row:
            if not cell.text.strip():
                continue
            folded = fold(cell.text)
            if folded.startswith("第二十条"):
                scores["t2"] += 2
                continue
            n = norm(cell.text)
            if (
                n in _T2_MARKERS
                or v.canon("t2", "row", n) in v.t2_rows
                or v.canon("t2", "col", n) in v.t2_cols
            ):
                scores["t2"] += 1
            t3 = v.canon("t3", "row", n)
            if t3 in v.t3_levels and t3 not in _GENERIC:
                scores["t3"] += 1
            if n in v.parties and n not in _GENERIC or n in ("申请人情况", "法人或其他组织"):
                scores["t3"] += 1
            if v.canon("t4", "col", n) in _T4_MARKERS:
                scores["t4"] += 1
            if n in _LEGACY_MARKERS or "统计表" in n or is_cumulative_header(cell.text):
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
