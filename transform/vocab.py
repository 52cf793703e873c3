"""The label knowledge, loaded once from the CSV data tables in transform/data/.

Nothing here is hand-written per document: table-2/3/4 label paths come from metrics.csv (the canonical
dictionary), variants and typos from label_aliases.csv, nested column headers from header_trees.csv.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from transform.labels import norm, path_segments

DATA = Path(__file__).parent / "data"
_MEMO_MAX = 65536


def is_lp_only(row: dict[str, str]) -> bool:
    """A metrics.csv row of a code only the older local legacy forms print: its notes start 'LP …'
    ('LP only', 'LP (pre-2014 …'). The one place that reads this marker (rule gating, dictionary)."""
    return (row.get("notes") or "").startswith("LP ")


def read_rows(name: str) -> list[dict[str, str]]:
    """The rows of one data table of transform/data (UTF-8 CSV with a header)."""
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True, slots=True)
class Metric:
    code: str
    table: str
    kind: str
    unit: str
    generations: frozenset[str]
    label_zh: str


@dataclass
class Vocab:
    metrics: dict[str, Metric]
    aliases: dict[tuple[str, str], dict[str, str]]
    t2_cells: dict[tuple[str, str], str]
    """(row, column) → code, over G19 and G21 paths (row labels are unique across the 第二十条 blocks)."""
    t2_col_gens: dict[str, set[str]]
    """column label → generations whose official layout prints it."""
    t2_rows: set[str]
    t2_cols: set[str]
    t3_paths: dict[tuple[str, ...], str]
    """normalised row path (without 本年度办理结果) → code."""
    t3_levels: dict[str, int]
    """row label → depth (1 = 本年新收…/本年度办理结果/总计 group…, 2 = 不予公开…, 3 = leaves)."""
    t3_g21_only: set[str]
    parties: dict[str, str]
    """column leaf label → party code."""
    trees: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """table → parent → children (parent '' = roots)."""
    t4_paths: dict[tuple[str, ...], str] = field(default_factory=dict)
    legacy_paths: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """legacy code → normalised label path."""
    legacy_labels: set[str] = field(default_factory=set)
    """normalised labels of the legacy indicator rows (the rows that carry a value)."""

    memo: dict[tuple[str, str, str], str] = field(default_factory=dict, repr=False, compare=False)
    """canon() results: the same printed labels are asked about many times per document and in every
    document. Cleared when it grows past _MEMO_MAX entries so a long run's memory stays flat."""

    def canon(self, table: str, kind: str, label: str) -> str:
        """Normalise a printed label and resolve known variants to the official wording."""
        key = (table, kind, label)
        out = self.memo.get(key)
        if out is None:
            n = norm(label)
            out = self.aliases.get((table, kind), {}).get(n, n)
            if len(self.memo) >= _MEMO_MAX:
                self.memo.clear()
            self.memo[key] = out
        return out


@cache
def table_words(role: str) -> tuple[str, ...]:
    """The words of one ``role`` of table_words.csv (markers that tell the tables apart, header bands,
    value/unit column headers), in file order."""
    return tuple(r["word"] for r in read_rows("table_words.csv") if r["role"] == role)


@cache
def table_word_targets(role: str) -> dict[str, str]:
    """word → target of one ``role`` of table_words.csv (e.g. the subtotal column's party code)."""
    return {r["word"]: r["target"] for r in read_rows("table_words.csv") if r["role"] == role}


@cache
def vocab() -> Vocab:
    metrics = {
        r["code"]: Metric(
            r["code"], r["table"], r["kind"], r["unit"], frozenset(r["generations"].split()), r["label_zh"]
        )
        for r in read_rows("metrics.csv")
    }
    aliases: dict[tuple[str, str], dict[str, str]] = {}
    for r in read_rows("label_aliases.csv"):
        aliases.setdefault((r["table"], r["kind"]), {})[norm(r["alias"])] = norm(r["canonical"])

    def canon(table: str, kind: str, seg: str) -> str:
        return aliases.get((table, kind), {}).get(seg, seg)

    results_root = {norm(w) for w in table_words("t3_results_root")}

    t2_cells: dict[tuple[str, str], str] = {}
    t2_col_gens: dict[str, set[str]] = {}
    t3_paths: dict[tuple[str, ...], str] = {}
    t3_levels: dict[str, int] = {}
    t3_g21_only: set[str] = set()
    t4_paths: dict[tuple[str, ...], str] = {}
    for r in read_rows("metrics.csv"):
        for gen in ("g21", "g19"):
            path = r[f"{gen}_label_path"]
            if not path or r["kind"] != "observed" and r["table"] != "t3":
                continue
            segs = path_segments(path)
            if r["table"] == "t2":
                _block, row, col = segs
                key = (canon("t2", "row", row), canon("t2", "col", col))
                t2_cells[key] = r["code"]
                t2_col_gens.setdefault(key[1], set()).add(gen)
            elif r["table"] == "t3":
                segs = tuple(canon("t3", "row", s) for s in segs if s not in results_root)
                if r["kind"] == "observed":
                    t3_paths[segs] = r["code"]
                for depth, s in enumerate(segs, start=1):
                    t3_levels.setdefault(s, depth)
                if gen == "g21" and not r["g19_label_path"]:
                    t3_g21_only.add(segs[-1])
            elif r["table"] == "t4":
                t4_paths[segs] = r["code"]
    for root in results_root:
        t3_levels[root] = 0
    legacy_paths = {
        r["code"]: path_segments(r["legacy_label_path"])
        for r in read_rows("metrics.csv")
        if r["table"] == "legacy" and r["legacy_label_path"]
    }
    parties = {norm(r["label_zh"]): r["code"] for r in read_rows("parties.csv")}
    for word, party in table_word_targets("subtotal_column").items():
        parties[norm(word)] = party
    trees: dict[str, dict[str, list[str]]] = {}
    for r in read_rows("header_trees.csv"):
        trees.setdefault(r["table"], {}).setdefault(norm(r["parent"]), []).append(norm(r["child"]))
    return Vocab(
        metrics=metrics,
        aliases=aliases,
        t2_cells=t2_cells,
        t2_col_gens=t2_col_gens,
        t2_rows={k[0] for k in t2_cells},
        t2_cols={k[1] for k in t2_cells},
        t3_paths=t3_paths,
        t3_levels=t3_levels,
        t3_g21_only=t3_g21_only,
        parties=parties,
        trees=trees,
        t4_paths=t4_paths,
        legacy_paths=legacy_paths,
        legacy_labels={path[-1] for path in legacy_paths.values()},
    )
