"""Glued crawler text: tables flattened into one run without cell separators (``…申请数量230000023二、…``).

Every corpus HTML page's glued text (tests/fixtures/forms/glued/, made by derive_text_forms.py): every
value loaded equals the truth, a row is recovered exactly when it printed all its cells (a row with a
blank cell has too few digits for any split to fit, so it is refused), refused rows and the tables no
identity can split (二, 四) load nothing and say so (warning + failing ``tables_unread`` check), and the
narrative still loads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extract import extract_file
from tests.corpus_index import CORPUS, truth
from transform import build_report
from transform.tables.glued import RECOVERED, TABLES_UNREAD

GLUED = Path(__file__).parent / "fixtures" / "forms" / "glued"
PAGES = sorted(p for sub in ("seeds", "synthetic") for p in (CORPUS / sub).glob("*.html"))


def _doc(path: Path) -> str:
    return path.name.split(".")[0]


def _truth_cells(doc: str) -> dict[tuple[str, str], tuple[float | None, str]]:
    return {
        (f["code"], f["party"]): (None if f["value"] is None else float(f["value"]), f["state"])
        for f in truth(doc)["facts"]
    }


def _complete_rows(doc: str, table: str) -> set[str]:
    """Codes of the truth rows of one table that printed every cell (no blank, dash or text)."""
    t3_codes = {f["code"] for f in truth(doc)["facts"] if f["party"] != "_"}
    rows: dict[str, list[str]] = {}
    for f in truth(doc)["facts"]:
        in_table = f["code"] in t3_codes if table == "t3" else f["code"].startswith("l_")
        if in_table:
            rows.setdefault(f["code"], []).append(f["state"])
    if table == "t3":
        return {code for code, states in rows.items() if all(s == "number" for s in states)}
    return set(rows)


@pytest.fixture(scope="module")
def reports():
    return {_doc(p): build_report(extract_file(GLUED / f"{_doc(p)}.glued.txt")) for p in PAGES}


def test_every_corpus_page_has_its_glued_text() -> None:
    assert PAGES
    for page in PAGES:
        assert (GLUED / f"{_doc(page)}.glued.txt").is_file(), page.name


@pytest.mark.parametrize("page", PAGES, ids=_doc)
def test_every_loaded_value_equals_the_truth(page: Path, reports) -> None:
    doc = _doc(page)
    report = reports[doc]
    expected = _truth_cells(doc)
    facts = [f for f in report.facts if f.table_id != "text"]
    assert len({(f.code, f.party) for f in facts}) == len(facts), "duplicate facts"
    for f in facts:
        value, state = expected[(f.code, f.party)]
        assert f.value == value, (f.code, f.party, f.value, value)
        # a printed number split out of the glued digits is 'recovered'; a blank stays a blank
        assert (RECOVERED if state == "number" else state) == f.state, (f.code, f.party, f.state, state)


@pytest.mark.parametrize("page", PAGES, ids=_doc)
def test_a_row_is_recovered_exactly_when_it_printed_every_cell(page: Path, reports) -> None:
    doc = _doc(page)
    report = reports[doc]
    table = "legacy" if truth(doc)["metadata"]["generation"] == "legacy" else "t3"
    loaded = {f.code for f in report.facts if f.table_id == table}
    complete = _complete_rows(doc, table)
    assert loaded == complete
    refused = (
        sorted({f["code"] for f in truth(doc)["facts"] if f["party"] != "_"} - complete)
        if table == "t3"
        else []
    )
    unread = {c.party: c for c in report.checks if c.rule_id == TABLES_UNREAD}
    if refused:
        check = unread["t3"]
        assert (check.severity, check.status) == ("hard", "fail")
        assert f"{len(refused)} of " in check.detail and "no split gives 总计" in check.detail
        assert any(w.startswith(f"{TABLES_UNREAD}: table 3") for w in report.warnings)
    else:
        assert "t3" not in unread


@pytest.mark.parametrize("page", PAGES, ids=_doc)
def test_tables_no_identity_can_split_are_reported_unread(page: Path, reports) -> None:
    doc = _doc(page)
    report = reports[doc]
    unread = {c.party for c in report.checks if c.rule_id == TABLES_UNREAD}
    if truth(doc)["metadata"]["generation"] == "legacy":
        assert unread == set()
        return
    assert {"t2", "t4"} <= unread
    assert not any(f.table_id in ("t2", "t4") for f in report.facts)
    assert all(
        c.status == "fail" and c.severity == "hard" for c in report.checks if c.rule_id == TABLES_UNREAD
    )


@pytest.mark.parametrize("page", PAGES, ids=_doc)
def test_the_narrative_still_loads(page: Path, reports) -> None:
    doc = _doc(page)
    report = reports[doc]
    headings = ["".join(p["heading"].split()) for p in truth(doc)["narrative"]]
    got = ["".join(s.heading.split()) for s in report.sections if "." not in s.section]
    assert [h for h in got if h in headings] == headings
    html = build_report(extract_file(page))
    html_txt = {(f.code, f.value) for f in html.facts if f.table_id == "text"}
    glued_txt = {(f.code, f.value) for f in report.facts if f.table_id == "text"}
    assert glued_txt == html_txt


def test_share_recovered() -> None:
    """The figure for the note: the truth cells of tables 三 and 统计表 that glued text recovers."""
    total = recovered = 0
    for page in PAGES:
        doc = _doc(page)
        table = "legacy" if truth(doc)["metadata"]["generation"] == "legacy" else "t3"
        report = build_report(extract_file(GLUED / f"{doc}.glued.txt"))
        cells = [
            k
            for k in _truth_cells(doc)
            if (k[1] != "_") == (table == "t3") and (table == "t3" or k[0].startswith("l_"))
        ]
        total += len(cells)
        recovered += sum(1 for f in report.facts if f.table_id == table)
    complete = sum(
        len(
            [
                k
                for k in _truth_cells(_doc(p))
                if k[0]
                in _complete_rows(
                    _doc(p), "legacy" if truth(_doc(p))["metadata"]["generation"] == "legacy" else "t3"
                )
            ]
        )
        for p in PAGES
    )
    assert recovered == complete
    assert 0.99 < recovered / total < 1.0


# ---- the splitting rules, on tiny glued tables -------------------------------------------------------------

HEADER = (
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计"
    "商业企业科研机构社会公益组织法律服务机构其他"
)
ROWS = [
    ("一、本年新收政府信息公开申请数量", "0000000"),
    ("二、上年结转政府信息公开申请数量", "0000000"),
    ("三、本年度办理结果（一）予以公开", "0000000"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "0000000"),
    ("（三）不予公开1.属于国家秘密", "0000000"),
    ("2.其他法律行政法规禁止公开", "0000000"),
    ("3.危及“三安全一稳定”", "0000000"),
    ("4.保护第三方合法权益", "0000000"),
    ("5.属于三类内部事务信息", "0000000"),
    ("6.属于四类过程性信息", "0000000"),
    ("7.属于行政执法案卷", "0000000"),
    ("8.属于行政查询事项", "0000000"),
    ("（四）无法提供1.本机关不掌握相关政府信息", "0000000"),
    ("2.没有现成信息需要另行制作", "0000000"),
    ("3.补正后申请内容仍不明确", "0000000"),
    ("（五）不予处理1.信访举报投诉类申请", "0000000"),
    ("2.重复申请", "0000000"),
    ("3.要求提供公开出版物", "0000000"),
    ("4.无正当理由大量反复申请", "0000000"),
    ("5.要求行政机关确认或重新出具已获取信息", "0000000"),
    ("（六）其他处理", "0000000"),
    ("（七）总计", "0000000"),
    ("四、结转下年度继续办理", "0000000"),
]


def _glued(tmp_path: Path, **digits: str):
    """A G19 report whose table 三 is one glued run; ``digits`` replaces rows by their label's start."""
    rows = []
    for label, value in ROWS:
        for start, new in digits.items():
            if label.startswith(start.replace("_", "、")) or start in label:
                value = new
        rows.append(label + value)
    text = "某某局2023年政府信息公开工作年度报告\n一、总体情况\n本年度收到申请。\n三、收到和处理政府信息公开申请情况\n"
    text += HEADER + "".join(rows) + "\n五、存在的主要问题及改进情况\n无。\n"
    path = tmp_path / "glued.txt"
    path.write_text(text, encoding="utf-8")
    report = build_report(extract_file(path))
    cells = {(f.code, f.party): f for f in report.facts if f.table_id == "t3"}
    return report, cells


