"""Table 4 (行政复议、行政诉讼): 15 value cells with no row label, mapped by the reconstructed header."""

from __future__ import annotations

from extract.model import Cell, Table
from transform.labels import fold
from transform.report import Fact
from transform.tables.common import (
    UnmappedKeys,
    label_key,
    make_fact,
    make_unmapped_fact,
    printed,
    prints_value,
)
from transform.tables.grid import Leaf, align_values, flatten_header
from transform.values import parse_value
from transform.vocab import vocab


def _official_leaves(v, row: list[Cell], header_rows: list, warnings: list[str], table: Table) -> list[Leaf]:
    """Space-aligned text loses table 4's header to its wrapping (结果 / 维持 over two lines, a letter-spaced
    维 持 纠 正 run), but the table's 15 columns are fixed by the national form in both generations and
    the header tree lists them in order. When the header names the form's column groups (行政复议 and
    行政诉讼) and the data row prints exactly 15 values, the values are read in that order; any other count
    is not placed."""
    words = "".join(fold(c.text) for r in table.rows if r is not row for c in r)
    values = [c for c in row if parse_value(c.text).state in ("number", "dash", "blank")]
    if not ("行政复议" in words and "行政诉讼" in words) or len(values) != len(v.t4_paths):
        return []
    tree = v.trees["t4"]

    def walk(label: str, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        children = tree.get(label, [])
        if not children:
            return [path]
        return [p for child in children for p in walk(child, path + (child,))]

    paths = [p for root in tree.get("", []) for p in walk(root, (root,))]
    if [p for p in paths if p in v.t4_paths] != paths or len(paths) != len(values):
        return []
    warnings.append(
        f"table 4: header of table {table.index + 1} not readable as columns (space-aligned text); its "
        f"{len(values)} values read in the form's column order"
    )
    return [Leaf(p, p, c) for p, c in zip(paths, values, strict=True)]


def map_t4(tables: list[Table], warnings: list[str]) -> tuple[list[Fact], str | None]:
    v = vocab()
    tree = v.trees["t4"]
    known = (set(tree) | {c for cs in tree.values() for c in cs}) - {""}
    facts: dict[str, Fact] = {}
    unmapped: list[Fact] = []
    keys = UnmappedKeys()
    for table in tables:
        header_rows = []
        header_cells: list[list[Cell]] = []
        data_rows = []
        for row in table.rows:
            tokens = [(lab, c) for c in row if (lab := v.canon("t4", "col", c.text)) in known]
            numeric = [c for c in row if parse_value(c.text).state in ("number", "dash")]
            if tokens and len(numeric) < 3:
                header_rows.append(tokens)
                header_cells.append(row)
            elif numeric:
                data_rows.append(row)
        leaves: list[Leaf] = [lf for lf in flatten_header(header_rows, tree) if lf.path in v.t4_paths]
        if len(leaves) != 15 and table.grid == "aligned" and data_rows:
            leaves = _official_leaves(v, data_rows[0], header_rows, warnings, table)
        if len(leaves) != 15:
            warnings.append(
                f"table 4: reconstructed {len(leaves)} of 15 header columns in table {table.index + 1}"
            )
        if not leaves or not data_rows:
            continue
        values, _labels = align_values(table, data_rows[0], leaves)
        if all(c is None for c in values):
            warnings.append(f"table 4: {len(data_rows[0])} value cells for {len(leaves)} columns; not loaded")
            continue
        for leaf, cell in zip(leaves, values, strict=True):
            code = v.t4_paths[leaf.path]
            raw = " > ".join(printed(t) for t in leaf.printed)
            facts.setdefault(code, make_fact("t4", code, "_", cell, table, raw, "g19/g21"))
        # cells no official column claims: the first data row's cells beside the 15, and any further row
        used = {id(c) for c in values if c is not None}
        for r, row in enumerate(data_rows):
            extra = [c for c in row if id(c) not in used and prints_value(c)]
            for cell in extra:
                path = _column_path(table, header_cells, row, cell)
                if r > 0:
                    label = next((c.text for c in row if c.text.strip() and not prints_value(c)), "")
                    path = [label or f"第{r + 1}行", *path]
                code = keys.claim(label_key(path))
                raw = " > ".join(printed(t) for t in path)
                unmapped.append(make_unmapped_fact("t4", code, "_", cell, table, raw, "", "件"))
                warnings.append(f"table 4: a value no official column claims: loaded as {code!r}")
    generation = "g21" if facts else None
    out = [*facts.values(), *unmapped]
    for f in out:
        f.generation = generation or ""
    return out, generation


def _column_path(table: Table, header_cells: list[list[Cell]], row: list[Cell], cell: Cell) -> list[str]:
    """The printed header words above a cell (exact grids: every header cell spanning its column), or its
    place in the row (``第N列``) when the grid does not say which header it sits under."""
    if table.grid == "exact":
        path = [
            h.text
            for hrow in header_cells
            for h in hrow
            if h.text.strip() and h.col <= cell.col < h.col + h.colspan
        ]
        if path:
            return path
    return [f"第{row.index(cell) + 1}列"]
