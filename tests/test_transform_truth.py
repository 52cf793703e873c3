"""Every corpus document, every format: the facts built from it equal its truth file exactly."""

from __future__ import annotations

import pytest

from extract import extract_file
from tests.corpus_index import as_printed, doc_id_of, documents, expected_facts, truth
from transform import build_report

DOCS = documents()


@pytest.fixture(scope="module")
def reports():
    cache: dict = {}

    def get(path):
        if path not in cache:
            cache[path] = build_report(extract_file(path))
        return cache[path]

    return get


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_facts_equal_truth(path, reports):
    report = reports(path)
    table_facts = [f for f in report.facts if f.table_id != "text"]
    got = as_printed((f.table_id, f.code, f.party, f.value, f.state) for f in table_facts)
    expected = expected_facts(doc_id_of(path))
    assert sorted(got - expected, key=str) == [], "facts not in the truth file"
    assert sorted(expected - got, key=str) == [], "truth facts not produced"
    assert len(table_facts) == len(got), "duplicate facts"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_metadata_and_generations(path, reports):
    report = reports(path)
    meta = truth(doc_id_of(path))["metadata"]
    assert report.year == meta["year"]
    if meta["title_in_body"] or path.suffix == ".html":  # an HTML page also has its <title>
        assert report.title == meta["title"]
    else:
        assert report.title is None
    # the agency as printed: the full name, or the name the title prints (truth adds the city)
    assert report.agency and meta["agency"].endswith(report.agency)
    if meta["generation"] == "legacy":
        assert report.generations == {"legacy": "legacy"}
    else:
        gen = meta["generation"].replace("gb20", "g")
        assert report.generations["t3"] == meta["table3_variant"].replace("gb20", "g")
        assert report.generations["t2"] in (
            gen,
            "g21",
        )  # a 2023 report may mix a G21 table 2 with a G19 table 3


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_section_headings_in_order(path, reports):
    report = reports(path)
    narrative = truth(doc_id_of(path))["narrative"]
    expected = []
    for part in narrative:
        expected.append(part["heading"])
        expected.extend(sub["heading"] for sub in part.get("subsections", []))
    got = ["".join(s.heading.split()) for s in report.sections]  # PDF text layers drop spaces
    assert ["".join(h.split()) for h in expected] == got


def test_overview_subsection_text_is_kept():
    report = build_report(extract_file(documents()[0].parent / "yinzhou-2023.docx"))
    requests = [s for s in report.sections if s.section == "overview.requests"]
    assert len(requests) == 1
    assert requests[0].text.startswith("接到依申请公开10条")
