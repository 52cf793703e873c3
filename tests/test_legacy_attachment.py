"""A legacy 统计表 attached after the signature (附件2 in seed yinzhou-2018): its facts load in every format,
and neither the signature block nor the attachment (title, 填报单位, rows of a lost table grid) is taken
into the text of the last narrative section."""

from __future__ import annotations

import pytest

from extract import extract_file
from extract.model import Paragraph
from tests.corpus_index import CORPUS, expected_facts
from transform import build_report
from transform.sections import split_sections


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html", "txt"])
def test_yinzhou_2018_attachment_after_signature(fmt: str) -> None:
    report = build_report(extract_file(CORPUS / "seeds" / f"yinzhou-2018.{fmt}"))
    legacy = {(f.code, f.value, f.state) for f in report.facts if f.table_id == "legacy"}
    assert len(legacy) == 58 == len(expected_facts("yinzhou-2018"))
    assert ("l_pub_items", 979, "number") in legacy and ("l_pub_ch_wechat", 639, "number") in legacy
    last = report.sections[-1]
    assert "".join(last.heading.split()) == "六、下一步改进措施"
    assert last.text.rstrip().endswith("努力使我局的政府信息公开工作上一个新台阶。")
    for tail in ("鄞州区卫生健康局\n", "2019年2月20日", "附件", "统计表", "填报单位"):
        assert tail not in last.text


def test_lost_grid_rows_after_attachment_heading_are_not_narrative() -> None:
    """A reader that lost the table grid hands over its rows as paragraphs; after the signature date and
    the 附件 heading they are appendix, and heading-like rows (一、主动公开情况) start no section."""
    lines = [
        "某某县统计局2013年政府信息公开工作年度报告",
        "一、概述",
        "2013年，我局认真贯彻落实《条例》。",
        "七、其他需要报告的事项",
        "本年度无其他需要报告的事项。",
        "某某县统计局",
        "二〇一四年三月十五日",
        "附件1",
        "政府信息公开情况统计表",
        "一、主动公开情况",
        "（一）主动公开政府信息数\t条\t120",
        "三、依申请公开情况",
        "（一）收到申请数\t件\t3",
    ]
    sections = split_sections([Paragraph(t) for t in lines])
    assert [(s.section, s.heading, s.text) for s in sections] == [
        ("overview", "一、概述", "2013年，我局认真贯彻落实《条例》。"),
        ("other", "七、其他需要报告的事项", "本年度无其他需要报告的事项。"),
    ]


def test_date_in_preamble_does_not_end_the_narrative() -> None:
    """A publication date above the first heading is metadata, not the signature."""
    lines = [
        "某某局2015年政府信息公开工作年度报告",
        "2016年3月20日",
        "一、概述",
        "正文。",
        "二、主动公开政府信息情况",
        "全年主动公开信息8条。",
    ]
    assert [s.heading for s in split_sections([Paragraph(t) for t in lines])] == [
        "一、概述",
        "二、主动公开政府信息情况",
    ]
