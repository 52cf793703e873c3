"""The analyst commands through the real ``xxgk`` entry point on real warehouses: ``query``, ``export``,
``report``, ``convert-storage``, and the stock ``duckdb`` CLI (PyPI's duckdb-cli 1.5.6, from the test
extra) reading every table and view of a warehouse written by DuckDB 2.0.

The session warehouses (``corpus_run``, ``seed_run``) are only read; tests that write copy the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from lxml import html as lxml_html

from flows.warehouse.writer import storage_format
from tests.corpus_index import truth
from tests.test_ingest import query

pytestmark = pytest.mark.slow
YINZHOU = "330212:卫生健康局"
REPO = Path(__file__).resolve().parents[1]


def xxgk(
    xxgk_bin: str, env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [xxgk_bin, *args], env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def stock_cli() -> str:
    """The duckdb-cli console script installed next to the running interpreter (test extra)."""
    found = shutil.which("duckdb", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(
            "the stock duckdb CLI is not installed here (pip install -e '.[test]' installs duckdb-cli)"
        )
    return found


def catalog(db: Path) -> list[str]:
    """Every user table and view of the warehouse, from the catalog (new views are covered automatically)."""
    rows = query(
        db,
        """
        SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary
        UNION ALL
        SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal AND NOT temporary
        ORDER BY 1
        """,
    )
    return [r[0] for r in rows]


def norm(value: Any) -> Any:
    """One representation for both readers: aware datetimes in UTC, NaN as a marker, lists as tuples."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, list):
        return tuple(norm(v) for v in value)
    return value


def sorted_rows(rows: list[tuple]) -> list[tuple]:
    normalised = [tuple(norm(v) for v in row) for row in rows]
    return sorted(normalised, key=repr)


# ---- stock duckdb CLI ------------------------------------------------------------------------------


