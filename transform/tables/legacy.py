"""Legacy 《政府信息公开情况统计表》 (2014–2018): rows of 统计指标 / 单位 / 统计数.

Hierarchy is printed only through numbering and indentation, so rows are matched by their own label
(ordinals, 其中： and bracketed notes removed); the few labels that repeat under different parents
(被依法纠错数 under 行政复议 and 行政诉讼) are told apart by the last top-level row (一、… 九、) seen.
Heading rows (unit ——) carry no value and no code. Values are never written into 2019/2021 codes.

Pre-2014 local forms (LP: the "Shanghai-model" 指标名称 · 计量单位 · 代码 · 本期实际 · 本年累计 form and the
莆田-style 指标名称 · 计量单位 · 2009年度 · 历年累计 form) are recognised by their header words and read with
the labels of ``data/legacy_variants.csv``: short channel and reason labels (当面, 信息不存在) mean
different things under different parents, so a variant row may name the group row it must sit under
(its ``context``), tracked as the chain of group rows above. Every value column becomes a fact of the
same code, told apart by ``party``: ``_`` for the period, ``ytd`` (本年累计) or ``cumulative`` (历年累计).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from extract.model import Cell, Table
from transform.labels import fold, norm
from transform.report import Fact
from transform.tables.common import make_fact, printed
from transform.vocab import read_rows, vocab

_TOP = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_NUMERAL = re.compile(r"^[一二三四五六七八九十]+")
_CLOSE = 0.85
"""A label not in the dictionary matches the one known label this similar (difflib ratio), if any: a
glyph lost or misread by OCR (五行政诉讼数量 for 五、行政诉讼数量) must not lose the row."""


def _closest(label: str, known: list[str]) -> str | None:
    if len(label) <= 3:
        return None
    close = difflib.get_close_matches(label, known, n=1, cutoff=_CLOSE)
    return close[0] if close else None


def _top_of(text: str, tops: list[str]) -> str | None:
    """The top-level row (一、… 九、) a label starts, also when its 、 was lost."""
    folded = fold(text)
    if _TOP.match(folded):
        return norm(text)
    m = _NUMERAL.match(folded)
    if m and len(folded) > m.end():
        rest = norm(folded[m.end() :])
        return rest if rest in tops else _closest(rest, tops)
    return None


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
    known = sorted(index)
    tops = sorted({path[0] for entries in index.values() for path, _ in entries})
    facts: dict[str, Fact] = {}
    for table in tables:
        if _is_lp(table):
            for fact in _map_lp(table, index, warnings):
                facts.setdefault(f"{fact.code}|{fact.party}", fact)
            continue
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
            top = _top_of(label_cell.text, tops) or top
            vi = value_col if value_col is not None and value_col < len(row) else len(row) - 1
            if vi <= label_col:
                continue
            unit = fold(row[unit_col].text) if unit_col is not None and unit_col < len(row) else ""
            label = norm(label_cell.text)
            if label not in index:
                label = _closest(label, known) or label
            candidates = index.get(label, [])
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


# --- LP local forms ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Variants:
    markers: frozenset[str]
    columns: tuple[tuple[re.Pattern[str], str], ...]
    """(header pattern, party) in file order: the period column first."""
    rows: dict[str, list[tuple[str, str]]]
    """normalised label → [(code, required group code or '')]."""
    groups: frozenset[str]
    """codes that other rows name as their context."""


@cache
def _variants() -> _Variants:
    data = read_rows("legacy_variants.csv")
    rows: dict[str, list[tuple[str, str]]] = {}
    for r in data:
        if r["kind"] == "row":
            rows.setdefault(norm(r["label"]), []).append((r["target"], r["context"]))
    return _Variants(
        markers=frozenset(norm(r["label"]) for r in data if r["kind"] == "marker"),
        columns=tuple((re.compile(r["label"]), r["target"]) for r in data if r["kind"] == "column"),
        rows=rows,
        groups=frozenset(r["context"] for r in data if r["kind"] == "row" and r["context"]),
    )


def _party_of(text: str) -> str | None:
    folded = norm(text)
    for pattern, party in _variants().columns:
        if pattern.fullmatch(folded):
            return party
    return None


def _is_lp(table: Table) -> bool:
    """Header words of an LP form: 指标名称 / 代码, or a cumulative value column."""
    for row in table.rows[:4]:
        for cell in row:
            n = norm(cell.text)
            if n in _variants().markers or _party_of(cell.text) in ("ytd", "cumulative"):
                return True
    return False


def _map_lp(table: Table, index: dict, warnings: list[str]) -> list[Fact]:
    v = _variants()
    value_cols: list[tuple[int, str]] = []
    """(grid column for exact grids, offset from the row end otherwise; party)."""
    chain: list[str] = []
    out: list[Fact] = []
    for row in table.rows:
        if not any(c.text.strip() for c in row):
            continue
        if not out and any(_party_of(c.text) for c in row):  # a header row: where the values are
            for i, c in enumerate(row):
                party = _party_of(c.text)
                if party and party not in {p for _, p in value_cols}:
                    value_cols.append((c.col if table.grid == "exact" else i - len(row), party))
            continue
        if not value_cols:
            continue
        label_cell = row[0]
        code = _lp_code(norm(label_cell.text), chain, index)
        if code is None:
            if any(
                _cell_at(table, row, col) is not None and _cell_at(table, row, col).text.strip()
                for col, _ in value_cols
            ):
                warnings.append(f"legacy table: unknown row {printed(label_cell.text)!r} skipped")
            continue
        _follow(chain, code, v)
        for col, party in value_cols:
            cell = _cell_at(table, row, col)
            if cell is None and len(row) < 2:
                continue
            out.append(make_fact("legacy", code, party, cell, table, printed(label_cell.text), "legacy"))
    return out


def _cell_at(table: Table, row: list[Cell], col: int) -> Cell | None:
    """The value cell of a column: by grid column on exact grids, counted from the row end otherwise
    (values close every row; labels may wrap or lose cells on the left)."""
    if table.grid == "exact":
        return next((c for c in row if c.col == col), None)
    return row[col] if -len(row) <= col < 0 and len(row) > 1 else None


def _lp_code(label: str, chain: list[str], index: dict) -> str | None:
    candidates = _variants().rows.get(label, [])
    inside = [code for code, ctx in candidates if ctx and ctx in chain]
    if inside:  # the deepest group wins: (2)信息不存在 under 否决, not a reply category
        return max(inside, key=lambda code: chain.index(dict(candidates)[code]))
    free = [code for code, ctx in candidates if not ctx]
    if free:
        return free[0]
    l16 = index.get(label, [])
    return l16[0][1] if len(l16) == 1 else None


def _follow(chain: list[str], code: str, v: _Variants) -> None:
    """Keep the chain of enclosing group rows: a group opens under its own context, a top-level row
    (one that needs no context) closes every open group."""
    contexts = [ctx for c, ctx in (pair for pairs in v.rows.values() for pair in pairs) if c == code]
    parent = next((ctx for ctx in contexts if ctx in chain), "")
    if parent:
        del chain[chain.index(parent) + 1 :]
    elif not any(contexts):
        chain.clear()
    if code in v.groups:
        chain.append(code)
