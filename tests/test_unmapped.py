"""No printed number is dropped, and no report that shows statistics loads clean without them.

- Rows the dictionary does not know load under ``unmapped:<normalised label path>`` with their value,
  state and unit, and so do the cells of a value column it has no party for (three provincial 2008-2013
  legacy forms in DOCX/HTML/TXT, one with a previous-year column, tests/fixtures/legacy_variants;
  a G21 seed page with rows added to tables 二 and 三 and a column to table 四, tests/fixtures/unmapped). Their truth files
  give every printed cell, the unmapped ones under the code the loader must give them.
- Unmapped cells feed no rule, no v_rep column, no sum: the G21 page's checks are exactly the seed's.
- A document that shows statistics but yields no table fact carries the failing hard check
  ``tables_unread`` (seed reports with their tables removed or their labels turned to mojibake,
  tests/fixtures/unread).
- Through a real ingest: the facts table holds the unmapped cells exactly, v_quality counts them, v_rep
  ignores them, and the check row of tables_unread is in the warehouse.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from extract import extract_file
from tests.corpus_index import CORPUS, doc_id_of, documents, expected_facts, truth
from tests.test_narrative_numbers import SEEDS as SEED_NARRATIVE_FIGURES
from transform import build_report
from transform.labels import path_segments
from transform.report import Report, is_unmapped
from transform.tables.common import label_key
from transform.vocab import vocab

FIXTURES = Path(__file__).parent / "fixtures"
LEGACY = FIXTURES / "legacy_variants"
UNMAPPED = FIXTURES / "unmapped"
UNREAD = FIXTURES / "unread"
FORMATS = ("docx", "html", "txt")
PROVINCIAL = ("lp-province-2012", "lp-province-2009", "lp-province-2010")
NEW_CODES = (
    "l_pub_ch_pressconf",
    "l_pub_ch_media",
    "l_pub_ch_reading",
    "l_req_ch_letter_fax",
    "l_rep_refused",
    "l_rep_other",
    "l_fee_waived_amount",
    "l_fee_waived_count",
)


@cache
def report_of(path: Path) -> Report:
    return build_report(extract_file(path))


def fixture_truth(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def table_facts(report: Report) -> list[tuple[str, str, float | None, str]]:
    return [(f.code, f.party, f.value, f.state) for f in report.facts if f.table_id != "text"]


def extra_rows_expected() -> tuple[set[tuple], dict[str, Any]]:
    t = fixture_truth(UNMAPPED / "yinzhou-2023.extra-rows.truth.json")
    extra = {(f["code"], f["party"], f["value"], f["state"]) for f in t["extra_facts"]}
    return expected_facts(t["base_truth"]) | extra, t


# ---- provincial legacy forms ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("doc_id", PROVINCIAL)
def test_provincial_form_loads_every_printed_number(doc_id: str, fmt: str) -> None:
    report = report_of(LEGACY / f"{doc_id}.{fmt}")
    t = fixture_truth(LEGACY / f"{doc_id}.truth.json")
    expected = {(f["code"], f["party"], f["value"], f["state"]) for f in t["facts"]}
    got = table_facts(report)
    assert sorted(set(got) - expected, key=str) == [], "facts not in the truth file"
    assert sorted(expected - set(got), key=str) == [], "truth facts not produced"
    assert len(got) == len(expected), "duplicate facts"
    printed_numbers = [f for f in t["facts"] if f["state"] == "number"]
    assert len([f for f in got if f[3] == "number"]) == len(printed_numbers)
    assert report.generations == {"legacy": "legacy"}
    assert {f.code: f.value for f in report.facts if f.table_id == "text"} == t["narrative_facts"]
    assert [s.heading for s in report.sections] == t["headings"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("doc_id", PROVINCIAL)
def test_unmapped_rows_are_flagged_with_label_unit_and_a_warning(doc_id: str, fmt: str) -> None:
    report = report_of(LEGACY / f"{doc_id}.{fmt}")
    t = fixture_truth(LEGACY / f"{doc_id}.truth.json")
    unmapped = [f for f in report.facts if is_unmapped(f.code)]
    assert {f.code: f.unit for f in unmapped} == t["unmapped_units"]
    for f in unmapped:
        assert (f.table_id, f.generation) == ("legacy", "legacy")
        assert f.code not in vocab().metrics
        # raw_label keeps the printed path; its last level is the printed row label
        assert label_key(f.raw_label.split(" > ")) == f.code.removeprefix("unmapped:")
    # one warning per unmapped row (or per cell of a column without a party), naming its code
    expected = []
    for code, label in sorted({(f.code, f.raw_label.split(" > ")[-1]) for f in unmapped}):
        if label.endswith("年度"):
            expected.append(
                f"legacy table: column {label!r} has no party in the dictionary: loaded as {code!r}"
            )
        else:
            expected.append(f"legacy table: row {label!r} is not in the dictionary: loaded as {code!r}")
    assert sorted(report.warnings) == sorted(expected)


@pytest.mark.parametrize("fmt", FORMATS)
def test_provincial_rows_map_to_their_own_codes(fmt: str) -> None:
    """Letters and fax on one row, 不予公开 and 其他类型 replies, 收费及减免: codes of their own, never the
    narrow L16 不同意公开 or the broad Shanghai-model 否决; cumulative figures stay party 'cumulative'."""
    report = report_of(LEGACY / f"lp-province-2012.{fmt}")
    year = {f.code: f.value for f in report.facts if f.party == "_" and f.table_id == "legacy"}
    cum = {f.code: f.value for f in report.facts if f.party == "cumulative"}
    assert (year["l_req_ch_letter_fax"], cum["l_req_ch_letter_fax"]) == (5, 24)
    assert (year["l_rep_refused"], year["l_rep_other"], cum["l_rep_other"]) == (4, 6, 28)
    assert (year["l_fee_waived_amount"], year["l_fee_waived_count"], year["l_ogi_fee"]) == (0.01, 3, 0.05)
    assert (year["l_pub_ch_pressconf"], year["l_pub_ch_media"], year["l_pub_ch_reading"]) == (12, 95, 30)
    assert (year["l_complaints"], cum["l_appeal_total"]) == (1, 1)
    assert "l_rep_denied" not in year and "l_rep_rejected_broad" not in year
    assert set(NEW_CODES) <= set(year)
    assert all(vocab().metrics[c].table == "legacy" for c in NEW_CODES)


def test_form_headed_xiangmu_is_a_statistics_table_by_its_cumulative_column(tmp_path: Path) -> None:
    """The label column headed 项目 / 单位 instead of 指标名称 / 计量单位: the 历年累计 column alone tells the
    table is a local 统计表, and it loads exactly as the original."""
    page = (LEGACY / "lp-province-2012.html").read_text(encoding="utf-8")
    assert page.count(">指标名称<") == 1 and page.count(">计量单位<") == 1
    variant = tmp_path / "lp-province-2012.xiangmu.html"
    variant.write_text(page.replace(">指标名称<", ">项目<").replace(">计量单位<", ">单位<"), encoding="utf-8")
    t = fixture_truth(LEGACY / "lp-province-2012.truth.json")
    expected = sorted(((f["code"], f["party"], f["value"], f["state"]) for f in t["facts"]), key=str)
    assert sorted(table_facts(build_report(extract_file(variant))), key=str) == expected


def test_unmapped_cells_feed_no_rule() -> None:
    """The 电话申请 channel (2 of 38) sits beside the mapped channels; no rule sees it."""
    for doc_id in PROVINCIAL:
        for c in report_of(LEGACY / f"{doc_id}.docx").checks:
            assert "unmapped" not in c.detail, (c.rule_id, c.detail)


def test_unmapped_key_is_the_dictionary_normalisation() -> None:
    """Mapping an unmapped row later is a dictionary entry: its key is exactly what the dictionary's own
    label paths normalise to (metrics.csv legacy_label_path / transform.labels.path_segments)."""
    printed = "二、依申请公开情况 > 其中：收到申请数 > 　　4.电话申请数（含传真咨询）"
    assert label_key(printed.split(">")) == " > ".join(path_segments(printed))
    assert label_key(printed.split(">")) == "依申请公开情况 > 收到申请数 > 电话申请数"


# ---- G19/G21 tables: rows a local form adds ----------------------------------------------------------


def test_g21_added_rows_load_unmapped_and_nothing_else_changes() -> None:
    expected, _ = extra_rows_expected()
    report = report_of(UNMAPPED / "yinzhou-2023.extra-rows.html")
    got = table_facts(report)
    assert sorted(set(got) - expected, key=str) == []
    assert sorted(expected - set(got), key=str) == []
    assert len(got) == len(expected)
    seed = report_of(CORPUS / "seeds" / "yinzhou-2023.html")
    # the added rows print 1 + 2 requests that no rule, sum or derived code may count
    key = lambda c: (c.rule_id, c.party, c.status, c.lhs, c.rhs)  # noqa: E731
    assert sorted(map(key, report.checks)) == sorted(map(key, seed.checks))
    assert report.generations == seed.generations == {"t2": "g21", "t3": "g19", "t4": "g19"}
    assert [
        f.raw_label for f in report.facts if f.code == "unmapped:申请人撤回申请" and f.party == "total"
    ] == ["五、申请人撤回申请 > 申请人情况 > 总计"]
    t4 = [(f.raw_label, f.generation) for f in report.facts if f.code == "unmapped:行政复议 > 撤回申请"]
    assert t4 == [("行政复议 > 撤回申请", "g19")]


# ---- tables_unread --------------------------------------------------------------------------------------


UNREAD_CASES = {
    # file: (seed, printed numbers the tables still show, headings that announce them)
    "yinzhou-2023.mojibake.html": (
        "yinzhou-2023",
        sum(1 for f in truth("yinzhou-2023")["facts"] if f["state"] == "number"),
        "statistics heading '三、收到和处理政府信息公开申请情况', '四、政府信息公开行政复议、行政诉讼情况'; "
        "3 table(s) printing 186 numbers",
    ),
    "yinzhou-2023.no-tables.docx": (
        "yinzhou-2023",
        0,
        "statistics heading '三、收到和处理政府信息公开申请情况', '四、政府信息公开行政复议、行政诉讼情况'",
    ),
    "yinzhou-2018.no-table.docx": ("yinzhou-2018", 0, "statistics heading '政府信息公开情况统计表（样表）'"),
}


@pytest.mark.parametrize("name", sorted(UNREAD_CASES))
def test_statistics_shown_but_unread_is_a_failing_check(name: str) -> None:
    seed, numbers, evidence = UNREAD_CASES[name]
    report = report_of(UNREAD / name)
    assert table_facts(report) == []
    detail = f"{evidence}; no table cell was read: the statistics of this report are not loaded"
    assert [(c.rule_id, c.party, c.severity, c.status, c.lhs, c.rhs, c.detail) for c in report.checks] == [
        ("tables_unread", "_", "hard", "fail", float(numbers), 0.0, detail)
    ]
    assert report.warnings == [f"tables_unread: {detail}"]
    # the narrative still loads whole: its headings and the figures it states
    headings = [p["heading"] for p in truth(seed)["narrative"]]
    headings += [s["heading"] for p in truth(seed)["narrative"] for s in p.get("subsections", [])]
    assert sorted(s.heading for s in report.sections) == sorted(headings)
    assert {f.code: f.value for f in report.facts if f.table_id == "text"} == SEED_NARRATIVE_FIGURES[seed]


def test_no_corpus_document_is_flagged_unread_or_unmapped() -> None:
    """Every corpus document reads its tables: tables_unread never fires and nothing is unmapped there
    (the narrative-only fixture, which shows no statistics, is not flagged either)."""
    paths = [*documents(), *(LEGACY / f"narrative-only-2015.{fmt}" for fmt in FORMATS)]
    flagged = {}
    for path in paths:
        report = build_report(extract_file(path))
        bad = [c.rule_id for c in report.checks if c.rule_id == "tables_unread"]
        bad += [f.code for f in report.facts if is_unmapped(f.code)]
        if bad:
            flagged[path.name] = bad
    assert flagged == {}
    assert len(paths) == 76 and doc_id_of(paths[-1]) == "narrative-only-2015"


# ---- through the warehouse ------------------------------------------------------------------------------

DROP = {
    "lp-province-2012.docx": LEGACY / "lp-province-2012.docx",
    "lp-province-2009.html": LEGACY / "lp-province-2009.html",
    "yinzhou-2023.extra-rows.html": UNMAPPED / "yinzhou-2023.extra-rows.html",
    "yinzhou-2018.no-table.docx": UNREAD / "yinzhou-2018.no-table.docx",
}


@pytest.fixture(scope="module")
def warehouse(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from tests.test_ingest import documents_by_name, run_ingest

    root = tmp_path_factory.mktemp("unmapped")
    drop, db = root / "drop", root / "warehouse.duckdb"
    drop.mkdir()
    for name, src in DROP.items():
        shutil.copyfile(src, drop / name)
    run_ingest(drop, db)
    docs = documents_by_name(db)
    assert {n: d["status"] for n, d in docs.items()} == dict.fromkeys(DROP, "loaded")
    yield {"db": db, "ids": {n: d["report_id"] for n, d in docs.items()}}


def _expected_of(name: str) -> set[tuple]:
    if name == "yinzhou-2023.extra-rows.html":
        return extra_rows_expected()[0]
    t = fixture_truth(LEGACY / f"{name.split('.')[0]}.truth.json")
    return {(f["code"], f["party"], f["value"], f["state"]) for f in t["facts"]}


@pytest.mark.parametrize("name", [n for n in DROP if "no-table" not in n])
def test_warehouse_holds_every_printed_cell_and_v_quality_counts_the_unmapped(
    warehouse: dict[str, Any], name: str
) -> None:
    from tests.test_ingest import query

    db, rid = warehouse["db"], warehouse["ids"][name]
    expected = _expected_of(name)
    rows = query(
        db, "SELECT code, party, value, state FROM facts WHERE report_id = ? AND table_id <> 'text'", [rid]
    )
    assert sorted(set(rows) - expected, key=str) == [] and sorted(expected - set(rows), key=str) == []
    assert len(rows) == len(expected)
    unmapped = sorted(e for e in expected if e[0].startswith("unmapped:"))
    assert (
        sorted(
            query(
                db,
                "SELECT code, party, value, state FROM facts WHERE report_id = ? AND starts_with(code, 'unmapped:')",
                [rid],
            )
        )
        == unmapped
    )
    assert query(db, "SELECT unmapped_cells FROM v_quality WHERE report_id = ?", [rid]) == [(len(unmapped),)]


def test_v_rep_never_adds_an_unmapped_cell(warehouse: dict[str, Any]) -> None:
    """v_rep shows the mapped values only: 38 requests received (the 2 by phone are unmapped), and the
    G21 page's 总计 is the seed's 10 although the added rows print 1 + 2 more."""
    from tests.test_ingest import query

    db, ids = warehouse["db"], warehouse["ids"]
    assert query(
        db,
        "SELECT l_req_received, l_pub_items FROM v_rep WHERE report_id = ?",
        [ids["lp-province-2012.docx"]],
    ) == [(38.0, 1250.0)]
    seed = {(f["code"], f["party"]): f["value"] for f in truth("yinzhou-2023")["facts"]}
    assert query(
        db,
        "SELECT req_new, out_total, out_na FROM v_rep WHERE report_id = ?",
        [ids["yinzhou-2023.extra-rows.html"]],
    ) == [
        (
            seed[("req_new", "total")],
            seed[("out_total", "total")],
            seed[("out_na_notheld", "total")]
            + seed[("out_na_create", "total")]
            + seed[("out_na_unclear", "total")],
        )
    ]
    columns = query(db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'v_rep'")
    assert [c for (c,) in columns if "unmapped" in c] == []


def test_v_unmapped_lists_the_cells_to_map(warehouse: dict[str, Any]) -> None:
    from tests.test_ingest import query

    db, ids = warehouse["db"], warehouse["ids"]
    expected = [
        (ids[name], code.removeprefix("unmapped:"), party, value, state)
        for name in DROP
        if "no-table" not in name
        for code, party, value, state in _expected_of(name)
        if code.startswith("unmapped:")
    ]
    got = query(db, "SELECT report_id, label_path, party, value, state FROM v_unmapped")
    assert sorted(got, key=str) == sorted(expected, key=str)
    # 2012: 4 rows x (year, cumulative); 2009: 3 rows; G21 page: 1 (二) + 2 rows x 7 columns (三) + 1 (四)
    tables = dict(query(db, "SELECT table_id, count(*) FROM v_unmapped GROUP BY table_id"))
    assert tables == {"legacy": 8 + 3, "t2": 1, "t3": 14, "t4": 1}


def test_unread_report_is_a_failing_check_in_the_warehouse(warehouse: dict[str, Any]) -> None:
    from tests.test_ingest import query

    db, rid = warehouse["db"], warehouse["ids"]["yinzhou-2018.no-table.docx"]
    assert query(
        db, "SELECT rule_id, party, severity, status, lhs, rhs FROM checks WHERE report_id = ?", [rid]
    ) == [("tables_unread", "_", "hard", "fail", 0.0, 0.0)]
    assert query(db, "SELECT hard_fail, unmapped_cells FROM v_quality WHERE report_id = ?", [rid]) == [(1, 0)]
    assert query(db, "SELECT count(*) FROM facts WHERE report_id = ? AND table_id <> 'text'", [rid]) == [(0,)]
    assert query(
        db,
        "SELECT severity, description LIKE 'No silent loss:%' FROM rule_dictionary WHERE rule_id = 'tables_unread'",
    ) == [("hard", True)]


def test_report_page_shows_unmapped_cells_and_tables_unread(warehouse: dict[str, Any]) -> None:
    """The agency page (xxgk report) of the seed agency: its 2023 report with 16 unmapped cells, its 2018
    report whose 统计表 went missing with the failing tables_unread check."""
    import duckdb
    from lxml import html as lxml_html

    from flows.analyst.report.page import render_report
    from tests.test_ingest import query

    db, ids = warehouse["db"], warehouse["ids"]
    (agency_id,) = {
        a
        for (a,) in query(
            db,
            "SELECT agency_id FROM reports WHERE report_id IN (?, ?)",
            [ids["yinzhou-2023.extra-rows.html"], ids["yinzhou-2018.no-table.docx"]],
        )
    }
    con = duckdb.connect(str(db), read_only=True)
    try:
        page, _ = render_report(con, agency=agency_id)
    finally:
        con.close()
    doc = lxml_html.fromstring(page)
    (quality,) = [
        t for t in doc.iter("table") if "unmapped_cells" in [th.text_content() for th in t.iter("th")]
    ]
    head = [th.text_content() for th in quality.iter("th")]
    cells = {
        row[head.index("year")]: row
        for row in ([td.text_content() for td in tr.iter("td")] for tr in quality.iter("tr"))
        if row
    }
    assert {y: (r[head.index("unmapped_cells")], r[head.index("hard_fail")]) for y, r in cells.items()} == {
        "2018": ("0", "1"),
        "2023": ("16", "0"),
    }
    failed = [
        [td.text_content() for td in tr.iter("td")][:2]
        for t in doc.iter("table")
        if "rule_id" in [th.text_content() for th in t.iter("th")]
        for tr in t.iter("tr")
    ]
    assert ["2018", "tables_unread"] in failed
