"""Table 4 (行政复议、行政诉讼): 15 value cells with no row label, mapped by the reconstructed header."""

from __future__ import annotations

from extract.model import Table
from transform.report import Fact
from transform.tables.common import make_fact, printed
from transform.tables.grid import Leaf, align_values, flatten_header
from transform.values import parse_value
from transform.vocab import vocab


def map_t4(tables: list[Table], warnings: list[str]) -> tuple[list[Fact], str | None]:
    v = vocab()
    tree = v.trees["t4"]
    known = (set(tree) | {c for cs in tree.values() for c in cs}) - {""}
    facts: dict[str, Fact] = {}
    for table in tables:
        header_rows = []
        data_rows = []
        for row in table.rows:
            tokens = [(lab, c) for c in row if (lab := v.canon("t4", "col", c.text)) in known]
            numeric = [c for c in row if parse_value(c.text).state in ("number", "dash")]
            if tokens and len(numeric) < 3:
                header_rows.append(tokens)
            elif numeric:
                data_rows.append(row)
        leaves: list[Leaf] = [lf for lf in flatten_header(header_rows, tree) if lf.path in v.t4_paths]
        if len(leaves) != 15:
            warnings.append(f"table 4: reconstructed {len(leaves)} of 15 header columns in table {table.index + 1}")
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
    generation = "g21" if facts else None
    for f in facts.values():
        f.generation = generation or ""
    return list(facts.values()), generation
