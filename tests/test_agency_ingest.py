"""Agencies in the warehouse: one identity across years and spellings, region and division code from
the gazetteer, renames linked (not merged), ambiguous names recorded as ambiguous."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flows.ingest.parsing import parse_file, sha256_file
from tests.corpus_index import CORPUS, doc_id_of, documents, truth
from tests.test_ingest import query

DOCS = documents()


def _report_of(corpus_run: dict[str, Any], name: str) -> dict[str, Any]:
    cols = [
        "agency", "agency_id", "agency_name", "agency_type", "province", "city", "county", "division_code",
        "admin_level", "report_scope", "agency_ambiguous", "agency_candidates", "predecessor_ids",
    ]  # fmt: skip
    report_id = corpus_run["docs"][name]["report_id"]
    row = query(corpus_run["db"], f"SELECT {', '.join(cols)} FROM reports WHERE report_id = ?", [report_id])[
        0
    ]
    return dict(zip(cols, row, strict=True))


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html", "txt"])
def test_yinzhou_2018_and_2023_are_one_agency(corpus_run: dict[str, Any], fmt: str) -> None:
    old = _report_of(corpus_run, f"yinzhou-2018.{fmt}")
    new = _report_of(corpus_run, f"yinzhou-2023.{fmt}")
    assert old["agency_id"] == new["agency_id"] == "330212:卫生健康局"
    assert old["division_code"] == new["division_code"] == "330212"
    assert (new["province"], new["city"], new["county"]) == ("浙江省", "宁波市", "鄞州区")
    assert new["agency_name"] == "宁波市鄞州区卫生健康局"


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html", "txt"])
def test_seed_division_codes(corpus_run: dict[str, Any], fmt: str) -> None:
    ninghai = _report_of(corpus_run, f"ninghai-2021.{fmt}")
    assert (ninghai["division_code"], ninghai["agency_id"]) == ("330226", "330226:卫生健康局")
    weibin = _report_of(corpus_run, f"weibin-2023.{fmt}")
    # the title prints only 卫滨区卫生健康委员会: the county name alone is unique in the gazetteer
    assert weibin["division_code"] == "410703"
    assert weibin["agency_name"] == "新乡市卫滨区卫生健康委员会"
    assert weibin["agency_type"] == "卫生健康"
    assert weibin["report_scope"] == "agency_self"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_region_matches_truth_or_is_recorded_ambiguous(corpus_run: dict[str, Any], path: Path) -> None:
    got = _report_of(corpus_run, path.name)
    meta = truth(doc_id_of(path))["metadata"]
    if got["agency_ambiguous"]:
        # e.g. 西湖区 (杭州 / 南昌) with no city anywhere in the document: not guessed
        assert got["agency_id"].startswith("name:") and got["division_code"] is None
        assert any(meta["county"] in c and meta["city"] in c for c in got["agency_candidates"])
        return
    assert (got["province"], got["city"], got["county"]) == (meta["province"], meta["city"], meta["county"])
    assert got["agency_id"] == f"{got['division_code']}:{got['agency_id'].split(':', 1)[1]}"
    expected_scope = (
        {"agency_self"} if "人民政府" not in meta["agency"] else {"government_self", "region_aggregate"}
    )
    assert got["report_scope"] in expected_scope


def test_ambiguous_names_in_the_corpus_are_the_known_ones(corpus_run: dict[str, Any]) -> None:
    rows = query(
        corpus_run["db"],
        "SELECT DISTINCT agency, agency_candidates FROM reports WHERE agency_ambiguous ORDER BY agency",
    )
    assert rows == [
        ("西湖区发展和改革局", ["330106 浙江省杭州市西湖区", "360103 江西省南昌市西湖区"]),
        ("通州区人力资源和社会保障局", ["110112 北京市通州区", "320612 江苏省南通市通州区"]),
    ]


def test_a_renamed_agency_is_linked_not_merged(tmp_path: Path) -> None:
    """The 2018 report of a 卫生和计划生育局 keeps its own identity; the 卫生健康局 names it as predecessor."""
    src = (CORPUS / "seeds" / "yinzhou-2018.txt").read_text(encoding="utf-8")
    assert "卫生健康局" in src
    renamed = tmp_path / "yinzhou-2018-renamed.txt"
    renamed.write_text(src.replace("卫生健康局", "卫生和计划生育局"), encoding="utf-8")
    old = parse_file(str(renamed), sha256_file(renamed)).report
    new_path = CORPUS / "seeds" / "yinzhou-2023.txt"
    new = parse_file(str(new_path), sha256_file(new_path)).report
    assert old is not None and new is not None
    assert old.agency_id == "330212:卫生和计划生育局"
    assert new.agency_id == "330212:卫生健康局"
    assert old.agency_id in new.agency_fields["predecessor_ids"]
