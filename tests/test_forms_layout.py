"""Layout text (``pdftotext -layout``, viewer copies, OCR text exports): every corpus PDF's layout text and
its variants load exactly its truth facts, by label path, through the ``aligned`` txt layout.

The derived files are committed (tests/fixtures/forms/layout/, made by derive_text_forms.py from the
corpus PDFs with Debian poppler-utils), so no test needs pdftotext at run time.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from extract import extract_file, txt
from extract.model import Table
from tests.corpus_index import CORPUS, as_printed, expected_facts
from transform import build_report

LAYOUT = Path(__file__).parent / "fixtures" / "forms" / "layout"
PDFS = sorted(
    p for sub in ("seeds", "synthetic") for p in (CORPUS / sub).glob("*.pdf") if ".scanned." not in p.name
)
VARIANTS = ("layout", "footers", "spaced", "below")

KNOWN_GAPS: dict[tuple[str, str], int] = {
    # (variant, doc) -> truth cells not loaded. Each is a 统计表 row whose label the letter spacing or the
    # moved numbers leave ambiguous (a label wrapped around its row whose pieces also fit the row above, or
    # a row with an empty value whose unit merges into the wrapped label above); such a row loads under an
    # unmapped: code, or not at all with an 'unknown row' warning, never under another label.
    ("spaced", "yinzhou-2018"): 1,
    ("below", "yinzhou-2018"): 3,
}


def _doc(path: Path) -> str:
    return path.name.split(".")[0]


def _facts(path: Path):
    report = build_report(extract_file(path))
    table = [f for f in report.facts if f.table_id != "text"]
    return report, table, as_printed((f.table_id, f.code, f.party, f.value, f.state) for f in table)


def test_every_non_scanned_corpus_pdf_has_its_derived_layout_files() -> None:
    assert PDFS
    for pdf in PDFS:
        for variant in VARIANTS:
            assert (LAYOUT / f"{_doc(pdf)}.{variant}.txt").is_file(), (pdf.name, variant)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("pdf", PDFS, ids=_doc)
def test_layout_text_loads_exactly_the_truth(pdf: Path, variant: str) -> None:
    path = LAYOUT / f"{_doc(pdf)}.{variant}.txt"
    doc = extract_file(path)
    assert doc.format == "txt"
    assert doc.tables and all(t.grid == "aligned" for t in doc.tables)
    _report, table_facts, got = _facts(path)
    expected = expected_facts(_doc(pdf))
    unmapped = {f for f in got if f[0].startswith("unmapped:")}
    mapped = got - unmapped
    assert sorted(mapped - expected, key=str) == [], "facts not in the truth file (a wrong or invented value)"
    assert len(table_facts) == len(got), "duplicate facts"
    missing = expected - mapped
    assert len(missing) == KNOWN_GAPS.get((variant, _doc(pdf)), 0), sorted(missing, key=str)
    # a known gap is never a dropped or invented number: what loads unmapped is a lost cell's value
    lost = Counter((v, s) for _c, _p, v, s in missing)
    assert Counter((v, s) for _c, _p, v, s in unmapped) <= lost, unmapped


def test_cell_accuracy_per_derived_form() -> None:
    """The figure the closing note reports: truth cells loaded per derived form (never a wrong one)."""
    for variant in VARIANTS:
        total = sum(len(expected_facts(_doc(p))) for p in PDFS)
        lost = sum(KNOWN_GAPS.get((variant, _doc(p)), 0) for p in PDFS)
        got = 0
        for pdf in PDFS:
            _r, _t, facts = _facts(LAYOUT / f"{_doc(pdf)}.{variant}.txt")
            got += len(facts & expected_facts(_doc(pdf)))
        assert got == total - lost, variant


# ---- the geometry, one rule per regression fixture ------------------------------------------------------


def _table(text: str) -> Table:
    blocks = txt.parse_lines(text.split("\n"))
    tables = [b for b in blocks if isinstance(b, Table)]
    assert len(tables) == 1, blocks
    return tables[0]


def _rows(table: Table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


HEADER = (
    "                            申请人情况\n"
    "（本列数据的勾稽关系为：第一项加\n"
    "                           法人或其他组织\n"
    "第二项之和，等于第三项加第四项之\n"
    "和）               自然人 商业企 科研机 社会公 法律服              总计\n"
    "                                             其他\n"
    "                      业   构  益组织 务机构\n"
)


def test_header_pieces_wrapped_under_their_cell_are_joined() -> None:
    table = _table(
        HEADER + "一、本年新收政府信息公开申请数量        10   0   0   0   0   0    10\n"
        "二、上年结转政府信息公开申请数量        0    0   0   0   0   0    0\n"
        "（七）总计                            10   0   0   0   0   0    10\n"
        "四、结转下年度继续办理                0    0   0   0   0   0    0\n"
    )
    words = {c.text for row in table.rows[:6] for c in row}
    assert {"商业企业", "科研机构", "社会公益组织", "法律服务机构", "自然人", "其他", "总计"} <= words
    assert "法人或其他组织" in words  # a group cell over several columns is not joined with them


def test_label_wrapped_around_its_numbers_is_one_label() -> None:
    table = _table(
        HEADER + "一、本年新收政府信息公开申请数量        10   0   0   0   0   0    10\n"
        "             2.其他法律行政\n"
        "                        0    0   0   0   0   0    0\n"
        "             法规禁止公开\n"
        "             3.危及“三安全\n"
        "                        1    0   0   0   0   0    1\n"
        "             一稳定”\n"
        "二、上年结转政府信息公开申请数量        0    0   0   0   0   0    0\n"
    )
    body = _rows(table)[-4:]
    assert body[1] == ["2.其他法律行政法规禁止公开", "0", "0", "0", "0", "0", "0", "0"]
    assert body[2] == ["3.危及“三安全一稳定”", "1", "0", "0", "0", "0", "0", "1"]


def test_letter_spaced_label_reads_as_its_words() -> None:
    table = _table(
        HEADER + "一 、 本 年 新 收 政 府 信 息 公 开 申 请 数 量  10   0   0   0   0   0    10\n"
        "  （ 一 ） 予 以 公 开         4    0   0   0   0   0    4\n"
        "规 章     0    0   0   0   0   0    0\n"
        "二、上年结转政府信息公开申请数量        0    0   0   0   0   0    0\n"
    )
    labels = [row[0].text for row in table.rows[-4:]]
    assert labels == [
        "一、本年新收政府信息公开申请数量",
        "（一）予以公开",
        "规章",
        "二、上年结转政府信息公开申请数量",
    ]


def test_page_footer_and_form_feed_inside_a_table_are_dropped() -> None:
    text = (
        HEADER + "一、本年新收政府信息公开申请数量        10   0   0   0   0   0    10\n"
        "\n                              -3-\n"
        "\f二、上年结转政府信息公开申请数量        0    0   0   0   0   0    0\n"
        "（七）总计                            10   0   0   0   0   0    10\n"
        "四、结转下年度继续办理                0    0   0   0   0   0    0\n"
    )
    table = _table(text)
    assert [r[0] for r in _rows(table)[-4:]] == [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "（七）总计",
        "四、结转下年度继续办理",
    ]
    assert {c.page for c in table.rows[-1]} == {2}
    assert not any("-3-" in c.text for row in table.rows for c in row)


def test_numbers_on_the_line_below_their_label() -> None:
    table = _table(
        HEADER + "一、本年新收政府信息公开申请数量\n"
        "                        10   0   0   0   0   0    10\n"
        "二、上年结转政府信息公开申请数量\n"
        "                        0    0   0   0   0   0    0\n"
        "（七）总计\n"
        "                        10   0   0   0   0   0    10\n"
        "四、结转下年度继续办理\n"
        "                        0    0   0   0   0   0    0\n"
    )
    assert [r[0] for r in _rows(table)[-4:]] == [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "（七）总计",
        "四、结转下年度继续办理",
    ]


ROWS7 = (
    "一、本年新收政府信息公开申请数量        10   0   0   0   0   0    10\n"
    "二、上年结转政府信息公开申请数量        0    0   0   0   0   0    0\n"
    "    （七）总计                          4    0   0   0   0   0    4\n"
)


def test_a_short_row_is_placed_by_the_columns_its_numbers_sit_in() -> None:
    table = _table(HEADER + ROWS7 + "      （一）予以公开                0   0   0   0   0    4\n")
    assert _rows(table)[-1] == ["（一）予以公开", "", "0", "0", "0", "0", "0", "4"]


def test_numbers_pushed_by_a_long_label_are_not_placed_by_position() -> None:
    table = _table(
        HEADER + ROWS7 + "      （一）予以公开（这是一个很长的标签文字）  0   0   0   0   0    4\n"
    )
    assert _rows(table)[-1] == ["（一）予以公开（这是一个很长的标签文字）", "0", "0", "0", "0", "0", "4"]


def test_a_row_whose_numbers_do_not_fit_the_columns_is_not_guessed(tmp_path: Path) -> None:
    """Five numbers for seven columns, not in the columns: warning, no fact, and the checks say so."""
    text = (
        "2023年某局政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
        + HEADER
        + ROWS7
        + "      （一）予以公开  4 0 0 0 4\n"
        + "      （二）部分公开                0   0   0   0   0   0    0\n"
        + "    （七）总计                      4   0   0   0   0   0    4\n"
        + "四、结转下年度继续办理                0    0   0   0   0   0    0\n"
    )
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    report = build_report(extract_file(path))
    codes = {f.code for f in report.facts if f.table_id == "t3"}
    assert "out_granted" not in codes and {"req_new", "out_partial", "out_total"} <= codes
    assert any("予以公开" in w and "not loaded" in w for w in report.warnings)
    t3b = [c for c in report.checks if c.rule_id == "T3-B" and c.party == "total"]
    assert t3b and t3b[0].status == "not_evaluable" and "out_granted[total] missing" in t3b[0].detail


def test_table_4_header_lost_to_wrapping_reads_the_forms_column_order() -> None:
    report = build_report(extract_file(LAYOUT / "yinzhou-2023.layout.txt"))
    t4 = {f.code: f.value for f in report.facts if f.table_id == "t4"}
    assert len(t4) == 15
    assert any("table 4" in w and "column order" in w for w in report.warnings)


# ---- a real ingest -------------------------------------------------------------------------------------


def test_layout_and_glued_text_through_a_real_ingest_run(prefect_harness: None, tmp_path: Path) -> None:
    """Two layout-text reports (a 2021-form seed split over pages, a legacy 统计表 with page footers) and
    one glued crawler page in a drop directory: one real flow run loads the layout text with exactly its
    truth facts and its narrative; the glued page with its recovered values flagged ``recovered`` and its
    unread tables as failing ``tables_unread`` check rows in the warehouse."""
    import shutil

    from tests.test_ingest import documents_by_name, loaded_facts, query, run_ingest

    drop, db = tmp_path / "drop", tmp_path / "warehouse.duckdb"
    drop.mkdir()
    names = {
        "yinzhou-2023.layout.txt": "yinzhou-2023",
        "s0007-anning-jtj-2018.footers.txt": "s0007-anning-jtj-2018",
    }
    for name in names:
        shutil.copy(LAYOUT / name, drop / name)
    glued = LAYOUT.parent / "glued" / "longwan-2023.glued.txt"
    shutil.copy(glued, drop / glued.name)
    summary = run_ingest(drop, db)
    assert (summary["loaded"], summary["rejected"]) == (3, 0)
    docs = documents_by_name(db)
    for name, doc_id in names.items():
        doc = docs[name]
        assert (doc["status"], doc["format"]) == ("loaded", "txt")
        assert loaded_facts(db, doc["report_id"]) == expected_facts(doc_id)
        sections = {
            r[0] for r in query(db, "SELECT section FROM narratives WHERE report_id = ?", [doc["report_id"]])
        }
        assert {"overview", "requests", "problems"} <= sections
        (narrative_only,) = query(
            db, "SELECT narrative_only FROM reports WHERE report_id = ?", [doc["report_id"]]
        )[0]
        assert narrative_only is False
    rid = docs[glued.name]["report_id"]
    truth_cells = {(c, p): (v, s) for c, p, v, s in expected_facts("longwan-2023")}
    rows = query(
        db, "SELECT code, party, value, state FROM facts WHERE report_id = ? AND table_id <> 'text'", [rid]
    )
    assert rows and {r[3] for r in rows} == {"recovered"}
    assert all(truth_cells[(code, party)] == (value, "number") for code, party, value, _ in rows)
    unread = query(
        db,
        "SELECT party, severity, status FROM checks WHERE report_id = ? AND rule_id = 'tables_unread'",
        [rid],
    )
    assert sorted(unread) == [("t2", "hard", "fail"), ("t3", "hard", "fail"), ("t4", "hard", "fail")]


def test_a_bracketed_note_after_a_gap_stays_with_its_label() -> None:
    """'( 二 )  部 分 公 开  ( 区 分 处 理 的 ,' : the note after a two-space gap is the label's, not a
    header cell over the value columns (which would cut the table in two)."""
    table = _table(
        HEADER + ROWS7 + "年 度 办  ( 二 )  部 分 公 开  ( 区 分 处 理 的 ,\n"
        "理 结 果  只 计 这 一 情 形 ,  不 计 其 他 情  3  0  0  0  0  0  3\n"
        "    形 )\n"
    )
    last = _rows(table)[-1]
    assert any(c.startswith("(二)部分公开(区分处理的,只计这一情形,") for c in last), last
    assert last[-7:] == ["3", "0", "0", "0", "0", "0", "3"]


def test_a_unit_cell_on_its_row_line_is_its_own_cell() -> None:
    """A long (letter-spaced) label above a '次  36' line: 次 is the unit column's cell, not the label's end."""

    def row(label: str, unit: str, value: str) -> str:
        return label.ljust(30) + unit.ljust(6) + value + "\n"  # one character column per character

    text = (
        "             统   计   指   标".ljust(30)
        + "单位  统计数\n"
        + row("二、回应解读情况", "——", "")
        + " （ 一 ） 回 应 公 众 关 注 热 点 或 重 大 舆 情 数\n"
        + row("", "次", "36")
        + row("    1.参加或举办新闻发布会总次数", "次", "5")
        + row("    2.政府网站在线访谈次数", "次", "0")
        + row("    3.政策解读稿件发布数", "篇", "19")
        + row("    4.微博微信回应事件数", "次", "12")
    )
    rows = _rows(_table(text))
    assert ["（一）回应公众关注热点或重大舆情数", "次", "36"] in rows
