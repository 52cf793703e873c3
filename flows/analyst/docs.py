"""Generate ``docs/dictionary.md``: every table, view and column of the warehouse, and every metric code.

    python -m flows.analyst.docs          # (re)write docs/dictionary.md
    python -m flows.analyst.docs --check  # exit 1 if the committed file is out of date or a column is undocumented

The schema comes from a live (in-memory) warehouse built by ``Warehouse.apply_schema`` — the same SQL the
ingest runs — through ``information_schema``. Descriptions come from the ``.sql`` files themselves:

* tables: the comment lines just above ``CREATE TABLE``, and each column's trailing ``-- comment`` (indented
  ``--`` lines right below a column continue its comment);
* views and the model tables of ``sql/models`` (``CREATE TABLE … AS``): the file's header comment (text above
  ``Columns:``), and under ``--   Columns:`` one line per column, ``--   name   description`` (lines indented
  deeper continue the previous column);
* a view column without its own line takes the description of the same-named column of a table the view reads
  (``current_reports``: ``SELECT * FROM reports``), a column named after a metric code takes the code's
  label from ``metric_dictionary``. Anything else is *undocumented*, which ``--check`` (and the tests) refuse.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from flows.paths import DICTIONARY_DOC, SQL_DIR
from flows.warehouse.writer import Warehouse, sql_files

DOC_PATH = DICTIONARY_DOC

_CREATE = re.compile(
    r"^CREATE\s+(?:OR\s+REPLACE\s+)?(TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)", re.I
)
_TABLE_COLUMN = re.compile(r"^\s+([A-Za-z_][A-Za-z0-9_]*)\s+[A-Z][A-Za-z0-9_\[\]() ,]*?.*?--\s*(.+)$")
_HEADER_COLUMN = re.compile(r"^--   ([A-Za-z_][A-Za-z0-9_]*)\s+(.+)$")
_CONTINUATION = re.compile(r"^--\s{4,}(\S.*)$")
_INLINE_CONTINUATION = re.compile(r"^\s+--\s*(.+)$")
_ALTER_ADD = re.compile(
    r"^ALTER\s+TABLE\s+([A-Za-z_][A-Za-z0-9_]*)\s+ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)"
    r"[^;]*;\s*--\s*(.+)$",
    re.I,
)


@dataclass
class ObjectDoc:
    name: str
    kind: str  # table | view
    source: str  # sql file, relative to sql/
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)


def parse_sql_docs() -> dict[str, ObjectDoc]:
    """Descriptions of every table and view declared in sql/**/*.sql, by object name."""
    docs: dict[str, ObjectDoc] = {}
    for path in sql_files(include_models=True):
        rel = path.relative_to(SQL_DIR).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        file_header = _leading_comments(lines)
        header_columns = _header_columns(lines)
        pending: list[str] = []  # comment lines since the last statement
        i = 0
        while i < len(lines):
            line = lines[i]
            alter = _ALTER_ADD.match(line)
            if alter:
                table, column, comment = alter.groups()
                target = docs.setdefault(table, ObjectDoc(table, "table", rel))
                target.columns.setdefault(column, comment.strip())
            m = _CREATE.match(line)
            if not m:
                stripped = line.strip()
                if stripped.startswith("--"):
                    pending.append(stripped)
                elif stripped:
                    pending = [] if stripped.endswith(";") else pending
                else:
                    pending = []
                i += 1
                continue
            kind, name = m.group(1).lower(), m.group(2)
            doc = ObjectDoc(name, kind, rel)
            as_select = kind == "view" or line[m.end() :].strip().upper().startswith("AS")
            if as_select:  # a view, or a model table (CREATE TABLE … AS): documented by the file's header
                text = _comment_text(pending) or _comment_text(file_header)
                doc.description = text
                doc.columns.update(header_columns if _creates_one_relation(lines) else {})
            else:
                doc.description = _comment_text(pending)
                i = _table_columns(lines, i + 1, doc.columns)
            if name in docs:  # ALTER TABLE lines seen before (another file): keep their columns
                doc.columns = {**docs[name].columns, **doc.columns}
            docs[name] = doc
            pending = []
            i += 1
    return docs


def _creates_one_relation(lines: list[str]) -> bool:
    return sum(1 for ln in lines if _CREATE.match(ln)) == 1


def _leading_comments(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        if not line.startswith("--"):
            break
        out.append(line)
    return out


def _comment_text(comment_lines: list[str]) -> str:
    """Comment lines as one paragraph, up to a 'Columns:' section."""
    words = []
    for line in comment_lines:
        body = line[2:].strip()
        if body.rstrip(":") == "Columns":
            break
        if body:
            words.append(body)
    return " ".join(words)


def _header_columns(lines: list[str]) -> dict[str, str]:
    cols: dict[str, str] = {}
    in_section, last = False, None
    for line in _leading_comments(lines):
        body = line[2:].strip()
        if body == "Columns:":
            in_section = True
            continue
        if not in_section:
            continue
        m = _HEADER_COLUMN.match(line)
        if m:
            last = m.group(1)
            cols[last] = m.group(2).strip()
            continue
        c = _CONTINUATION.match(line)
        if c and last is not None:
            cols[last] += " " + c.group(1).strip()
        else:
            last = None
    return cols


def _table_columns(lines: list[str], start: int, cols: dict[str, str]) -> int:
    """Column comments of a CREATE TABLE body; returns the index of its closing line."""
    last = None
    i = start
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith(");") or line.strip() == ")":
            return i
        m = _TABLE_COLUMN.match(line)
        if m and m.group(1).upper() not in ("PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "CONSTRAINT"):
            last = m.group(1)
            cols[last] = m.group(2).strip()
        else:
            c = _INLINE_CONTINUATION.match(line)
            if c and last is not None:
                cols[last] += " " + c.group(1).strip()
            else:
                last = None
        i += 1
    return i


@dataclass
class Column:
    name: str
    type: str
    description: str | None
    origin: str  # own | inherited from <table> | metric_dictionary | ''


@dataclass
class Relation:
    name: str
    kind: str
    source: str
    description: str
    columns: list[Column]


def live_schema() -> tuple[list[Relation], duckdb.DuckDBPyConnection]:
    """Build an empty warehouse in memory and describe every table and view in it."""
    con = duckdb.connect(":memory:")
    Warehouse(con).apply_schema()
    docs = parse_sql_docs()
    metric_labels = {
        code: f"{label} ({unit})"
        for code, label, unit in con.execute("SELECT code, label_en, unit FROM metric_dictionary").fetchall()
    }
    for table, column, comment in con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE comment IS NOT NULL AND comment <> ''"
    ).fetchall():  # COMMENT ON COLUMN (sql/schema/090_column_comments.sql) documents columns without a -- comment
        if table in docs:
            docs[table].columns.setdefault(column, comment)
    table_docs = {n: d for n, d in docs.items() if d.kind == "table"}
    rows = con.execute(
        """
        SELECT t.table_name, t.table_type, c.column_name, c.data_type
        FROM information_schema.tables AS t
        JOIN information_schema.columns AS c USING (table_catalog, table_schema, table_name)
        WHERE t.table_schema = 'main'
        ORDER BY t.table_type, t.table_name, c.ordinal_position
        """
    ).fetchall()
    relations: dict[str, Relation] = {}
    for name, table_type, column, data_type in rows:
        doc = docs.get(name)
        kind = "view" if table_type == "VIEW" else "table"
        rel = relations.get(name)
        if rel is None:
            rel = relations[name] = Relation(
                name, kind, doc.source if doc else "", doc.description if doc else "", []
            )
        description, origin = (doc.columns.get(column) if doc else None), "own"
        if description is None and kind == "view":
            for base in _bases(name, con):
                if base in table_docs and column in table_docs[base].columns:
                    description, origin = table_docs[base].columns[column], f"as {base}.{column}"
                    break
        if description is None and column in metric_labels:
            description, origin = metric_labels[column], "metric_dictionary"
        if description is None:
            origin = ""
        rel.columns.append(Column(column, data_type, description, origin))
    ordered = sorted(relations.values(), key=lambda r: (r.kind != "table", r.source or "~", r.name))
    return ordered, con


def _bases(view: str, con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables a view's SQL names (word match on the view definition), in the order they appear."""
    rows = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = ?", [view]).fetchall()
    if not rows:
        return []
    sql = rows[0][0]
    found = [
        (m.start(), m.group(1))
        for m in re.finditer(r"\b(?:FROM|JOIN)\s+\(?\s*([A-Za-z_][A-Za-z0-9_]*)", sql, re.I)
    ]
    return [name for _, name in sorted(found)]


