"""Legacy 《政府信息公开情况统计表》 (2014–2018): rows of 统计指标 / 单位 / 统计数.

Hierarchy is printed only through numbering and indentation, so rows are matched by their own label
(ordinals, 其中： and bracketed notes removed); the few labels that repeat under different parents
(被依法纠错数 under 行政复议 and 行政诉讼) are told apart by the last top-level row (一、… 九、) seen.
Heading rows (unit ——) carry no value and no code. Values are never written into 2019/2021 codes.
"""

from __future__ import annotations

import re

from extract.model import Table
from transform.labels import fold, norm
from transform.report import Fact
from transform.tables.common import make_fact, printed
from transform.vocab import vocab

_TOP = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_VALUE_HEADERS = ("统计数", "本期实际", "本年度", "数量", "数值")
_UNIT_HEADERS = ("单位", "计量单位")


def _index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for code, m in vocab().metrics.items():
        if m.table != "legacy":
            continue
        path = vocab().legacy_paths.get(code)
        if path:
            out.setdefault(path[-1], []).append((path, code))
    return out


def map_legacy(tables: list[Table], warnings: list[str]) -> tuple[list[Fact], str | None]:
    index = _index()
    facts: dict[str, Fact] = {}
    for table in tables:
        label_col, unit_col, value_col = 0, None, None
        top = ""
        for row in table.rows:
            texts = [fold(c.text) for c in row]
            if value_col is None:
                for i, t in enumerate(texts):
                    if any(t.startswith(h) for h in _VALUE_HEADERS):
                        value_col = i
                    elif t in _UNIT_HEADERS:
                        unit_col = i
                if value_col is not None:
                    continue
            if not row or not row[label_col].text.strip():
                continue
            label_cell = row[label_col]
            if _TOP.match(fold(label_cell.text)):
                top = norm(label_cell.text)
            vi = value_col if value_col is not None and value_col < len(row) else len(row) - 1
            if vi <= label_col:
                continue
            unit = fold(row[unit_col].text) if unit_col is not None and unit_col < len(row) else ""
            candidates = index.get(norm(label_cell.text), [])
            if len(candidates) > 1:
                candidates = [c for c in candidates if c[0][0] == top] or candidates[:0]
            if not candidates:
                if unit not in ("--", "-", "") and row[vi].text.strip() not in ("",):
                    warnings.append(f"legacy table: unknown row {printed(label_cell.text)!r} skipped")
                continue
            path, code = candidates[0]
            raw = printed(label_cell.text)
            if code not in facts:
                facts[code] = make_fact("legacy", code, "_", row[vi], table, raw, "legacy")
    return list(facts.values()), ("legacy" if facts else None)



