"""Named regression tests for the label, header and value rules (tiny documents built in code)."""

from __future__ import annotations

import pytest

from extract.model import Cell, Document, Paragraph, Table
from transform import NotAReport, build_report
from transform.labels import norm
from transform.sections import split_sections
from transform.tables.grid import flatten_header
from transform.tables.t3 import map_t3
from transform.tables.t4 import map_t4
from transform.values import parse_value
from transform.vocab import vocab


def seq_table(rows: list[list[str]], grid: str = "sequential") -> Table:
    return Table(rows=[[Cell(t, r, c) for c, t in enumerate(row)] for r, row in enumerate(rows)], grid=grid)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
        ("(二) 部分公开(区分处理的, 只计这一情形, 不计其他情形)", "部分公开"),  # half-width (seed weibin)
        ("（三)不予公开", "不予公开"),  # bracket mix defect
        ("（一）予\n以公开", "予以公开"),  # label split over lines
        ("未经复议直接  起诉", "未经复议直接起诉"),  # extra spaces
        ("3.危及“三安全一稳定”", "危及三安全一稳定"),
        ("其中：主动公开规范性文件数", "主动公开规范性文件数"),
        ("\u2f42件", "文件"),  # Kangxi radical 文 from a PDF font
    ],
)
def test_label_normalisation(printed, expected):
    assert norm(printed) == expected


def test_blank_is_not_zero_and_dash_is_not_blank():
    assert parse_value("").state == "blank" and parse_value("").value is None
    assert parse_value("——").state == "dash" and parse_value("——").value is None
    assert parse_value("0").state == "number" and parse_value("0").value == 0
    assert parse_value("+1").value == 1 and parse_value("-8").value == -8
    assert parse_value("251000元").unit == "元"


T3_PARTIES = [
    "natural_person",
    "org_business",
    "org_research",
    "org_public_interest",
    "org_legal_service",
    "org_other",
    "total",
]


def _leaves(rows, table="t3"):
    v = vocab()
    known = (
        v.parties.keys() | {"申请人情况", "法人或其他组织"}
        if table == "t3"
        else (set(v.trees["t4"]) | {c for cs in v.trees["t4"].values() for c in cs}) - {""}
    )
    tokens = [[(t, Cell(t, r, c)) for c, t in enumerate(row) if t in known] for r, row in enumerate(rows)]
    return flatten_header(tokens, v.trees[table])


def test_t3_header_official_layout():
    rows = [
        ["注", "申请人情况"],
        ["自然人", "法人或其他组织", "总计"],
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
    ]
    assert [vocab().parties[lf.path[-1]] for lf in _leaves(rows)] == T3_PARTIES


def test_t3_header_total_top_layout():
    rows = [
        ["注", "申请人情况", "总计"],
        ["自然人", "法人或其他组织"],
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
    ]
    assert [vocab().parties[lf.path[-1]] for lf in _leaves(rows)] == T3_PARTIES


@pytest.mark.parametrize(
    "rows",
    [
        # layout A: the review leaves on row 2 beside the two litigation groups
        [
            ["行政复议", "行政诉讼"],
            ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
            ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
        ],
        # layout B (seed ninghai): row 2 holds only the litigation groups, all 15 leaves on row 3
        [
            ["行政复议", "行政诉讼"],
            ["未经复议直接起诉", "复议后起诉"],
            ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3,
        ],
    ],
)
def test_t4_header_layouts(rows):
    codes = [vocab().t4_paths[lf.path] for lf in _leaves(rows, "t4")]
    assert codes[:5] == ["rev_upheld", "rev_corrected", "rev_other", "rev_pending", "rev_total"]
    assert codes[5] == "lit_d_upheld" and codes[9] == "lit_d_total"
    assert codes[10] == "lit_r_upheld" and codes[14] == "lit_r_total"


def test_t4_values_map_by_header_not_position():
    header = [
        ["行政复议", "", "", "", "", "行政诉讼"],
        ["未经复议直接起诉", "复议后起诉"],
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3,
    ]
    table = seq_table(header + [["1", "0", "0", "1", "2", "0", "0", "0", "0", "0", "1", "0", "0", "0", "1"]])
    facts, _ = map_t4([table], [])
    by_code = {f.code: f.value for f in facts}
    assert by_code["rev_pending"] == 1 and by_code["rev_total"] == 2 and by_code["lit_r_total"] == 1


def _t3_table(data_rows):
    header = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
        ["", "自然人", "法人或其他组织", "总计"],
        ["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
    ]
    return seq_table(header + data_rows)


def test_t3_row_one_value_short_loses_its_last_cell():
    """A row printing 6 numbers for 7 columns (seed longwan original): the values fill the first six
    columns in order, 总计 is the lost cell (blank, never a number), and a warning says so."""
    warnings: list[str] = []
    row = ["三、本年度办理结果", "（一）予以公开", "1", "2", "0", "0", "0", "4"]
    facts, _ = map_t3([_t3_table([row])], warnings)
    got = {f.party: (f.value, f.state) for f in facts if f.code == "out_granted"}
    assert got == {
        "natural_person": (1, "number"),
        "org_business": (2, "number"),
        "org_research": (0, "number"),
        "org_public_interest": (0, "number"),
        "org_legal_service": (0, "number"),
        "org_other": (4, "number"),
        "total": (None, "blank"),
    }
    assert any("taken as the lost cell" in w for w in warnings)


def test_t3_row_one_value_short_whose_last_value_is_the_sum_is_not_placed():
    """1 + 2 + 0 + 0 + 0 = 3: the row printed its 总计 and lost an applicant cell somewhere in the middle,
    which the values cannot place. Nothing is loaded rather than six values in the wrong columns."""
    warnings: list[str] = []
    row = ["三、本年度办理结果", "（一）予以公开", "1", "2", "0", "0", "0", "3"]
    facts, _ = map_t3([_t3_table([row])], warnings)
    assert facts == []
    assert any("not loaded" in w for w in warnings)


def test_t3_row_two_values_short_is_not_placed():
    """Two lost cells cannot be placed from the values alone: the row loads nothing."""
    warnings: list[str] = []
    facts, _ = map_t3(
        [_t3_table([["三、本年度办理结果", "（一）予以公开", "0", "0", "0", "0", "0"]])], warnings
    )
    assert facts == []
    assert any("not loaded" in w for w in warnings)


def test_t3_level3_label_takes_group_from_context():
    rows = [
        ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "1", "0", "0", "0", "0", "0", "1"],
        ["", "", "2.其他法律行政法规禁止公开", "0", "0", "0", "0", "0", "0", ""],
    ]
    facts, gen = map_t3([_t3_table(rows)], [])
    got = {(f.code, f.party): (f.value, f.state) for f in facts}
    assert got[("out_den_secret", "total")] == (1, "number")
    assert got[("out_den_law", "total")] == (None, "blank")
    assert gen == "g19"  # no G21-only （六） sub-row printed


def test_table_row_label_is_not_a_section_heading():
    paras = [
        Paragraph("三、收到和处理政府信息公开申请情况"),
        Paragraph("一、本年新收政府信息公开申请数量"),
        Paragraph("10"),
    ]
    sections = split_sections(paras)
    assert [s.section for s in sections] == ["requests"]
    assert "本年新收" in sections[0].text


def test_a_document_that_is_not_a_report_is_rejected():
    doc = Document(blocks=[Paragraph("会议通知"), Paragraph("定于下周一召开全体会议。")], format="txt")
    with pytest.raises(NotAReport):
        build_report(doc)
