"""Agency identity against the real gazetteer and every agency of the test corpus."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from transform.agency import resolve_agency
from transform.vocab import DATA

CORPUS = Path(__file__).parent / "corpus"


def _corpus_agencies() -> list[dict]:
    seen: dict[str, dict] = {}
    for path in sorted(CORPUS.glob("**/*.truth.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))["metadata"]
        seen.setdefault(meta["agency"], meta)
    return list(seen.values())


@pytest.mark.parametrize(
    ("name", "code", "province", "city", "county"),
    [
        ("宁波市鄞州区卫生健康局", "330212", "浙江省", "宁波市", "鄞州区"),
        ("鄞州区卫生健康局", "330212", "浙江省", "宁波市", "鄞州区"),
        ("宁海县卫生健康局", "330226", "浙江省", "宁波市", "宁海县"),
        ("卫滨区卫生健康委员会", "410703", "河南省", "新乡市", "卫滨区"),
        ("温州市龙湾区卫生健康局", "330303", "浙江省", "温州市", "龙湾区"),
        ("南京市鼓楼区民政局", "320106", "江苏省", "南京市", "鼓楼区"),
        ("象山县人民政府", "330225", "浙江省", "宁波市", "象山县"),
        ("海淀区卫生健康局", "110108", "北京市", "北京市", "海淀区"),
    ],
)
def test_resolves_real_codes(name: str, code: str, province: str, city: str, county: str) -> None:
    info = resolve_agency(name)
    assert (info.division_code, info.province, info.city, info.county) == (code, province, city, county)
    assert not info.ambiguous and info.admin_level == "county"


def test_yinzhou_is_unique_nationally() -> None:
    with (DATA / "agency_gazetteer.csv").open(encoding="utf-8") as fh:
        assert [r["code"] for r in csv.DictReader(fh) if r["name"] == "鄞州区"] == ["330212"]


def test_spellings_share_one_key_and_renames_do_not() -> None:
    long, short = resolve_agency("宁波市鄞州区卫生健康局"), resolve_agency("鄞州区卫生健康局")
    assert long.agency_key == short.agency_key == "330212:卫生健康局"
    assert long.canonical_name == short.canonical_name == "宁波市鄞州区卫生健康局"
    assert resolve_agency("鄞州区卫健局").agency_key == long.agency_key
    old = resolve_agency("宁波市鄞州区卫生和计划生育局")
    assert old.agency_key == "330212:卫生和计划生育局" != long.agency_key
    assert old.agency_type == long.agency_type == "卫生健康"
    assert "卫生和计划生育局" in long.predecessor_suffixes


def test_ambiguous_county_is_never_guessed() -> None:
    info = resolve_agency("鼓楼区民政局")
    assert info.ambiguous and info.agency_key is None and info.division_code is None
    assert {"320106", "350102", "320302", "410204"} <= {c.code for c in info.candidates}
    for name, cities in (("西湖区财政局", {"杭州市", "南昌市"}), ("通州区民政局", {"北京市", "南通市"})):
        amb = resolve_agency(name)
        assert amb.ambiguous and {c.city for c in amb.candidates} == cities


def test_hints_pin_the_city() -> None:
    assert (
        resolve_agency(
            "鼓楼区民政局", hints=["南京市鼓楼区民政局2023年政府信息公开工作年度报告"]
        ).division_code
        == "320106"
    )
    assert resolve_agency("西湖区财政局", hints=["杭州市人民政府门户网站"]).division_code == "330106"
    assert resolve_agency("通州区民政局", hints=["北京市通州区人民政府"]).division_code == "110112"
    # two candidate cities mentioned: still ambiguous
    assert resolve_agency("鼓楼区民政局", hints=["南京市", "福州市"]).ambiguous


def test_bare_name_takes_region_from_page_title() -> None:
    info = resolve_agency("区卫生健康局", hints=["2023年政府信息公开工作年度报告_新乡市卫滨区人民政府"])
    assert (info.division_code, info.canonical_name) == ("410703", "新乡市卫滨区卫生健康局")
    assert resolve_agency("区卫生健康局").division_code is None


@pytest.mark.parametrize(
    ("name", "agency_type"),
    [
        ("宁海县卫生健康局", "卫生健康"),
        ("卫滨区卫生计生委", "卫生健康"),
        ("象山县人民政府", "政府"),
        ("象山县人民政府办公室", "政府办公室"),
        ("象山县政府办", "政府办公室"),
        ("鄞州区下应街道办事处", "乡镇街道"),
        ("象山县石浦镇人民政府", "乡镇街道"),
        ("汉阳区农林局", "农业农村"),
        ("桐庐县自然资源和规划局", "自然资源"),
    ],
)
def test_agency_type(name: str, agency_type: str) -> None:
    assert resolve_agency(name).agency_type == agency_type


def test_township_keeps_its_own_name_in_the_key() -> None:
    info = resolve_agency("宁波市鄞州区下应街道办事处")
    assert (info.agency_key, info.admin_level) == ("330212:下应街道办事处", "township")


def test_scope() -> None:
    assert resolve_agency("宁海县卫生健康局", hints=["全县共收到申请5件"]).scope == "agency_self"
    assert resolve_agency("象山县人民政府").scope == "government_self"
    assert resolve_agency("象山县人民政府办公室", hints=["本机关共收到"]).scope == "government_self"
    assert (
        resolve_agency("象山县人民政府", hints=["2023年，全县共收到政府信息公开申请120件"]).scope
        == "region_aggregate"
    )
    assert resolve_agency("某区人民政府", hints=["全区各级行政机关主动公开"]).scope == "region_aggregate"


def test_every_corpus_agency_resolves_to_its_truth() -> None:
    tally: Counter[str] = Counter()
    for meta in _corpus_agencies():
        expected = (meta["province"], meta["city"], meta["county"])
        info = resolve_agency(meta["agency"])
        assert info.agency_type, meta["agency"]
        if info.ambiguous:
            assert meta["city"] not in meta["agency"], meta["agency"]
            assert len(info.candidates) >= 2
            assert expected in {(c.province, c.city, c.county) for c in info.candidates}
            pinned = resolve_agency(meta["agency"], hints=[meta["city"]])
            assert (pinned.province, pinned.city, pinned.county) == expected, meta["agency"]
            tally["ambiguous, pinned by city hint"] += 1
        else:
            assert (info.province, info.city, info.county) == expected, meta["agency"]
            tally["resolved from name alone"] += 1
    print("\ncorpus agencies:", dict(tally), "total", sum(tally.values()))
    assert tally["resolved from name alone"] >= 55
