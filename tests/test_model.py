"""The materialised fact model (sql/models, flows/warehouse/models.py): rebuilt by an ingest run that loads a report,
left alone by a run that loads nothing, and built on open for a warehouse that has none.

Real ingests of the seed docx files; exact values from the seeds' truth files."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from flows.warehouse.models import MODEL_TABLES
from flows.warehouse.writer import open_warehouse
from tests.corpus_index import CORPUS, truth
from tests.test_ingest import query, run_ingest


def truth_value(seed: str, code: str) -> float:
    (fact,) = [f for f in truth(seed)["facts"] if f["code"] == code and f["party"] == "total"]
    assert fact["state"] == "number"
    return float(fact["value"])


def model_state(db: Path) -> tuple:
    (row,) = query(db, "SELECT built_at, definition, data_version, reports FROM model_state")
    return row


def test_model_is_rebuilt_by_a_run_that_loads_and_not_by_a_no_op_run(
    prefect_harness: None, tmp_path: Path
) -> None:
    drop, db = tmp_path / "drop", tmp_path / "warehouse.duckdb"
    drop.mkdir()
    shutil.copyfile(CORPUS / "seeds" / "longwan-2023.docx", drop / "longwan-2023.docx")
    assert run_ingest(drop, db)["loaded"] == 1
    first = model_state(db)
    assert first[3] == 1
    longwan = truth_value("longwan-2023", "req_new")
    assert query(db, "SELECT req_new FROM v_report") == [(longwan,)]

    again = run_ingest(drop, db)  # the flow itself (no CLI shortcut): a full run that loads nothing
    assert (again["loaded"], again["unchanged"]) == (0, 1)
    assert model_state(db) == first  # not rebuilt: same build time, same fingerprint

    shutil.copyfile(CORPUS / "seeds" / "yinzhou-2023.docx", drop / "yinzhou-2023.docx")
    assert run_ingest(drop, db)["loaded"] == 1
    built_at, definition, data_version, reports = model_state(db)
    assert built_at > first[0] and data_version != first[2] and definition == first[1] and reports == 2
    yinzhou = truth_value("yinzhou-2023", "req_new")
    assert yinzhou != longwan
    assert query(db, "SELECT count(*), sum(req_new) FROM v_report") == [(2, longwan + yinzhou)]
    assert query(db, "SELECT req_new FROM v_report WHERE agency_id = '330212:卫生健康局'") == [(yinzhou,)]
    assert query(db, "SELECT count(*) FROM v_series WHERE series = 'h_requests_new'") == [(2,)]


def test_a_warehouse_without_a_model_gets_it_on_open(prefect_harness: None, tmp_path: Path) -> None:
    drop, db = tmp_path / "drop", tmp_path / "warehouse.duckdb"
    drop.mkdir()
    shutil.copyfile(CORPUS / "seeds" / "yinzhou-2023.docx", drop / "yinzhou-2023.docx")
    run_ingest(drop, db)
    expected = query(db, "SELECT * FROM v_report")
    con = duckdb.connect(str(db))  # as a warehouse from before sql/models: no model tables, no state row
    for table in MODEL_TABLES:
        con.execute(f"DROP TABLE {table}")
    con.execute("DELETE FROM model_state")
    con.close()
    with open_warehouse(db) as warehouse:
        assert warehouse.refresh_model().reason == "up to date"  # built by apply_schema on open
    assert query(db, "SELECT * FROM v_report") == expected
    assert model_state(db)[3] == 1
