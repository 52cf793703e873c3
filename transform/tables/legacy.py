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
The provincial 2008-2013 forms (a ``<year>年度`` column beside 历年累计, or the national header over their own
rows) are read the same way; their context-free variant labels also resolve under the national header.

A row neither dictionary knows that prints a number is loaded under ``unmapped:`` + its label path (the last
numbered part heading, the open group rows, the row itself; see ``transform.tables.common.label_key``), every
value column of it, with a warning: a printed number is never dropped.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from extract.model import Cell, Table
from transform.labels import fold, norm
from transform.report import Fact
from transform.tables.common import (
    UnmappedKeys,
    label_key,
    make_fact,
    make_unmapped_fact,
    printed,
    prints_value,
)
from transform.values import parse_value
from transform.vocab import read_rows, table_words, vocab

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
    keys = UnmappedKeys()
    for table in tables:
        if _is_lp(table):
            for fact in _map_lp(table, index, warnings, keys):
                facts.setdefault(f"{fact.code}|{fact.party}", fact)
            continue
        label_col, unit_col, value_col = 0, None, None
        heads: dict[str, Cell] = {}
        top = top_norm = ""
        for row in table.rows:
            texts = [fold(c.text) for c in row]
            if value_col is None:
                for i, t in enumerate(texts):
                    if t.startswith(table_words("legacy_value_header")):
                        value_col = i
                        heads["value"] = row[i]
                    elif t in table_words("legacy_unit_header"):
                        unit_col = i
                        heads["unit"] = row[i]
                if value_col is not None:
                    continue
            if not row or not row[label_col].text.strip():
                continue
            label_cell = row[label_col]
            # the top-level row (一、… 九、) a label starts, also when OCR lost its 、 or a glyph
            top_key = _top_of(label_cell.text, tops)
            is_top = top_key is not None
            if is_top:
                top, top_norm = label_cell.text, top_key
            value_cell: Cell | None
            if table.grid == "aligned" and "value" in heads:
                # space-aligned text: the value closes the row, the unit sits right before it; a row
                # whose value cell is empty ends with its unit (positions shift from page to page)
                rest = row[1:]
                last = rest[-1] if rest else None
                if last is not None and parse_value(last.text).state in ("number", "dash"):
                    value_cell, unit_cell = last, (rest[-2] if len(rest) >= 2 else None)
                else:
                    value_cell, unit_cell = None, last
                unit = fold(unit_cell.text) if unit_cell is not None else ""
                if value_cell is None and unit in ("", "--", "-", "——"):
                    continue
            else:
                vi = value_col if value_col is not None and value_col < len(row) else len(row) - 1
                if vi <= label_col:
                    continue
                value_cell = row[vi]
                unit = fold(row[unit_col].text) if unit_col is not None and unit_col < len(row) else ""
            label = norm(label_cell.text)
            if label not in index:
                label = _closest(label, known) or label
            candidates = index.get(label, [])
            if len(candidates) > 1:
                candidates = [c for c in candidates if c[0][0] == top_norm] or candidates[:0]
            code = candidates[0][1] if candidates else _free_variant(label)
            raw = printed(label_cell.text)
            if code is None:
                if value_cell is not None and prints_value(value_cell):
                    path = [label_cell.text] if is_top or not top else [top, label_cell.text]
                    code = keys.claim(label_key(path))
                    facts[code] = make_unmapped_fact(
                        "legacy",
                        code,
                        "_",
                        value_cell,
                        table,
                        " > ".join(printed(t) for t in path),
                        "legacy",
                        "" if unit in ("--", "-") else unit,
                    )
                    warnings.append(f"legacy table: row {raw!r} is not in the dictionary: loaded as {code!r}")
                continue
            if code not in facts:
                facts[code] = make_fact("legacy", code, "_", value_cell, table, raw, "legacy")
    return list(facts.values()), ("legacy" if facts else None)


def _free_variant(label: str) -> str | None:
    """A variant label of legacy_variants.csv that needs no enclosing group row (provincial forms print
    their own wording under the national 统计指标 · 单位 · 统计数 header too)."""
    free = [code for code, ctx in _variants().rows.get(label, []) if not ctx]
    return free[0] if free else None


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
    non_value: frozenset[str]
    """header words of columns that hold no value (label, unit, row code, notes): their numbers are not facts."""


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
        non_value=frozenset(norm(r["label"]) for r in data if r["kind"] in ("marker", "non_value")),
    )


def _party_of(text: str) -> str | None:
    folded = norm(text)
    for pattern, party in _variants().columns:
        if pattern.fullmatch(folded):
            return party
    return None


def is_cumulative_header(text: str) -> bool:
    """本年累计 / 历年累计 (legacy_variants.csv columns of party ytd / cumulative): only the local legacy forms
    head a value column so, which tells a 统计表 whose label column is headed 项目 rather than 指标名称."""
    return _party_of(text) in ("ytd", "cumulative")


