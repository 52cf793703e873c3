"""Table 3 (收到和处理政府信息公开申请情况): applicant columns × outcome rows, mapped by label path.

Row labels are resolved with their context (a level-3 label such as 1.属于国家秘密 belongs to the last
level-2 group seen, whatever cell it was printed in), so merged label cells, lost merged cells and
labels broken over lines all lead to the same path. Columns come from the reconstructed header.

A row whose own label is not in the dictionary is never read as the row above it: when it prints a number it
loads under ``unmapped:`` + the path of the groups above it and its label, one fact per applicant column.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

from extract.model import Cell, Table
from transform.report import Fact
from transform.tables.common import (
    UnmappedKeys,
    label_key,
    make_fact,
    make_unmapped_fact,
    printed,
    prints_value,
)
from transform.tables.grid import Leaf, align_short_row, align_values, aligned_leaves, flatten_header
from transform.values import parse_value
from transform.vocab import Vocab, table_words, vocab


def _total_seems_printed(values: list[Cell | None]) -> bool:
    """True when the last printed value equals the sum of the ones before it (and is not 0): then the
    row printed its 总计 and the lost cell sits somewhere among the applicant columns, where the values
    alone cannot place it. All zeros is the exception that places itself: every placement is the same."""
    numbers = [parse_value(c.text).value for c in values if c is not None]
    if any(n is None for n in numbers) or len(numbers) < 2:
        return False
    return numbers[-1] != 0 and numbers[-1] == sum(numbers[:-1])


def _column_token(v: Vocab, text: str) -> str | None:
    label = v.canon("t3", "col", text)
    if label in v.parties or label in table_words("t3_header_band"):
        return label
    return None


def _header_rows(v: Vocab, table: Table) -> int:
    """Number of leading rows that are column headers (they hold applicant-column words)."""
    n = 0
    for i, row in enumerate(table.rows):
        texts = [c.text for c in row if c.text.strip()]
        if any(
            (lab := _row_label(v, t)) and v.t3_levels[lab] >= 1 and not _column_token(v, t) for t in texts
        ):
            return n
        if any(_column_token(v, t) for t in texts):
            n = i + 1
    return n


def _row_label(v: Vocab, text: str) -> str | None:
    label = v.canon("t3", "row", text)
    if label in v.t3_levels:
        return label
    close = _closest(label) if len(label) > 3 else None
    if close:
        return close
    # a label cut off by a page break (its rest printed under the repeated header): a unique prefix
    starts = [k for k in v.t3_levels if len(label) >= 5 and k.startswith(label)]
    return starts[0] if len(starts) == 1 else None


@lru_cache(maxsize=4096)
def _closest(label: str) -> str | None:
    """The official table-3 row label a misprinted one is closest to. Cached: fuzzy matching against
    every official label is the costly part of reading table 3, and the same labels recur."""
    close = difflib.get_close_matches(label, [k for k in vocab().t3_levels if len(k) > 3], n=1, cutoff=0.85)
    return close[0] if close else None


def _lookup(v: Vocab, path: tuple[str, ...]) -> str | None:
    code = v.t3_paths.get(path)
    if code:
        return code
    matches = {c for p, c in v.t3_paths.items() if p[-1:] == path[-1:]}
    return matches.pop() if len(matches) == 1 else None


def map_t3(tables: list[Table], warnings: list[str]) -> tuple[list[Fact], str | None]:
    v = vocab()
    tree = v.trees["t3"]
    leaves: list[Leaf] = []
    facts: dict[tuple[str, str], Fact] = {}
    unmapped: list[Fact] = []
    keys = UnmappedKeys()
    g21 = False
    for table in tables:
        nh = _header_rows(v, table)
        if nh:
            tokens = [[(tok, c) for c in row if (tok := _column_token(v, c.text))] for row in table.rows[:nh]]
            if table.grid == "aligned":
                flat = aligned_leaves([t for row in tokens for t in row], tree)
            else:
                flat = flatten_header(tokens, tree)
            new_leaves = [lf for lf in flat if lf.path[-1] in v.parties]
            if new_leaves:
                leaves = new_leaves
        if not leaves:
            warnings.append(f"table 3: no applicant header found in table {table.index + 1}")
            continue
        ctx: list[str] = []
        ctx_printed: list[str] = []
        for row in table.rows[nh:]:
            values, label_cells = align_values(table, row, leaves)
            short = None
            if all(c is None for c in values):
                short = align_short_row(row, leaves)
                if short is not None and _total_seems_printed(short[0]):
                    short = None  # the last value is the sum of the others: a middle cell was lost, not 总计
                if short is not None:
                    values, label_cells = short
            labels = [c for c in label_cells if c.text.strip()]
            if not labels:
                if any(c is not None and c.text.strip() for c in values):
                    warnings.append(f"table 3: values without a row label in table {table.index + 1}")
                continue
            known_in_row = False
            for cell in labels:
                label = _row_label(v, cell.text)
                if label is None:
                    continue
                known_in_row = True
                level = v.t3_levels[label]
                if level == 0:
                    ctx, ctx_printed = [], []
                    continue
                ctx = ctx[: level - 1] + [label]
                ctx_printed = ctx_printed[: level - 1] + [printed(cell.text)]
            stray = [c for c in labels if parse_value(c.text).state == "number"]
            if stray and any(c is not None for c in values):
                # a number left of the row's value columns (a row printing more cells than the table has
                # columns): which column it belongs to is unknown, so it is not loaded, but never silently
                warnings.append(
                    f"table 3: row {' '.join(printed(c.text) for c in labels if c not in stray)!r} prints "
                    f"{len(stray)} value(s) ({', '.join(printed(c.text) for c in stray)}) beyond its {len(leaves)} "
                    "columns; not loaded"
                )
            words = [c for c in labels if parse_value(c.text).state == "na_text"]
            own = words[-1] if words else labels[-1]
            own_unknown = bool(words) and _row_label(v, own.text) is None
            if own_unknown and len(words) >= 2 and _row_label(v, words[-2].text + own.text) is not None:
                own_unknown = False  # one label split over two cells (wrapped text): its parts read as one
            if own_unknown and all(c is None for c in values) and any(prints_value(c) for c in row):
                warnings.append(
                    f"table 3: row {printed(own.text)!r} is not in the dictionary and its values do not "
                    f"fit the {len(leaves)} columns; not loaded"
                )
                continue
            if own_unknown and any(prints_value(c) for c in values):
                # the row's own label is not in the dictionary: its cells load under an unmapped code, at
                # the path of the groups above it (a leaf above it is a sibling, not a parent)
                parent = list(ctx) if known_in_row or tuple(ctx) not in v.t3_paths else ctx[:-1]
                parent_printed = ctx_printed[: len(parent)]
                ucode = keys.claim(label_key([*parent, own.text]))
                row_printed = [*parent_printed, printed(own.text)]
                for leaf, cell in zip(leaves, values, strict=True):
                    raw = " > ".join(row_printed + [printed(t) for t in leaf.printed])
                    fact = make_unmapped_fact(
                        "t3", ucode, v.parties[leaf.path[-1]], cell, table, raw, "", "件"
                    )
                    unmapped.append(fact)
                warnings.append(
                    f"table 3: row {' > '.join(row_printed)!r} is not in the dictionary: loaded as {ucode!r}"
                )
                continue
            code = _lookup(v, tuple(ctx))
            if code is None:
                # a group label on a row of its own (its leaves follow) is fine; anything else is news
                if ctx and not any(p[: len(ctx)] == tuple(ctx) for p in v.t3_paths):
                    warnings.append(f"table 3: unknown row {' > '.join(ctx_printed)!r} skipped")
                continue
            if any(label in v.t3_g21_only for label in ctx):
                g21 = True
            if all(c is None for c in values):
                warnings.append(
                    f"table 3: row {' > '.join(ctx_printed)!r} has {len(row) - len(label_cells)} value cells "
                    f"for {len(leaves)} columns; not loaded"
                )
                continue
            if short is not None:
                warnings.append(
                    f"table 3: row {' > '.join(ctx_printed)!r} prints {len(leaves) - 1} values for {len(leaves)} "
                    f"columns; the last column ({printed(leaves[-1].cell.text)}) is taken as the lost cell and "
                    "loaded blank (lost cells fall off the end of a row; the rules may determine it)"
                )
            for leaf, cell in zip(leaves, values, strict=True):
                party = v.parties[leaf.path[-1]]
                key = (code, party)
                raw = " > ".join(ctx_printed + [printed(t) for t in leaf.printed])
                fact = make_fact("t3", code, party, cell, table, raw, "")
                prev = facts.get(key)
                if prev is None or prev.state == "blank" and fact.state != "blank":
                    facts[key] = fact
    generation = ("g21" if g21 else "g19") if facts else None
    out = [*facts.values(), *unmapped]
    for fact in out:
        fact.generation = generation or ""
    return out, generation