def test_the_issue_example_with_a_kept_space_is_recovered(tmp_path: Path) -> None:
    report, cells = _glued(tmp_path, 本年新收="230 000023", 总计="230000023", 予以公开="230000023")
    assert [cells[("req_new", p)].value for p in ("natural_person", "org_business", "total")] == [
        23.0,
        0.0,
        23.0,
    ]
    assert {f.state for f in cells.values()} == {RECOVERED}
    assert cells[("req_new", "total")].raw_value == "230 000023"
    assert not [c for c in report.checks if c.rule_id == TABLES_UNREAD and c.party == "t3"]
    assert all(c.status == "pass" for c in report.checks if c.rule_id == "T3-A")


def test_a_row_two_splits_fit_is_not_recovered(tmp_path: Path) -> None:
    """110000011 is 1,10,0,0,0,0,11 or 11,0,0,0,0,0,11: both keep 总计 = the sum, and the column identities
    cannot tell them apart when every row that could is ambiguous the same way."""
    report, cells = _glued(tmp_path, 本年新收="110000011", 总计="110000011", 予以公开="110000011")
    assert not any(code in ("req_new", "out_total", "out_granted") for code, _ in cells)
    assert ("req_carried_in", "total") in cells  # the rows the digits settle are still recovered
    (check,) = [c for c in report.checks if c.rule_id == TABLES_UNREAD and c.party == "t3"]
    assert "2 splits satisfy the row and column identities" in check.detail and check.status == "fail"


