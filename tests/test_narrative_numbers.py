"""Narrative numbers (txt_* facts) and the N-2 check, on the real seeds in every format, on the synthetic
corpus against its truth files, and on phrasings real reports use that the corpus lacks."""

from __future__ import annotations

import re
from functools import cache

import pytest

from extract import extract_file
from tests.corpus_index import CORPUS, doc_id_of, documents, truth
from transform import build_report
from transform.narrative_numbers import chinese_number, narrative_numbers
from transform.report import Fact, Report, Section

# seed-expected.csv, [report] notes of each seed's first row (narrative figures), read by hand
SEEDS = {
    "yinzhou-2023": {"txt_pub_items": 182, "txt_req_received": 10, "txt_ogi_fee_yuan": 0},
    "weibin-2023": {"txt_pub_items": 52, "txt_req_received": 0, "txt_ogi_fee_yuan": 0},
    "longwan-2023": {"txt_pub_items": 356, "txt_req_received": 0, "txt_ogi_fee_yuan": 0},
    "ninghai-2021": {
        "txt_pub_items": 1277,
        "txt_req_received": 0,
        "txt_fee_notices": 0,
        "txt_ogi_fee_yuan": 0,
    },
    "yinzhou-2018": {"txt_pub_items": 979, "txt_req_received": 2},
}


@cache
def report_of(path) -> Report:
    return build_report(extract_file(path))


def txt_values(report: Report) -> dict[str, float]:
    return {f.code: f.value for f in report.facts if f.table_id == "text"}


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html", "txt"])
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_narrative_figures(seed: str, fmt: str) -> None:
    report = report_of(CORPUS / "seeds" / f"{seed}.{fmt}")
    assert txt_values(report) == SEEDS[seed]
    for f in report.facts:
        if f.table_id == "text":
            assert (f.party, f.state, f.generation) == ("_", "number", "")
            assert f.position.startswith("section ") and ", sentence " in f.position
            assert f.raw_value and f.raw_value in re.sub(r"\s+", "", f.raw_label)


def test_seed_fact_details() -> None:
    """raw_label is the whole sentence, raw_value the number as printed, the unit from metrics.csv."""
    report = report_of(CORPUS / "seeds" / "yinzhou-2023.docx")
    facts = {f.code: f for f in report.facts if f.table_id == "text"}
    req = facts["txt_req_received"]
    assert req.raw_value == "10" and req.unit == "件"
    assert req.raw_label.startswith("接到依申请公开10条，均及时办结")
    assert req.position == "section overview.requests, sentence 1"
    assert facts["txt_pub_items"].unit == "条"
    fee = facts["txt_ogi_fee_yuan"]
    assert (fee.value, fee.unit, fee.raw_value) == (0, "元", "无收取政府信息公开信息处理费")
    assert fee.position == "section other, sentence 1"
    # 无行政复议和提起诉讼情况, table 4 all zero
    assert [(c.rule_id, c.severity, c.status, c.lhs, c.rhs) for c in report.checks if c.rule_id == "N-2"] == [
        ("N-2", "soft", "pass", 0.0, 0.0)
    ]


def test_legacy_seed_skips_channel_counts() -> None:
    """共推动46期、152条 (a WeChat account) comes first in the sentence list; only 主动公开信息979条 is the total."""
    facts = {
        f.code: f for f in report_of(CORPUS / "seeds" / "yinzhou-2018.txt").facts if f.table_id == "text"
    }
    assert facts["txt_pub_items"].raw_value == "979"
    assert "全系统主动公开信息979条" in facts["txt_pub_items"].raw_label
    assert facts["txt_pub_items"].position.startswith("section unclassified, sentence ")


def test_longwan_has_no_n2_check() -> None:
    """Seed longwan-2023 never says 无行政复议 (it had 2 reviews and 1 suit): no N-2 statement, no check."""
    assert [c for c in report_of(CORPUS / "seeds" / "longwan-2023.txt").checks if c.rule_id == "N-2"] == []