def _is_lp(table: Table) -> bool:
    """Header words of an LP form: 指标名称 / 代码, or a cumulative value column."""
    for row in table.rows[:4]:
        for cell in row:
            n = norm(cell.text)
            if n in _variants().markers or is_cumulative_header(cell.text):
                return True
    return False


def _map_lp(table: Table, index: dict, warnings: list[str], keys: UnmappedKeys) -> list[Fact]:
    v = _variants()
    value_cols: list[tuple[int, str]] = []
    """(grid column for exact grids, offset from the row end otherwise; party)."""
    extra_cols: list[tuple[int, str]] = []
    """(column as in value_cols; header as printed) of value columns without a party."""
    chain: list[str] = []
    labels: dict[str, str] = {}
    """group code → its label as printed last (the parents of an unmapped row, as printed)."""
    top = ""
    out: list[Fact] = []
    for row in table.rows:
        if not any(c.text.strip() for c in row):
            continue
        if not out and any(_party_of(c.text) for c in row):  # a header row: where the values are
            for i, c in enumerate(row):
                where = c.col if table.grid == "exact" else i - len(row)
                party = _party_of(c.text)
                if party and party not in {p for _, p in value_cols}:
                    value_cols.append((where, party))
                elif i > 0 and c.text.strip() and norm(c.text) not in v.non_value:
                    # a value column the dictionary has no party for (上年度, a second year, 同比): its
                    # numbers load unmapped, under the row's path and the column's header
                    extra_cols.append((where, c.text))
            continue
        if not value_cols:
            continue
        label_cell = row[0]
        code = _lp_code(norm(label_cell.text), chain, index)
        cells = [(_cell_at(table, row, col), party) for col, party in value_cols]
        is_top = bool(_TOP.match(fold(label_cell.text)))
        if code is None:
            if is_top:  # a numbered top-level heading closes every open group
                chain.clear()
                top = label_cell.text
            path = [top] if top and not is_top else []
            path += [labels[c] for c in chain] + [label_cell.text]
            out.extend(_extra_columns(table, row, path, extra_cols, value_cols, keys, warnings))
            if any(prints_value(cell) for cell, _ in cells):
                ucode = keys.claim(label_key(path))
                raw = " > ".join(printed(t) for t in path)
                unit = _unit_of(row, value_cols, table)
                out.extend(
                    make_unmapped_fact("legacy", ucode, party, cell, table, raw, "legacy", unit)
                    for cell, party in cells
                    if cell is not None or len(row) >= 2
                )
                warnings.append(
                    f"legacy table: row {printed(label_cell.text)!r} is not in the dictionary: loaded as {ucode!r}"
                )
            continue
        _follow(chain, code, v)
        if is_top:
            top = ""  # a known numbered row opens a new part; as a group it is in the chain
        if code in v.groups:
            labels[code] = label_cell.text
        path = ([top] if top else []) + [labels[c] for c in chain if c != code] + [label_cell.text]
        out.extend(_extra_columns(table, row, path, extra_cols, value_cols, keys, warnings))
        for cell, party in cells:
            if cell is None and len(row) < 2:
                continue
            out.append(make_fact("legacy", code, party, cell, table, printed(label_cell.text), "legacy"))
    return out


def _extra_columns(
    table: Table,
    row: list[Cell],
    path: list[str],
    extra_cols: list[tuple[int, str]],
    value_cols: list[tuple[int, str]],
    keys: UnmappedKeys,
    warnings: list[str],
) -> list[Fact]:
    """The numbers a row prints in value columns the dictionary has no party for, unmapped under the row's
    path and the column's header (``… > 2009年度``), party ``_`` (the code already names the column)."""
    out = []
    for col, head in extra_cols:
        cell = _cell_at(table, row, col)
        if not prints_value(cell):
            continue
        code = keys.claim(label_key([*path, head]))
        raw = " > ".join(printed(t) for t in [*path, head])
        out.append(
            make_unmapped_fact(
                "legacy", code, "_", cell, table, raw, "legacy", _unit_of(row, value_cols, table)
            )
        )
        warnings.append(
            f"legacy table: column {printed(head)!r} has no party in the dictionary: loaded as {code!r}"
        )
    return out


def _unit_of(row: list[Cell], value_cols: list[tuple[int, str]], table: Table) -> str:
    """The printed unit of a row (the second cell, before the first value column), or '' when the form
    prints none there or prints a dash."""
    first = min(col for col, _ in value_cols)
    if table.grid == "exact":
        cells = [c for c in row[1:] if c.col < first]
    else:
        cells = row[1 : len(row) + first]
    for c in cells:
        t = fold(c.text)
        if t and not t.isdigit() and parse_value(t).state == "na_text":
            return t
    return ""


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
