"""LP local forms (REFERENCE §1.6) and a narrative-only report, from the fixture documents of
tests/fixtures/legacy_variants (make_fixtures.py writes them and their truth files).

- Shanghai-model form (指标名称 · 计量单位 · 代码 · 本期实际 · 本年累计), attached after the signature:
  34 rows x 2 value columns, 否决 with its 11 reasons, a ——, a blank cell, a note row.
- 莆田 year + cumulative form (指标名称 · 计量单位 · 2009年度 · 历年累计) inside the body.
- A 2015 report in the old 第三十二条 structure without any table: loads its narrative and says so.
"""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from extract import extract_file
from transform import build_report
from transform.report import Report
from transform.vocab import vocab

FIXTURES = Path(__file__).parent / "fixtures" / "legacy_variants"
FORMATS = ("docx", "html", "txt")
LP_DOCS = ("lp-shanghai-2010", "lp-putian-2009")


@cache
def report_of(name: str) -> Report:
    return build_report(extract_file(FIXTURES / name))


def truth(doc_id: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{doc_id}.truth.json").read_text(encoding="utf-8"))


def table_facts(report: Report) -> set[tuple[str, str, float | None, str]]:
    return {(f.code, f.party, f.value, f.state) for f in report.facts if f.table_id != "text"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("doc_id", LP_DOCS)
def test_lp_facts_equal_truth(doc_id: str, fmt: str) -> None:
    report = report_of(f"{doc_id}.{fmt}")
    expected = {(f["code"], f["party"], f["value"], f["state"]) for f in truth(doc_id)["facts"]}
    got = table_facts(report)
    assert sorted(got - expected, key=str) == [], "facts not in the truth file"
    assert sorted(expected - got, key=str) == [], "truth facts not produced"
    assert len([f for f in report.facts if f.table_id != "text"]) == len(expected), "duplicate facts"
    assert report.generations == {"legacy": "legacy"}
    assert report.warnings == []
    assert not report.narrative_only


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("doc_id", LP_DOCS)
def test_lp_facts_are_legacy_codes_only(doc_id: str, fmt: str) -> None:
    """table_id/generation 'legacy' (what the LP-A rules select), only legacy codes, never the narrow
    L16 不同意公开 (l_rep_denied) for the broad LP 否决."""
    metrics = vocab().metrics
    for f in report_of(f"{doc_id}.{fmt}").facts:
        if f.table_id == "text":
            continue
        assert (f.table_id, f.generation) == ("legacy", "legacy")
        assert metrics[f.code].table == "legacy" and f.code.startswith("l_")
        assert f.code != "l_rep_denied" and not f.code.startswith("l_rep_den_")
        assert f.party in ("_", "ytd", "cumulative")
        assert f.unit == metrics[f.code].unit


def _values(report: Report, party: str) -> dict[str, float | None]:
    return {f.code: f.value for f in report.facts if f.table_id == "legacy" and f.party == party}


@pytest.mark.parametrize("fmt", FORMATS)
def test_shanghai_identities_and_rejection_reasons(fmt: str) -> None:
    v = _values(report_of(f"lp-shanghai-2010.{fmt}"), "_")
    channels = (
        "l_req_ch_inperson",
        "l_req_ch_fax",
        "l_req_ch_email",
        "l_req_ch_web",
        "l_req_ch_letter",
        "l_req_ch_other",
    )
    assert v["l_req_received"] == sum(v[c] for c in channels) == 24  # LP-A.received
    assert (
        v["l_rep_total"] == v["l_rep_granted"] + v["l_rep_partial"] + v["l_rep_rejected_broad"] == 22
    )  # LP-A.replies
    reasons = [c for c in v if c.startswith("l_rej_")]
    assert len(reasons) == 11
    assert v["l_rej_exempt_5"] is None  # printed blank: unknown, not 0
    assert sum(v[c] or 0 for c in reasons) == v["l_rep_rejected_broad"] == 7
    assert (v["l_rej_not_exist"], v["l_rej_not_held"], v["l_rej_unclear"]) == (2, 2, 1)
    assert "l_rep_not_exist" not in v and "l_rep_not_this_agency" not in v
    assert (v["l_web_visits"], v["l_consult_phone"], v["l_pub_fulltext"]) == (125430, 690, 356)
    assert v["l_req_catalogue"] is None  # ——
    ytd = _values(report_of(f"lp-shanghai-2010.{fmt}"), "ytd")
    assert ytd["l_req_received"] == 24 and ytd["l_rep_rejected_broad"] == 7


@pytest.mark.parametrize("fmt", FORMATS)
def test_shanghai_lp_rules_are_evaluated(fmt: str) -> None:
    """LP-A.* run on the form's own column; the blank 免予公开范围5 makes the 11-reason identity unknown."""
    checks = {
        c.rule_id: c for c in report_of(f"lp-shanghai-2010.{fmt}").checks if c.rule_id.startswith("LP-A")
    }
    assert {k: (c.status, c.lhs, c.rhs) for k, c in checks.items()} == {
        "LP-A.received": ("pass", 24.0, 24.0),
        "LP-A.replies": ("pass", 22.0, 22.0),
        "LP-A.rejected": ("not_evaluable", None, None),
    }
    assert "l_rej_exempt_5 blank" in checks["LP-A.rejected"].detail


@pytest.mark.parametrize("fmt", FORMATS)
def test_putian_year_and_cumulative(fmt: str) -> None:
    report = report_of(f"lp-putian-2009.{fmt}")
    year, cum = _values(report, "_"), _values(report, "cumulative")
    assert (year["l_pub_items"], cum["l_pub_items"]) == (215, 1046)
    assert (year["l_pub_ch_web"], year["l_pub_ch_gazette"]) == (
        198,
        17,
    )  # 政府网站 under 主动公开, not a request channel
    assert (year["l_req_ch_web"], cum["l_req_ch_web"]) == (3, 7)  # 网上申请 under 受理…总数
    assert (year["l_rep_total"], year["l_rep_rejected_broad"]) == (6, 1)
    states = {(f.code, f.party): f.state for f in report.facts if f.table_id == "legacy"}
    assert (
        states[("l_rep_total", "cumulative")] == "dash" and states[("l_lit_total", "cumulative")] == "blank"
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("doc_id", (*LP_DOCS, "narrative-only-2015"))
def test_sections_and_narrative_numbers(doc_id: str, fmt: str) -> None:
    report = report_of(f"{doc_id}.{fmt}")
    t = truth(doc_id)
    assert [s.heading for s in report.sections] == t["headings"]
    assert {f.code: f.value for f in report.facts if f.table_id == "text"} == t["narrative_facts"]
    for s in report.sections:  # the signature block and the attached form stay out of the narrative
        assert "附件" not in s.text and "填报单位" not in s.text and "指标名称" not in s.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_shanghai_attachment_after_signature(fmt: str) -> None:
    report = report_of(f"lp-shanghai-2010.{fmt}")
    assert report.sections[-1].text == "无。"
    assert report.sections[0].section == "overview"  # 一、概述
    assert [s.section for s in report.sections[3:5]] == ["fees", "disputes"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_narrative_only_report(fmt: str) -> None:
    report = report_of(f"narrative-only-2015.{fmt}")
    assert report.narrative_only
    assert report.warnings == ["no statistics table found: narrative only"]
    assert [f for f in report.facts if f.table_id != "text"] == []
    assert report.year == 2015 and report.title == "永嘉县统计局2015年政府信息公开工作年度报告"
    keys = [s.section for s in report.sections]
    assert keys == ["overview", "proactive", "requests", "fees", "disputes", "problems", "other"]
    assert (
        report.sections[2].text
        == "2015年，我局未收到公民、法人或其他组织提出的政府信息公开申请，无不予公开政府信息的情况。"
    )


def test_narrative_only_through_ingest(prefect_harness: None, tmp_path: Path) -> None:
    """A real ingest run: the report row says narrative_only, its sections and txt figures load, no table facts."""
    from tests.test_ingest import documents_by_name, query, run_ingest

    drop, db = tmp_path / "drop", tmp_path / "warehouse.duckdb"
    drop.mkdir()
    for fmt in FORMATS:
        shutil.copyfile(FIXTURES / f"narrative-only-2015.{fmt}", drop / f"narrative-only-2015.{fmt}")
    shutil.copyfile(FIXTURES / "lp-putian-2009.docx", drop / "lp-putian-2009.docx")
    run_ingest(drop, db)
    docs = documents_by_name(db)
    for fmt in FORMATS:
        doc = docs[f"narrative-only-2015.{fmt}"]
        assert doc["status"] == "loaded", doc
        rid = doc["report_id"]
        assert query(db, "SELECT narrative_only, year FROM reports WHERE report_id = ?", [rid]) == [
            (True, 2015)
        ]
        sections = query(db, "SELECT section FROM narratives WHERE report_id = ? ORDER BY ordinal", [rid])
        assert [s for (s,) in sections] == [
            "overview",
            "proactive",
            "requests",
            "fees",
            "disputes",
            "problems",
            "other",
        ]
        facts = query(db, "SELECT table_id, code, value FROM facts WHERE report_id = ? ORDER BY code", [rid])
        assert facts == [
            ("text", "txt_ogi_fee_yuan", 0.0),
            ("text", "txt_pub_items", 126.0),
            ("text", "txt_req_received", 0.0),
        ]
    putian = docs["lp-putian-2009.docx"]["report_id"]
    assert query(db, "SELECT narrative_only FROM reports WHERE report_id = ?", [putian]) == [(False,)]
    rows = query(
        db,
        "SELECT party, value FROM facts WHERE report_id = ? AND code = 'l_pub_items' ORDER BY party",
        [putian],
    )
    assert rows == [("_", 215.0), ("cumulative", 1046.0)]
