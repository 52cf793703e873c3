"""Load the domain CSVs (transform/data) into the warehouse's dictionary tables (sql/schema/007_dictionaries.sql).

Run by ``Warehouse.apply_schema`` after the SQL files, on every open: contents are replaced, so the
dictionaries always match the code that opened the warehouse. Rows are read with Python's ``csv`` module
(no DuckDB CSV sniffing) and inserted as unnested lists (one statement per table).
"""

from __future__ import annotations

import re

import duckdb

from flows.warehouse.sql import transaction
from transform.vocab import is_lp_only, read_rows

_METRIC_COLUMNS = (
    "code", "table_id", "kind", "unit", "generations", "label_zh", "label_en", "g21_label_path",
    "g19_label_path", "legacy_label_path", "notes", "lp_only", "series", "series_grade",
)  # fmt: skip
_RULE_COLUMNS = ("rule_id", "generations", "scope", "severity", "formula", "description")
_PARTY_COLUMNS = ("code", "label_zh", "label_en", "column_order")
_SERIES_COLUMNS = ("series", "g_source", "legacy_source", "lp_source", "grade", "caveat")
_CODE = re.compile(r"[a-z][a-z0-9_]*")


def _blank_to_none(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def series_of_codes(series_rows: list[dict[str, str]], codes: set[str]) -> dict[str, list[tuple[str, str]]]:
    """code -> [(series, grade)] for every code named in a series' source formulas."""
    out: dict[str, list[tuple[str, str]]] = {}
    for s in series_rows:
        named: set[str] = set()
        for col in ("g_source", "legacy_source", "lp_source"):
            named.update(c for c in _CODE.findall(s.get(col) or "") if c in codes)
        for code in sorted(named):
            out.setdefault(code, []).append((s["series"], s["grade"]))
    return out


def metric_rows() -> list[tuple]:
    metrics = read_rows("metrics.csv")
    fed = series_of_codes(read_rows("series.csv"), {m["code"] for m in metrics})
    rows = []
    for m in metrics:
        series = fed.get(m["code"], [])
        rows.append(
            (
                *(
                    _blank_to_none(m.get(c))
                    for c in ("code", "table", "kind", "unit", "generations", "label_zh")
                ),
                *(_blank_to_none(m.get(c)) for c in ("label_en", "g21_label_path", "g19_label_path")),
                _blank_to_none(m.get("legacy_label_path")),
                _blank_to_none(m.get("notes")),
                is_lp_only(m),
                ", ".join(s for s, _ in series) or None,
                ", ".join(g for _, g in series) or None,
            )
        )
    return rows


def load_dictionaries(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the contents of the four dictionary tables (idempotent; one transaction)."""
    tables = [
        ("metric_dictionary", _METRIC_COLUMNS, metric_rows()),
        ("rule_dictionary", _RULE_COLUMNS, [tuple(_blank_to_none(r.get(c)) for c in _RULE_COLUMNS)
                                            for r in read_rows("rules.csv")]),
        ("party_dictionary", _PARTY_COLUMNS, [(r["code"], r["label_zh"], r["label_en"], int(r["column_order"]))
                                              for r in read_rows("parties.csv")]),
        ("series_dictionary", _SERIES_COLUMNS, [tuple(_blank_to_none(r.get(c)) for c in _SERIES_COLUMNS)
                                                for r in read_rows("series.csv")]),
    ]  # fmt: skip
    with transaction(con):
        for table, columns, rows in tables:
            con.execute(f"DELETE FROM {table}").fetchall()
            if not rows:
                continue
            types = [_sql_type(v) for v in rows[0]]
            cols = [list(col) for col in zip(*rows, strict=True)]
            select = ", ".join(f"unnest(${i + 1}::{t}[])" for i, t in enumerate(types))
            con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select}", cols).fetchall()


def _sql_type(value: object) -> str:
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    return "VARCHAR"