def test_stock_duckdb_cli_reads_every_table_and_view(corpus_run: dict[str, Any]) -> None:
    cli = stock_cli()
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, timeout=60).stdout
    assert version.startswith("v1.5."), version
    db = corpus_run["db"]
    assert storage_format(db) == 68  # v1.5.0 storage (DuckDB 2.0's own format is unreadable by 1.5)
    objects = catalog(db)
    assert {"facts", "reports", "narratives", "checks", "documents", "current_facts"} <= set(objects)
    assert any(o.startswith("v_") for o in objects)
    for name in objects:
        expected = query(db, f'SELECT count(*) FROM "{name}"')[0][0]
        result = subprocess.run(
            [cli, "-readonly", "-json", str(db), "-c", f'SELECT * FROM "{name}"'],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0 and not result.stderr, f"{name}: {result.stderr}"
        rows = json.loads(result.stdout) if result.stdout.strip() else []
        assert len(rows) == expected, name


def test_a_duckdb_2_format_warehouse_gets_a_note_and_converts(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str, seed_run: dict[str, Any]
) -> None:
    cli = stock_cli()
    old = tmp_path / "old.duckdb"
    with duckdb.connect(":memory:") as con:  # the same content, in DuckDB 2.0's own format
        con.execute(f"ATTACH '{seed_run['db']}' AS src (READ_ONLY)")
        con.execute(f"ATTACH '{old}' AS dst (STORAGE_VERSION 'v2.0.0')")
        con.execute("COPY FROM DATABASE src TO dst")
    refused = subprocess.run([cli, "-readonly", str(old), "-c", "SELECT 1"], capture_output=True, text=True)
    assert refused.returncode != 0 and "version number" in refused.stderr

    noted = xxgk(
        xxgk_bin, cli_env, "query", "SELECT count(*) AS n FROM reports", "--db", str(old), "-f", "csv"
    )
    assert noted.returncode == 0, noted.stderr
    assert noted.stdout == "n\n5\n"
    assert "stock duckdb CLI" in noted.stderr and f"xxgk convert-storage --db {old}" in noted.stderr

    from flows.warehouse.lock import run_lock

    with run_lock(old):  # an ingest run holds the warehouse: the file is not swapped under it
        busy = xxgk(xxgk_bin, cli_env, "convert-storage", "--db", str(old))
    assert busy.returncode == 2 and "cannot convert now" in busy.stderr, busy.stderr
    assert not (tmp_path / "old.v2-backup.duckdb").exists()

    converted = xxgk(xxgk_bin, cli_env, "convert-storage", "--db", str(old))
    assert converted.returncode == 0, converted.stderr
    assert (tmp_path / "old.v2-backup.duckdb").is_file()
    opened = subprocess.run(
        [cli, "-readonly", "-csv", str(old), "-c", "SELECT count(*) AS n FROM facts"],
        capture_output=True,
        text=True,
    )
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout == f"n\n{query(seed_run['db'], 'SELECT count(*) FROM facts')[0][0]}\n"
    again = xxgk(xxgk_bin, cli_env, "convert-storage", "--db", str(old))
    assert again.returncode == 0 and "nothing to do" in again.stdout
    quiet = xxgk(xxgk_bin, cli_env, "query", "SELECT 1", "--db", str(old), "-f", "csv")
    assert "note:" not in quiet.stderr


# ---- xxgk query ------------------------------------------------------------------------------------


def test_query_formats_give_the_database_values(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str, seed_run: dict[str, Any]
) -> None:
    db = seed_run["db"]
    rid = seed_run["report_ids"]["yinzhou-2023"]
    sql = f"SELECT code, party, value, state FROM facts WHERE report_id = '{rid}' ORDER BY code, party"
    expected = query(db, sql)
    assert len(expected) > 100

    as_csv = xxgk(xxgk_bin, cli_env, "query", sql, "--db", str(db), "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    parsed = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert parsed[0] == ["code", "party", "value", "state"]
    assert [(c, p, float(v) if v else None, s) for c, p, v, s in parsed[1:]] == expected

    as_json = xxgk(xxgk_bin, cli_env, "query", sql, "--db", str(db), "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert [(r["code"], r["party"], r["value"], r["state"]) for r in json.loads(as_json.stdout)] == expected

    out = tmp_path / "facts.parquet"
    as_parquet = xxgk(xxgk_bin, cli_env, "query", sql, "--db", str(db), "-f", "parquet", "--out", str(out))
    assert as_parquet.returncode == 0, as_parquet.stderr
    assert f"{len(expected)} rows written to {out}" in as_parquet.stderr
    assert pl.read_parquet(out).rows() == expected

    table = xxgk(
        xxgk_bin,
        cli_env,
        "query",
        "SELECT year, report_id, agency_name FROM reports WHERE agency_id = ? ORDER BY year".replace(
            "?", f"'{YINZHOU}'"
        ),
        "--db",
        str(db),
    )
    assert table.returncode == 0, table.stderr
    for seed in ("yinzhou-2018", "yinzhou-2023"):
        assert seed_run["report_ids"][seed] in table.stdout
    assert "宁波市鄞州区卫生健康局" in table.stdout and "2 rows (all shown)" in table.stdout

    many = xxgk(xxgk_bin, cli_env, "query", "SELECT * FROM facts", "--db", str(db))
    total = query(db, "SELECT count(*) FROM facts")[0][0]
    assert many.returncode == 0 and f"{total} rows (showing the first 50)" in many.stdout
    assert "not shown (too wide)" in many.stdout  # 12 columns do not fit 80 characters


def test_query_errors_are_messages_not_tracebacks(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str, seed_run: dict[str, Any]
) -> None:
    db = str(seed_run["db"])
    bad = xxgk(xxgk_bin, cli_env, "query", "SELEC 1", "--db", db)
    assert (
        bad.returncode == 1 and "SQL error:" in bad.stderr and 'syntax error at or near "SELEC"' in bad.stderr
    )
    unknown = xxgk(xxgk_bin, cli_env, "query", "SELECT * FROM nope", "--db", db, "-f", "csv")
    assert unknown.returncode == 1 and "Table with name nope does not exist" in unknown.stderr
    write = xxgk(xxgk_bin, cli_env, "query", "DELETE FROM facts", "--db", db)
    assert write.returncode == 1 and "read-only mode" in write.stderr
    missing = xxgk(xxgk_bin, cli_env, "query", "SELECT 1", "--db", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    no_out = xxgk(xxgk_bin, cli_env, "query", "SELECT 1", "--db", db, "-f", "parquet")
    assert no_out.returncode == 1 and "needs --out" in no_out.stderr
    for result in (bad, unknown, write, missing, no_out):
        assert "Traceback" not in result.stderr

    held = tmp_path / "held.duckdb"
    shutil.copyfile(seed_run["db"], held)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
         "time.sleep(60)", str(held)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        locked = xxgk(xxgk_bin, cli_env, "query", "SELECT 1", "--db", str(held))
    finally:
        holder.kill()
        holder.wait()
    assert locked.returncode == 2
    assert f"being written by another process (PID {holder.pid})" in locked.stderr
    assert "Traceback" not in locked.stderr


# ---- xxgk export -----------------------------------------------------------------------------------


def source_rows(db: Path, name: str) -> list[tuple]:
    """The rows of a dataset as the warehouse has them (the year of the report joined in where needed)."""
    from flows.analyst.export import YEAR_JOINED

    if name in YEAR_JOINED:
        sql = f'SELECT t.*, r.year AS year FROM "{name}" AS t LEFT JOIN reports AS r USING (report_id)'
    else:
        sql = f'SELECT * FROM "{name}"'
    return query(db, sql)


def read_export(root: Path, entry: dict[str, Any]) -> pl.DataFrame:
    path = root / entry["path"]
    if path.is_file():
        return pl.read_parquet(path)
    return pl.read_parquet(path / "**" / "*.parquet", hive_partitioning=True)


def test_export_parquet_equals_the_warehouse(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str, corpus_run: dict[str, Any]
) -> None:
    db = corpus_run["db"]
    out = tmp_path / "export" / "parquet"
    out.parent.mkdir()
    started = time.perf_counter()
    result = xxgk(xxgk_bin, cli_env, "export", "--out", str(out), "--db", str(db))
    wall = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert out.is_symlink() and Path(os.path.realpath(out)).parent.name == ".parquet.versions"
    manifest = json.loads((out / "_schema.json").read_text(encoding="utf-8"))
    views = {o for o in catalog(db) if o.startswith("v_")}
    assert {"facts", "reports", "narratives", "checks", "documents"} | views <= set(manifest["datasets"])
    assert (out / "SCHEMA.md").read_text(encoding="utf-8").count("\n## ") == len(manifest["datasets"])
    for name in ("facts", "narratives", "checks", "reports"):
        entry = manifest["datasets"][name]
        assert entry["partitioned_by"] == ["year"]
        years = {
            r[0]
            for r in query(db, f'SELECT DISTINCT r.year FROM "{name}" JOIN reports AS r USING (report_id)')
        }
        dirs = {p.name for p in (out / name).iterdir()}
        assert dirs == {f"year={y}" if y is not None else "year=__HIVE_DEFAULT_PARTITION__" for y in years}
    assert manifest["datasets"]["documents"]["path"] == "documents.parquet"

    with duckdb.connect(":memory:") as con:
        con.execute(f"ATTACH '{db}' AS w (READ_ONLY)")
        for name, entry in manifest["datasets"].items():
            frame = read_export(out, entry)
            assert frame.columns == [c["name"] for c in entry["columns"]], name
            expected = source_rows(db, name)
            assert entry["rows"] == len(expected), name
            assert sorted_rows(frame.rows()) == sorted_rows(expected), name
            if "year" in frame.columns:
                assert frame.schema["year"] == pl.Int32, name
            # and DuckDB reads the same rows back (set difference both ways, duplicates counted)
            files = [str(out / f) for f in entry["files"]]
            src = source_rows_sql(name)
            diff = con.execute(
                f"SELECT count(*) FROM ((SELECT * FROM read_parquet({files!r}) EXCEPT ALL {src}) "
                f"UNION ALL ({src} EXCEPT ALL SELECT * FROM read_parquet({files!r})))"
            ).fetchall()[0][0]
            assert diff == 0, name
    facts = manifest["datasets"]["facts"]
    print(
        f"\nexport: {len(manifest['datasets'])} datasets, {sum(d['rows'] for d in manifest['datasets'].values())} "
        f"rows, {sum(d['bytes'] for d in manifest['datasets'].values()) / 1e6:.2f} MB, facts {facts['rows']} rows "
        f"{facts['bytes'] / 1e3:.0f} kB; CLI wall {wall:.1f} s"
    )


def source_rows_sql(name: str) -> str:
    from flows.analyst.export import YEAR_JOINED

    if name in YEAR_JOINED:
        return f'SELECT t.*, r.year AS year FROM w."{name}" AS t LEFT JOIN w.reports AS r USING (report_id)'
    return f'SELECT * FROM w."{name}"'


def test_re_export_swaps_atomically_under_a_reader(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str, corpus_run: dict[str, Any]
) -> None:
    db = str(corpus_run["db"])
    out = tmp_path / "exp"
    first = xxgk(
        xxgk_bin, cli_env, "export", "--out", str(out), "--db", db, "--tables", "facts,reports,v_series"
    )
    assert first.returncode == 0, first.stderr
    v1 = os.path.realpath(out)

    stop = threading.Event()
    seen: list[str] = []
    failures: list[str] = []

    def reader() -> None:
        """Resolve the export once, then check it is complete: every listed file there, every row readable."""
        while not stop.is_set():
            try:
                root = Path(os.path.realpath(out))
                manifest = json.loads((root / "_schema.json").read_text(encoding="utf-8"))
                for name, entry in manifest["datasets"].items():
                    files = [root / f for f in entry["files"]]
                    rows = pl.scan_parquet(files).select(pl.len()).collect().item()
                    if rows != entry["rows"]:
                        failures.append(f"{root.name}/{name}: {rows} rows, manifest {entry['rows']}")
                seen.append(root.name)
            except Exception as exc:  # noqa: BLE001 - any failure to read is what the test looks for
                failures.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        second = xxgk(
            xxgk_bin, cli_env, "export", "--out", str(out), "--db", db, "--tables", "facts,reports,v_series"
        )
        time.sleep(0.3)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert second.returncode == 0, second.stderr
    assert failures == []
    v2 = os.path.realpath(out)
    assert v2 != v1 and Path(v1).is_dir()  # the previous version stays for readers that resolved it
    assert Path(v2).name in seen and len(seen) > 3

    third = xxgk(xxgk_bin, cli_env, "export", "--out", str(out), "--db", db, "--tables", "reports")
    assert third.returncode == 0, third.stderr
    assert not Path(v1).exists() and Path(v2).is_dir()  # only the current and the previous version are kept
    assert sorted(p.name for p in out.iterdir()) == ["SCHEMA.md", "_schema.json", "reports"]
    assert not [p for p in out.parent.iterdir() if ".link-" in p.name or p.name.endswith(".partial")]


def test_export_csv_refusals_and_unknown_tables(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str, seed_run: dict[str, Any]
) -> None:
    db = seed_run["db"]
    out = tmp_path / "csv"
    result = xxgk(xxgk_bin, cli_env, "export", "--out", str(out), "--db", str(db), "-f", "csv", "-t", "facts", "-t",
                  "documents")  # fmt: skip
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "_schema.json").read_text(encoding="utf-8"))
    assert sorted(manifest["datasets"]) == ["documents", "facts"]
    with duckdb.connect(":memory:") as con:
        got = con.execute(
            f"SELECT report_id, code, party, value FROM read_csv('{out}/facts/*/*.csv', hive_partitioning=true) "
            "ORDER BY ALL"
        ).fetchall()
    assert got == query(db, "SELECT report_id, code, party, value FROM facts ORDER BY ALL")
    assert (out / "documents.csv").is_file()

    unknown = xxgk(xxgk_bin, cli_env, "export", "--out", str(out), "--db", str(db), "-t", "nope")
    assert unknown.returncode == 1 and "unknown dataset(s) nope" in unknown.stderr
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not an export")
    refused = xxgk(xxgk_bin, cli_env, "export", "--out", str(foreign), "--db", str(db))
    assert refused.returncode == 2 and "did not create" in refused.stderr
    assert (foreign / "keep.txt").read_text() == "not an export"


# ---- xxgk report -----------------------------------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    "--enable-logging=stderr", "--v=0",
)  # fmt: skip


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_report_page_for_yinzhou(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str, seed_run: dict[str, Any]
) -> None:
    db = seed_run["db"]
    page = tmp_path / "yinzhou.html"
    started = time.perf_counter()
    result = xxgk(xxgk_bin, cli_env, "report", "--agency", YINZHOU, "--out", str(page), "--db", str(db))
    assert result.returncode == 0, result.stderr
    print(f"\nreport: {time.perf_counter() - started:.2f} s, {page.stat().st_size / 1e3:.0f} kB")
    text = page.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in text and "default-src 'none'" in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in text
    assert "<script" not in text and "<link" not in text
    doc = lxml_html.fromstring(text)
    assert doc.findtext(".//h1") == "宁波市鄞州区卫生健康局"
    assert len(doc.findall(".//svg")) == 3

    # the requests chart's table holds exactly the v_series values
    series = {
        (s, y): v
        for s, y, v in query(db, "SELECT series, year, value FROM v_series WHERE agency_id = ?", [YINZHOU])
    }
    assert series[("h_requests_new", 2018)] is not None and series[("h_requests_new", 2023)] is not None
    table = doc.xpath("//section[h2[contains(., 'Requests and outcomes')]]//table")[0]
    header = [th.text_content() for th in table.xpath(".//th")]
    assert header == ["series", "2018", "2019", "2020", "2021", "2022", "2023"]
    first = [td.text_content() for td in table.xpath(".//tbody/tr[1]/td")]
    assert first[0].startswith("新收申请 new requests")
    assert (
        first[1] == f"{series[('h_requests_new', 2018)]:,.0f}"
        and first[6] == f"{series[('h_requests_new', 2023)]:,.0f}"
    )
    # …and those are the truth files' numbers: l_req_received (2018) and req_new[total] (2023)
    truth_2018 = {(f["code"], f["party"]): f["value"] for f in truth("yinzhou-2018")["facts"]}
    truth_2023 = {(f["code"], f["party"]): f["value"] for f in truth("yinzhou-2023")["facts"]}
    assert (
        (first[1], first[6])
        == (
            f"{truth_2018[('l_req_received', '_')]:,.0f}",
            f"{truth_2023[('req_new', 'total')]:,.0f}",
        )
        == ("2", "10")
    )
    assert first[2:6] == ["–"] * 4
    quality = query(
        db, "SELECT year, hard_fail, completeness FROM v_quality WHERE agency_id = ? ORDER BY year", [YINZHOU]
    )
    assert [r[0] for r in quality] == [2018, 2023]
    assert "Quality flags" in text and "Failed checks" in text and "Imputed cells" in text

    region = xxgk(
        xxgk_bin, cli_env, "report", "--region", "330212", "--out", str(tmp_path / "r.html"), "--db", str(db)
    )
    assert region.returncode == 0, region.stderr
    assert "浙江省宁波市鄞州区" in (tmp_path / "r.html").read_text(encoding="utf-8")
    ambiguous = xxgk(
        xxgk_bin, cli_env, "report", "--agency", "卫生", "--out", str(tmp_path / "x.html"), "--db", str(db)
    )
    assert ambiguous.returncode == 1 and "matches" in ambiguous.stderr and YINZHOU in ambiguous.stderr

    browser = chromium()
    if browser is None:
        pytest.skip(
            "no chromium binary: the page was generated and checked, but not rendered (apt-get install chromium)"
        )
    shot = tmp_path / "report.png"
    run = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium'}", f"--screenshot={shot}",
         "--window-size=1000,2400", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shot.is_file() and shot.stat().st_size > 50_000, run.stderr[-2000:]
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert console == []  # no console output at all: no errors, no CSP violations
    if os.environ.get("XXGK_UPDATE_SCREENSHOT"):
        (REPO / "docs" / "img").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, REPO / "docs" / "img" / "report-yinzhou.png")