def undocumented(relations: list[Relation]) -> list[str]:
    out = [f"{r.name} (no description)" for r in relations if not r.description]
    out += [f"{r.name}.{c.name}" for r in relations for c in r.columns if not c.description]
    return out


def _cell(text: object) -> str:
    return "" if text is None else str(text).replace("|", "\\|").replace("\n", " ")


def render() -> str:
    relations, con = live_schema()
    try:
        out = [
            "# xxgk warehouse data dictionary",
            "",
            "Generated by `python -m flows.analyst.docs` from the live schema (`sql/**/*.sql` applied to an empty",
            "warehouse, read back through `information_schema`), the header comments of the `.sql` files and",
            "`transform/data/*.csv`. Do not edit by hand: change the SQL comments or the CSVs and regenerate",
            "(a test fails when this file is stale or a column has no description).",
            "",
            "## Contents",
            "",
        ]
        for rel in relations:
            out.append(f"- [{rel.name}](#{rel.name}) ({rel.kind})")
        out += ["- [Metric codes](#metric-codes)", "- [Harmonised series](#harmonised-series)"]
        out += ["- [Rules](#rules)", "- [Parties](#parties)", ""]
        for rel in relations:
            out += [f"## {rel.name}", "", f"*{rel.kind}*, `sql/{rel.source}`", "", _cell(rel.description), ""]
            out += ["| column | type | description |", "|---|---|---|"]
            for c in rel.columns:
                note = f" *({c.origin})*" if c.origin and c.origin != "own" else ""
                out.append(f"| `{c.name}` | {c.type} | {_cell(c.description)}{note} |")
            out.append("")
        out += _metric_section(con)
        out += _series_section(con)
        out += _rule_section(con)
        out += _party_section(con)
        return "\n".join(out).rstrip() + "\n"
    finally:
        con.close()