# --- synthetic corpus -------------------------------------------------------------------------------

SYNTHETIC = [p for p in documents() if p.parent.name == "synthetic"]


def _truth_table(doc_id: str) -> dict[str, float]:
    return {f["code"]: f["value"] for f in truth(doc_id)["facts"] if f["party"] in ("_", "total")}


def _truth_sentences(doc_id: str) -> str:
    parts = []
    for part in truth(doc_id)["narrative"]:
        parts.append(part.get("text") or "")
        parts.extend(sub.get("text") or "" for sub in part.get("subsections", []))
    return "\n".join(parts)


@pytest.mark.parametrize("path", SYNTHETIC, ids=lambda p: p.name)
def test_synthetic_requests_match_table(path) -> None:
    """Wherever a request count is read from the prose it equals the table's 本年新收 total (l_req_received
    for legacy), and wherever the truth narrative states the count, it is read."""
    doc_id = doc_id_of(path)
    table = _truth_table(doc_id)
    expected = table.get("req_new", table.get("l_req_received"))
    text = _truth_sentences(doc_id)
    stated = re.search(r"收到政府信息公开申请(\d+)件", text)
    none = re.search(r"未收到(?:政府信息公开申请|依申请公开)", text)
    got = txt_values(report_of(path))
    if stated or none:
        assert got["txt_req_received"] == (int(stated.group(1)) if stated else 0) == expected
    else:
        assert "txt_req_received" not in got


@pytest.mark.parametrize("path", SYNTHETIC, ids=lambda p: p.name)
def test_synthetic_published_items_as_stated(path) -> None:
    """The 主动公开 total the truth narrative states (legacy: equal to l_pub_items)."""
    doc_id = doc_id_of(path)
    text = _truth_sentences(doc_id)
    stated = re.search(r"主动公开(?:各类)?政府信息(\d+)条", text)
    got = txt_values(report_of(path))
    assert got.get("txt_pub_items") == (int(stated.group(1)) if stated else None)
    if truth(doc_id)["metadata"]["generation"] == "legacy":
        assert got["txt_pub_items"] == _truth_table(doc_id)["l_pub_items"]


HAND_VERIFIED = {
    # read in the truth narratives by hand
    "s0002-chengyang-scjgj-2025": {  # 共发出收费通知0件，收取信息处理费0元 / 人大代表建议27件、政协提案23件
        "txt_pub_items": 682,
        "txt_req_received": 7,
        "txt_ogi_fee_yuan": 0,
        "txt_fee_notices": 0,
        "txt_proposals": 50,
    },
    "s0003-jianye-scjgj-2021": {  # 1835条 (其中通过政府网站公开1208条 is a channel); 建议24件、提案25件
        "txt_pub_items": 1835,
        "txt_req_received": 18,
        "txt_ogi_fee_yuan": 0,
        "txt_fee_notices": 0,
        "txt_proposals": 49,
    },
    "s0006-longgang-slj-2022": {  # 本年度未收到政府信息公开申请，无上年结转申请
        "txt_pub_items": 395,
        "txt_req_received": 0,
        "txt_ogi_fee_yuan": 0,
        "txt_fee_notices": 0,
    },
    "s0007-anning-jtj-2018": {  # legacy 概述 structure; 四、政府信息公开的收费及减免情况: 未收取…相关费用
        "txt_pub_items": 2118,
        "txt_req_received": 4,
        "txt_ogi_fee_yuan": 0,
    },
    "s0010-qiaokou-wlj-2020": {"txt_pub_items": 1028, "txt_req_received": 0, "txt_proposals": 33},
}


@pytest.mark.parametrize("doc_id", sorted(HAND_VERIFIED))
def test_hand_verified_documents(doc_id: str) -> None:
    path = next(p for p in SYNTHETIC if doc_id_of(p) == doc_id)
    assert txt_values(report_of(path)) == HAND_VERIFIED[doc_id]


