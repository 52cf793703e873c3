"""Table 2 (主动公开政府信息情况): 第二十条 blocks of 信息内容 × column headers.

Row labels are unique across the blocks (规章, 行政许可, 行政事业性收费 …), so a cell is identified by
(row label, column header) alone; the block caption is kept only as provenance. This survives captions
printed outside the table and table 2 split into several tables.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

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
from transform.tables.grid import header_at, under
from transform.values import parse_value
from transform.vocab import Vocab, vocab


def _resolve(v: Vocab, kind: str, text: str, known: set[str], warnings: list[str]) -> str | None:
    label = v.canon("t2", kind, text)
    if label in known:
        return label
    close = _closest(label, kind)
    if close:
        warnings.append(f"table 2: {kind} label {printed(text)!r} read as {close!r}")
        return close
    return None


@lru_cache(maxsize=4096)
def _closest(label: str, kind: str) -> str | None:
    """The official row/column label a misprinted one is closest to. Cached: fuzzy matching against
    every official label is the costly part of reading table 2, and the same misprints recur."""
    v = vocab()
    known = v.t2_rows if kind == "row" else v.t2_cols
    close = difflib.get_close_matches(label, sorted(known), n=1, cutoff=0.8)
    return close[0] if close else None


def map_t2(tables: list[Table], warnings: list[str]) -> tuple[list[Fact], str | None]:
    v = vocab()
    cells: dict[str, tuple[Cell | None, Table, str]] = {}
    unmapped: list[Fact] = []
    keys = UnmappedKeys()
    gens: set[str] = set()
    block = ""
    for table in tables:
        header: dict[int, tuple[Cell, bool]] | None = None
        header_cells: list[Cell] = []
        for row in table.rows:
            filled = [c for c in row if c.text.strip()]
            if not filled:
                continue
            if fold(filled[0].text).startswith("第二十条"):
                block = printed(filled[0].text)
                if len(filled) == 1:
                    header = None
                    continue
                row = [c for c in row if c is not filled[0]]
                filled = filled[1:]
            if norm(filled[0].text) == "信息内容":
                header = header_at(row, table.grid)
                header_cells = list(row)
                for col_cell in filled[1:]:
                    col = _resolve(v, "col", col_cell.text, v.t2_cols, warnings)
                    if col:
                        gens |= v.t2_col_gens[col]
                continue
            if header is None:
                continue
            label_cell = filled[0]
            row_label = _resolve(v, "row", label_cell.text, v.t2_rows, warnings)
            row_cells = []
            for cell in row:
                if cell is label_cell or cell.col < label_cell.col:
                    continue
                if table.grid == "aligned":
                    # as many values as value columns: in order (a page break moves the columns);
                    # fewer: under the header cell they sit beneath
                    heads = [h for h in header_cells[1:] if h.text.strip()]
                    vals = [c for c in row if c.col > label_cell.col and c is not label_cell]
                    if len(vals) == len(heads) and cell in vals:
                        head_cell = heads[vals.index(cell)]
                    else:
                        head_cell = under(header_cells, cell)
                    slot = (head_cell, True) if head_cell is not None else None
                else:
                    slot = header.get(cell.col)
                if slot is None:
                    continue
                head, anchor = slot
                if not anchor and not cell.text.strip():
                    continue  # the spanned remainder of a merged value cell
                if norm(head.text) != "信息内容":
                    row_cells.append((cell, head))
            if row_label is None:
                # a row the dictionary does not know: every value cell loads under an unmapped code
                if any(prints_value(c) for c, _ in row_cells):
                    new = [_unmapped(keys, cell, table, label_cell, head, block) for cell, head in row_cells]
                    unmapped.extend(new)
                    warnings.append(
                        f"table 2: row {printed(label_cell.text)!r} is not in the dictionary: loaded as "
                        + ", ".join(repr(f.code) for f in new)
                    )
                continue
            for cell, head in row_cells:
                col = _resolve(v, "col", head.text, v.t2_cols, warnings)
                code = v.t2_cells.get((row_label, col)) if col else None
                if code is None:
                    if prints_value(cell):
                        fact = _unmapped(keys, cell, table, label_cell, head, block)
                        unmapped.append(fact)
                        warnings.append(
                            f"table 2: no code for {printed(label_cell.text)} > {printed(head.text)}: "
                            f"loaded as {fact.code!r}"
                        )
                    continue
                raw = " > ".join(x for x in (block, printed(label_cell.text), printed(head.text)) if x)
                prev = cells.get(code)
                if prev is None or (prev[0] is not None and parse_value(prev[0].text).state == "blank"):
                    cells[code] = (cell, table, raw)
    generation = "g21" if "g21" in gens else ("g19" if gens else None)
    facts = [
        make_fact("t2", code, "_", cell, table, raw, generation or "")
        for code, (cell, table, raw) in cells.items()
    ]
    for fact in unmapped:
        fact.generation = generation or ""
    return [*facts, *unmapped], generation


def _unmapped(keys: UnmappedKeys, cell: Cell, table: Table, label_cell: Cell, head: Cell, block: str) -> Fact:
    """A cell of table 2 the dictionary has no code for, keyed like every table-2 cell by (row label, column
    header) alone: the block caption is provenance only (it may be printed outside the table)."""
    code = keys.claim(label_key([label_cell.text, head.text]))
    raw = " > ".join(x for x in (block, printed(label_cell.text), printed(head.text)) if x)
    return make_unmapped_fact("t2", code, "_", cell, table, raw, "")
