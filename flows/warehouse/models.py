"""The materialised fact model: ``sql/models/*.sql`` run by the writer, never on a plain open.

The analyst views (``sql/marts/*.sql``) read a handful of tables instead of the long ``facts`` table:
``model_report`` (one wide row per current report: what ``v_rep`` shows), ``model_report_checks`` (the
checks per report), ``model_report_quality`` (cells read per table) and ``model_series`` (the long
harmonised series). At 100k reports / 18.6M facts computing them takes seconds; reading them takes
milliseconds. The files are plain ``CREATE OR REPLACE TABLE … AS`` statements run in path order, in ONE
transaction together with the ``model_state`` row, so a reader never sees half a model.

When: ``refresh`` compares what the model was built from (``model_state``) with the warehouse now —

* ``definition``: a hash of the model SQL and the dictionary CSVs (a new xxgk version that changed them),
* ``data_version``: a fingerprint of every ``reports`` row plus the row counts of ``facts`` and ``checks``
  (every load adds a report and its facts; superseding flips ``is_current``) —

and rebuilds only when one differs. The ingest calls it once at the end of the run, before the staging
copy is swapped in (a run that loaded or superseded anything, or resumed a copy that did, rebuilds; a
no-op run costs one fingerprint query); ``Warehouse.apply_schema`` calls it on every read-write open, so
a new or upgraded warehouse gets its model (on an empty warehouse the build is instant). Read-only
connections never build: they see the model the last writer left.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.paths import MODEL_DIR
from flows.warehouse.sql import transaction
from transform.vocab import DATA as DATA_DIR

MODEL_TABLES = (
    "model_report", "model_report_checks", "model_report_quality", "model_series", "stg_report_previous",
)  # fmt: skip
DICTIONARY_CSVS = ("metrics.csv", "parties.csv", "rules.csv", "series.csv")
"""The CSVs flows.warehouse.dictionary_tables loads into the *_dictionary tables the model reads."""

_DATA_VERSION = """
SELECT concat_ws(':',
    count(*), count(*) FILTER (WHERE r.is_current), max(r.loaded_at), sum(hash(r)),
    (SELECT count(*) FROM facts), (SELECT count(*) FROM checks))
FROM reports AS r
"""


@dataclass(slots=True, frozen=True)
class Refresh:
    """What ``refresh`` did."""

    rebuilt: bool
    seconds: float
    reason: str
    """why it rebuilt (no model yet | model SQL or dictionaries changed | data changed) or why not (up to date)."""
    reports: int | None = None


def model_files() -> list[Path]:
    return sorted(MODEL_DIR.glob("*.sql"))


def definition() -> str:
    """sha256 over the model SQL and the dictionary CSVs, i.e. everything the model depends on but the data."""
    digest = hashlib.sha256()
    for path in [*model_files(), *(DATA_DIR / name for name in DICTIONARY_CSVS)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute(_DATA_VERSION).fetchall()[0][0]


def _missing_tables(con: duckdb.DuckDBPyConnection) -> bool:
    found = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND table_name IN "
            "(SELECT unnest($1::VARCHAR[]))",
            [list(MODEL_TABLES)],
        ).fetchall()
    }
    return found != set(MODEL_TABLES)


def stale_reason(con: duckdb.DuckDBPyConnection, definition_hash: str, data: str) -> str | None:
    """Why the model must be rebuilt, or None when it is up to date."""
    if _missing_tables(con):
        return "no model yet"
    rows = con.execute("SELECT definition, data_version FROM model_state").fetchall()
    if len(rows) != 1:
        return "no model yet"
    if rows[0][0] != definition_hash:
        return "model SQL or dictionaries changed"
    if rows[0][1] != data:
        return "data changed"
    return None


def refresh(con: duckdb.DuckDBPyConnection, force: bool = False) -> Refresh:
    """Rebuild every model table when the model is missing or stale (or ``force``); one transaction.

    Needs the schema tables and loaded dictionaries (``Warehouse.apply_schema`` calls it in between)."""
    started = time.perf_counter()
    definition_hash = definition()
    data = data_version(con)
    reason = "forced" if force else stale_reason(con, definition_hash, data)
    if reason is None:
        return Refresh(False, time.perf_counter() - started, "up to date")
    with transaction(con):
        for path in model_files():
            con.execute(path.read_text(encoding="utf-8")).fetchall()
        reports = con.execute("SELECT count(*) FROM model_report").fetchall()[0][0]
        seconds = time.perf_counter() - started
        con.execute("DELETE FROM model_state").fetchall()
        con.execute(
            "INSERT INTO model_state VALUES (now(), ?, ?, ?, ?)", [seconds, definition_hash, data, reports]
        ).fetchall()
    return Refresh(True, time.perf_counter() - started, reason, reports)