def _metric_section(con: duckdb.DuckDBPyConnection) -> list[str]:
    out = ["## Metric codes", "", "From `transform/data/metrics.csv` (table `metric_dictionary`).", ""]
    rows = con.execute(
        """
        SELECT table_id, code, kind, unit, generations, label_zh, label_en, series, series_grade, lp_only
        FROM metric_dictionary
        ORDER BY CASE table_id WHEN 't2' THEN 1 WHEN 't3' THEN 2 WHEN 't4' THEN 3 WHEN 'legacy' THEN 4 ELSE 5 END,
                 rowid
        """
    ).fetchall()
    current = None
    for table_id, code, kind, unit, gens, zh, en, series, grade, lp_only in rows:
        if table_id != current:
            current = table_id
            out += [
                "",
                f"### {table_id}",
                "",
                "| code | kind | unit | generations | 中文 | English | series (grade) |",
            ]
            out.append("|---|---|---|---|---|---|---|")
        series_text = f"{series} ({grade})" if series else ""
        gens_text = f"{gens} (LP only)" if lp_only else gens
        out.append(
            f"| `{code}` | {kind} | {_cell(unit)} | {_cell(gens_text)} | {_cell(zh)} | {_cell(en)} | {_cell(series_text)} |"
        )
    return [*out, ""]


def _series_section(con: duckdb.DuckDBPyConnection) -> list[str]:
    out = [
        "## Harmonised series",
        "",
        "From `transform/data/series.csv` (table `series_dictionary`, view `v_series`).",
        "",
    ]
    out += [
        "| series | grade | G19/G21 source | legacy (L16) source | LP source | caveat |",
        "|---|---|---|---|---|---|",
    ]
    for row in con.execute(
        "SELECT series, grade, g_source, legacy_source, lp_source, caveat FROM series_dictionary ORDER BY rowid"
    ).fetchall():
        out.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return [*out, ""]


def _rule_section(con: duckdb.DuckDBPyConnection) -> list[str]:
    out = ["## Rules", "", "From `transform/data/rules.csv` (table `rule_dictionary`; `checks.rule_id`).", ""]
    out += ["| rule | generations | severity | formula |", "|---|---|---|---|"]
    for row in con.execute(
        "SELECT rule_id, generations, severity, formula FROM rule_dictionary ORDER BY rowid"
    ).fetchall():
        out.append(f"| `{row[0]}` | " + " | ".join(_cell(v) for v in row[1:]) + " |")
    return [*out, ""]


def _party_section(con: duckdb.DuckDBPyConnection) -> list[str]:
    out = [
        "## Parties",
        "",
        "From `transform/data/parties.csv` (table `party_dictionary`; `facts.party`).",
        "",
    ]
    out += ["| code | 中文 | English | column order |", "|---|---|---|---|"]
    for row in con.execute(
        "SELECT code, label_zh, label_en, column_order FROM party_dictionary ORDER BY column_order"
    ).fetchall():
        out.append(f"| `{row[0]}` | " + " | ".join(_cell(v) for v in row[1:]) + " |")
    return [*out, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flows.analyst.docs", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--check", action="store_true", help="fail if docs/dictionary.md is stale or incomplete"
    )
    parser.add_argument("--output", type=Path, default=DOC_PATH)
    args = parser.parse_args(argv)
    relations, con = live_schema()
    con.close()
    missing = undocumented(relations)
    text = render()
    if args.check:
        stale = not args.output.exists() or args.output.read_text(encoding="utf-8") != text
        for item in missing:
            print(f"undocumented: {item}", file=sys.stderr)
        if stale:
            print(f"{args.output} is out of date: run python -m flows.analyst.docs", file=sys.stderr)
        return 1 if stale or missing else 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    for item in missing:
        print(f"undocumented: {item}", file=sys.stderr)
    print(f"wrote {args.output} ({len(relations)} tables and views)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