def test_n2_soft_failure_is_reported() -> None:
    """s0024 says 未发生因政府信息公开引起的行政复议、行政诉讼 while table 4 prints one direct lawsuit."""
    path = next(p for p in SYNTHETIC if doc_id_of(p) == "s0024-dongtou-jyj-2024")
    checks = [c for c in report_of(path).checks if c.rule_id == "N-2"]
    assert [(c.rule_id, c.severity, c.status, c.lhs, c.rhs) for c in checks] == [
        ("N-2", "soft", "fail", 1.0, 0.0)
    ]
    assert "lit_d_total 1" in checks[0].detail


# --- phrasings beyond the corpus --------------------------------------------------------------------


def _read(*paragraphs: tuple[str, str]) -> dict[str, tuple[float | None, str]]:
    sections = [Section(i, key, key, text) for i, (key, text) in enumerate(paragraphs)]
    facts, _ = narrative_numbers(sections, [])
    return {f.code: (f.value, f.raw_value) for f in facts}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ("1.2万", 12000),
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二百零五", 205),
        ("一万二千", 12000),
        ("两", 2),
        ("零", 0),
    ],
)
def test_chinese_numbers(text: str, value: float) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全年共办理政府信息公开申请12件，其中新收10件、上年结转2件。", (10, "10")),
        ("本年度新收政府信息公开申请三件。", (3, "三")),
        ("2020年，本机关共受理政府信息公开申请 15 件。", (15, "15")),
        (
            "全年未收到公民、法人或其他组织提出的政府信息公开申请。",
            (0, "未收到公民、法人或其他组织提出的政府信息公开申请"),
        ),
    ],
)
def test_request_phrasings(text: str, expected: tuple) -> None:
    assert _read(("overview.requests", text))["txt_req_received"] == expected


def test_total_including_carried_over_is_not_read() -> None:
    """共受理12件 that includes last year's 2: not the year's receipts, and no other figure is made up."""
    assert "txt_req_received" not in _read(
        ("overview.requests", "全年共受理政府信息公开申请12件（含上年结转2件）。")
    )


def test_wan_and_sections() -> None:
    got = _read(
        ("overview.proactive", "全年主动公开政府信息1.2万条。"),
        ("problems", "下一步将收取信息处理费200元以上的申请纳入台账。"),  # not the fee section
        ("other", "本年度共收取信息处理费0.05万元，发出收费通知2件；办理人大代表建议和政协提案共12件。"),
    )
    assert got["txt_pub_items"] == (12000, "1.2万")
    assert got["txt_ogi_fee_yuan"] == (500, "0.05万")  # 0.05万元 = 500 元
    assert got["txt_fee_notices"] == (2, "2")
    assert got["txt_proposals"] == (12, "12")


def test_first_match_wins() -> None:
    """One fact per code: the first sentence that states it, a later one never overrides it."""
    got = _read(("overview.proactive", "主动公开政府信息100条。其中，通过网站主动公开信息80条。"))
    assert got["txt_pub_items"] == (100, "100")


def test_n2_not_evaluable_without_table4() -> None:
    sections = [Section(0, "disputes", "四、", "本年度无行政复议和行政诉讼情况。")]
    blank = Fact("t4", "rev_total", "_", None, "blank", "件", "行政复议 > 总计", "", "table 3, row 4, col 5")
    zero = [
        Fact("t4", c, "_", 0.0, "number", "件", c, "0", "table 3") for c in ("lit_d_total", "lit_r_total")
    ]
    _, checks = narrative_numbers(sections, [blank, *zero])
    assert [(c.rule_id, c.status) for c in checks] == [("N-2", "not_evaluable")]
    assert "rev_total" in checks[0].detail
    assert (
        narrative_numbers(sections, [])[1] == []
    )  # no table 4 (legacy or narrative only): rule N-2 does not apply
