"""Grid helpers shared by the table mappers: header flattening and column alignment.

Sources disagree on how much of the grid they know (``Table.grid``). The mappers therefore never trust
raw positions alone: column headers are reconstructed from their *words* with the header tree of
header_trees.csv, and values are aligned to those leaves by grid column when the grid is exact, or from
the right (values always sit at the end of a row) when it is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from extract.model import Cell, Table
from transform.values import NA_TEXT, parse_value


@dataclass(slots=True)
class Leaf:
    path: tuple[str, ...]
    """Canonical header path (group … leaf)."""
    printed: tuple[str, ...]
    """The same path as printed."""
    cell: Cell


def flatten_header(rows: list[list[tuple[str, Cell]]], tree: dict[str, list[str]]) -> list[Leaf]:
    """Turn nested header rows into the ordered list of leaf columns.

    ``rows`` hold (canonical label, cell) tokens per header row, in reading order, unknown words removed.
    A group token expands into the run of its children found at the cursor of the first lower row that
    continues it; this reproduces the column order whatever the row/column spans were (the spans are
    lost in plain-text sources, and a few reports move header cells between rows).
    """
    cursors = [0] * len(rows)

    def expand(r: int, label: str, cell: Cell, prefix: tuple, printed: tuple) -> list[Leaf]:
        children = tree.get(label)
        path, ppath = prefix + (label,), printed + (cell.text,)
        if not children:
            return [Leaf(path, ppath, cell)]
        for rr in range(r + 1, len(rows)):
            if cursors[rr] < len(rows[rr]) and rows[rr][cursors[rr]][0] in children:
                out: list[Leaf] = []
                taken: set[str] = set()
                while cursors[rr] < len(rows[rr]):
                    child, ccell = rows[rr][cursors[rr]]
                    if child not in children or child in taken:
                        break  # the next group's children start here
                    taken.add(child)
                    cursors[rr] += 1
                    out.extend(expand(rr, child, ccell, path, ppath))
                return out
        return [Leaf(path, ppath, cell)]  # a group printed without its children: keep it as a leaf

    roots = set(tree.get("", []))
    leaves: list[Leaf] = []
    for r, row in enumerate(rows):
        while cursors[r] < len(row):
            label, cell = row[cursors[r]]
            cursors[r] += 1
            if label and (label in roots or label in tree):
                leaves.extend(expand(r, label, cell, (), ()))
    return leaves


def align_values(table: Table, row: list[Cell], leaves: list[Leaf]) -> tuple[list[Cell | None], list[Cell]]:
    """Pick the value cell of each leaf in ``row``; return (values per leaf, remaining label cells).

    Exact grids align on the grid column of each leaf; other grids align from the right. A value that
    cannot be placed is ``None`` (never guessed).
    """
    k = len(leaves)
    if table.grid == "exact":
        by_col = {c.col: c for c in row}
        cols = [leaf.cell.col for leaf in leaves]
        if len(set(cols)) == k and all(col in by_col for col in cols):
            first = min(cols)
            return [by_col[col] for col in cols], [c for c in row if c.col < first]
    row = _without_trailing_spacers(row, k)
    values = list(row[-k:])
    if len(row) < k or any(_is_label(c.text) for c in values):
        return [None] * k, list(row)  # fewer value cells than columns: which one is lost is unknown
    return values, list(row[:-k])


def _without_trailing_spacers(row: list[Cell], k: int) -> list[Cell]:
    """A text row that ends in empty cells after exactly ``k`` printed values right of its label (or of the
    empty cells a label spans; a TAB closing the line, a cell-per-line export's spacer) has those trailing
    empties as layout, not as columns: aligning from the right would push the first printed value into the
    label and read a blank 总计.
    A row whose last column is really blank prints fewer than ``k`` values there and is left as it is."""
    end = len(row)
    while end > 0 and not row[end - 1].text.strip():
        end -= 1
    if end == len(row) or end < k + 1:
        return row
    run = row[end - k : end]
    before = row[end - k - 1].text
    spans_label = _is_label(before) or not before.strip()
    if spans_label and all(c.text.strip() and not _is_label(c.text) for c in run):
        return row[:end]
    return row


def align_short_row(row: list[Cell], leaves: list[Leaf]) -> tuple[list[Cell | None], list[Cell]] | None:
    """A row that prints exactly one value fewer than there are columns: the printed values fill the
    first columns in order and the last column's cell is taken as the lost one (``None``).

    Lost cells fall off the end of a row (a page-split fragment narrower than the table, a copy that cut
    the last column); a cell lost in the middle would shift every value after it, which the values alone
    cannot tell. The caller says so in a warning. Only a run of exactly ``len(leaves) - 1`` non-empty
    values right after the row's label cells qualifies: anything else stays unplaced.
    """
    k = len(leaves)
    run = 0
    for cell in reversed(row):
        if _is_label(cell.text):
            break
        run += 1
    if k < 2 or run != k - 1 or run == len(row):
        return None
    values: list[Cell | None] = list(row[len(row) - run :])
    if any(not c.text.strip() for c in values if c is not None):
        return None
    return [*values, None], list(row[: len(row) - run])


def _is_label(text: str) -> bool:
    return parse_value(text).state == "na_text" and text.strip() not in NA_TEXT


def under(header: list[Cell], cell: Cell) -> Cell | None:
    """``aligned`` grids: the header cell a value cell sits under, by character columns (the header cell
    whose centre is nearest the value's; the first header cell heads the labels, never a value)."""
    heads = [h for h in header[1:] if h.text.strip()]
    if not heads:
        return None

    def centre(c: Cell) -> float:
        return c.col + (len(c.text) - 1) / 2

    return min(heads, key=lambda h: abs(centre(h) - centre(cell)))


def aligned_leaves(tokens: list[tuple[str, Cell]], tree: dict[str, list[str]]) -> list[Leaf]:
    """``aligned`` grids: the leaf columns are the leaf words of the header, left to right by character
    column, each under the path the header tree gives it. The lines a header's words sit on say nothing
    about nesting in space-aligned text (a wrapped group cell can print below its children), so the
    nesting comes from the tree and the order from the columns."""
    parent = {child: p for p, children in tree.items() for child in children}
    leaves: list[Leaf] = []
    seen: set[str] = set()
    for label, cell in sorted(tokens, key=lambda t: t[1].col):
        if label in tree or label in seen:
            continue
        seen.add(label)
        path = [label]
        while path[0] in parent and parent[path[0]] and len(path) < 5:
            path.insert(0, parent[path[0]])
        leaves.append(Leaf(tuple(path), (cell.text,), cell))
    return leaves


def header_at(header: list[Cell], grid: str) -> dict[int, tuple[Cell, bool]]:
    """Grid column → (header cell, is_anchor). Spans are expanded (exact) or forward-filled (others)."""
    out: dict[int, tuple[Cell, bool]] = {}
    if grid == "exact":
        for cell in header:
            for i in range(cell.colspan):
                out[cell.col + i] = (cell, i == 0)
        return out
    last: Cell | None = None
    for cell in header:
        if cell.text.strip():
            last = cell
            out[cell.col] = (cell, True)
        elif last is not None:
            out[cell.col] = (last, False)
    return out