def test_the_column_identities_settle_a_row_the_row_identity_cannot(tmp_path: Path) -> None:
    """总计 110000011 is ambiguous alone; 予以公开 1000001 + 部分公开 100000010 = 11 for 自然人 (T3-B) and
    T3-A (new 11 = closed 11) leave only 11,0,0,0,0,0,11."""
    report, cells = _glued(
        tmp_path, 本年新收="110000011", 总计="110000011", 予以公开="1000001", 部分公开="100000010"
    )
    assert cells[("out_total", "natural_person")].value == 11.0
    assert cells[("req_new", "natural_person")].value == 11.0
    assert cells[("out_partial", "natural_person")].value == 10.0
    assert not [c for c in report.checks if c.rule_id == TABLES_UNREAD and c.party == "t3"]


def test_a_row_whose_total_is_not_the_sum_is_refused(tmp_path: Path) -> None:
    report, cells = _glued(tmp_path, 重复申请="1000002")
    assert ("out_np_repeat", "total") not in cells
    (check,) = [c for c in report.checks if c.rule_id == TABLES_UNREAD and c.party == "t3"]
    assert "2.重复申请" in check.detail and "no split gives 总计" in check.detail


def test_the_next_labels_ordinal_is_not_read_as_a_digit(tmp_path: Path) -> None:
    """'…属于国家秘密1000001' + '2.其他…' glue to '10000012.其他': the 2 is the next label's ordinal."""
    report, cells = _glued(tmp_path, 属于国家秘密="1000001", 本年新收="1000001", 总计="1000001")
    assert cells[("out_den_secret", "total")].value == 1.0
    assert cells[("out_den_law", "total")].value == 0.0
