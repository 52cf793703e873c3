"""The report's own arithmetic (transform/checks.py, rules.csv) and the cells it imputes, on the real
corpus: expected values come from the truth files (facts, defects, consistency_violations) and from
seed-expected.csv's reasoning for longwan-2023, never from the engine itself.

Transform-level tests build reports in-process; warehouse-level tests read the session ``corpus_run``
DuckDB file (the ``checks`` table and ``v_checks_cross_year``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extract import extract_file
from tests.corpus_index import CORPUS, FORMATS, doc_id_of, documents, truth, truth_values
from tests.test_ingest import query
from transform import Fact, Report, build_report
from transform.checks import evaluate_report
from transform.vocab import vocab

SEEDS = CORPUS / "seeds"
ORIGINALS = CORPUS / "original"
LONGWAN = [SEEDS / f"longwan-2023.{ext}" for ext in FORMATS] + [ORIGINALS / "longwan-2023.original.txt"]


@pytest.fixture(scope="module")
def built():
    cache: dict[Path, Report] = {}

    def get(path: Path) -> Report:
        if path not in cache:
            cache[path] = build_report(extract_file(path))
        return cache[path]

    return get


def _checks(report: Report) -> dict[tuple[str, str], object]:
    return {(c.rule_id, c.party): c for c in report.checks}


def report_from_truth(doc_id: str, change: dict[tuple[str, str], float] | None = None) -> Report:
    """A Report holding exactly the truth file's facts (for documents only printed as scans, s0054),
    with ``change`` applied to the given cells (to provoke a conflict between two rules)."""
    t = truth(doc_id)
    change = change or {}
    meta = t["metadata"]
    metrics = vocab().metrics
    if meta["generation"] == "legacy":
        gens = {"legacy": "legacy"}
    else:
        t3 = meta["table3_variant"].replace("gb20", "g")
        gens = {"t2": meta["generation"].replace("gb20", "g"), "t3": t3, "t4": t3}
    facts = [
        Fact(
            table_id=metrics[f["code"]].table,
            code=f["code"],
            party=f["party"],
            value=change.get((f["code"], f["party"]), None if f["value"] is None else float(f["value"])),
            state=f["state"],
            unit=metrics[f["code"]].unit,
            raw_label="",
            raw_value="" if f["value"] is None else str(f["value"]),
            position="truth",
            generation=gens.get(metrics[f["code"]].table, ""),
        )
        for f in t["facts"]
    ]
    report = Report(
        title=meta["title"], agency=meta["agency"], year=meta["year"], generations=gens, facts=facts
    )
    evaluate_report(report)
    return report


# ---- longwan-2023: two 总计 cells printed blank (seeds) or lost (original txt) ---------------------------


@pytest.mark.parametrize("path", LONGWAN, ids=lambda p: p.name)
def test_longwan_blank_totals_are_imputed_by_the_row_rule(path, built):
    report = built(path)
    facts = {(f.code, f.party): f for f in report.facts}
    expected = truth_values("longwan-2023")
    for code in ("out_granted", "out_partial"):
        fact = facts[(code, "total")]
        assert (fact.value, fact.state, fact.raw_value) == (0, "imputed", "")
        check = _checks(report)[("T3-D", code)]
        assert check.status == "pass" and check.imputes == f"{code}[total]=0"
        assert (
            check.detail.startswith(f"used to impute {code}[total]=0")
            and "not an independent" in check.detail
        )
    # every imputed value is the truth's (the two blanks: 0 as seed-expected.csv reasons)
    for f in report.facts:
        if f.state == "imputed":
            assert f.value == (expected[(f.code, f.party)] or 0), (f.code, f.party)
    # the column rule over 总计 ran on the filled cells, and says so
    col = _checks(report)[("T3-B", "total")]
    assert col.status == "pass" and col.detail.startswith("relies on imputed ")
    assert "out_granted[total], out_partial[total]" in col.detail.split("(")[0]
    assert [c for c in report.checks if c.severity == "hard" and c.status != "pass"] == []


def test_longwan_original_short_rows_lose_their_last_cell(built):
    report = built(ORIGINALS / "longwan-2023.original.txt")
    lost = [w for w in report.warnings if "taken as the lost cell" in w]
    assert len(lost) == 2 and "(一) 予以公开" in lost[0] and "(二) 部分公开" in lost[1]
    facts = {(f.code, f.party): f for f in report.facts}
    assert facts[("out_granted", "natural_person")].state == "number"
    assert facts[("out_granted", "total")].position.endswith("cell missing")


# ---- synthetic defects ----------------------------------------------------------------------------------

TOTAL_MISMATCH = {"s0006-longgang-slj-2022": ("T4-A.rev", "_"), "s0054-shanghe-scjgj-2018": ("L-G", "_")}
MISSING_CELL = ["s0012-luquan-yjj-2020", "s0036-chaohu-tyjrj-2025"]
LABEL_DEFECTS = ["s0031-zhaoxian-fgj-2024", "s0042-gulou-mzj-2021"]


def _document(doc_id: str) -> Path | None:
    found = [p for p in documents() if doc_id_of(p) == doc_id]
    return found[0] if found else None


@pytest.mark.parametrize("doc_id", sorted(TOTAL_MISMATCH))
def test_total_mismatch_fails_the_right_rule(doc_id, built):
    (defect,) = [d for d in truth(doc_id)["defects"] if d["type"] == "total_mismatch"]
    path = _document(doc_id)
    # s0054 is only printed as a scan (no text layer, rejected at ingest): its truth facts are checked
    report = built(path) if path else report_from_truth(doc_id)
    fails = [c for c in report.checks if c.status == "fail" and c.severity == "hard"]
    assert [(c.rule_id, c.party) for c in fails] == [TOTAL_MISMATCH[doc_id]]
    assert (fails[0].lhs, fails[0].rhs) == (defect["printed"], defect["consistent"])


@pytest.mark.parametrize("doc_id", MISSING_CELL)
def test_missing_cell_is_imputed_to_the_consistent_value(doc_id, built):
    (defect,) = [d for d in truth(doc_id)["defects"] if d["type"] == "missing_cell"]
    ((code, party),) = [(f["code"], f["party"]) for f in truth(doc_id)["facts"] if f["state"] == "blank"]
    report = built(_document(doc_id))
    fact = next(f for f in report.facts if (f.code, f.party) == (code, party))
    assert (fact.value, fact.state) == (defect["consistent"], "imputed")
    check = _checks(report)[("T3-D", code)]
    assert check.imputes == f"{code}[{party}]={defect['consistent']}" and check.status == "pass"
    # the column rule of that party determined the same value: a real cross-check, said as such
    col = _checks(report)[("T3-B", party)]
    assert col.status == "pass" and "independently with the same value" in col.detail
    assert [c for c in report.checks if c.status == "fail"] == []


def test_rules_that_disagree_impute_nothing():
    """s0012's missing cell with its column total raised by one: the row rule says 0, the column rule 1."""
    total = truth_values("s0012-luquan-yjj-2020")[("out_total", "org_research")]
    report = report_from_truth("s0012-luquan-yjj-2020", {("out_total", "org_research"): total + 1})
    cell = next(f for f in report.facts if (f.code, f.party) == ("out_na_create", "org_research"))
    assert (cell.value, cell.state) == (None, "blank")
    (warning,) = [w for w in report.warnings if "determined differently" in w]
    assert warning.startswith("checks: out_na_create[org_research] is determined differently by ")
    assert "T3-B[org_research]=1" in warning and "T3-D[out_na_create]=0" in warning
    checks = _checks(report)
    assert checks[("T3-D", "out_na_create")].status == "not_evaluable"
    assert checks[("T3-D", "out_na_create")].detail == "not evaluable: out_na_create[org_research] blank"
    assert not any(c.imputes for c in report.checks)


@pytest.mark.parametrize("doc_id", LABEL_DEFECTS + ["s0006-longgang-slj-2022"])
def test_label_defects_fail_no_check(doc_id, built):
    report = built(_document(doc_id))
    allowed = {TOTAL_MISMATCH.get(doc_id)}
    assert {(c.rule_id, c.party) for c in report.checks if c.status == "fail"} <= allowed
    assert not any(f.state == "imputed" for f in report.facts)


# ---- clean documents --------------------------------------------------------------------------------------


def _clean(doc_id: str) -> bool:
    t = truth(doc_id)
    return not t["consistency_violations"] and not any(
        d["type"] == "total_mismatch" for d in t.get("defects", [])
    )


CLEAN = [p for p in [*documents(), *sorted(ORIGINALS.glob("*.txt"))] if _clean(doc_id_of(p))]


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_clean_document_fails_no_hard_check(path, built):
    report = built(path)
    assert [c for c in report.checks if c.severity == "hard" and c.status == "fail"] == []
    assert report.checks, "no rule evaluated"


@pytest.mark.parametrize(
    "doc_id", sorted(p.name.removesuffix(".truth.json") for p in CORPUS.rglob("*.truth.json")), ids=str
)
def test_truth_facts_fail_exactly_the_printed_violations(doc_id):
    """Every truth file (scan-only documents included): hard failures iff the document is not clean."""
    report = report_from_truth(doc_id)
    fails = {(c.rule_id, c.party) for c in report.checks if c.severity == "hard" and c.status == "fail"}
    assert fails == ({TOTAL_MISMATCH[doc_id]} if doc_id in TOTAL_MISMATCH else set())


# ---- exact values and not-evaluable ------------------------------------------------------------------------


@pytest.mark.parametrize("ext", FORMATS)
def test_t3a_and_t4a_values_on_yinzhou_2023(ext, built):
    report = built(SEEDS / f"yinzhou-2023.{ext}")
    v = truth_values("yinzhou-2023")
    checks = _checks(report)
    parties = sorted({p for (c, p) in v if c == "req_new"})
    assert len(parties) == 7
    for party in parties:
        c = checks[("T3-A", party)]
        lhs = v[("req_new", party)] + v[("req_carried_in", party)]
        rhs = v[("out_total", party)] + v[("req_carried_out", party)]
        assert (c.status, c.lhs, c.rhs) == ("pass", lhs, rhs)
    assert checks[("T3-A", "total")].lhs == 10  # 接到依申请公开10条
    for block in ("rev", "lit_d", "lit_r"):
        c = checks[(f"T4-A.{block}", "_")]
        parts = sum(v[(f"{block}_{x}", "_")] for x in ("upheld", "corrected", "other", "pending"))
        assert (c.status, c.lhs, c.rhs) == ("pass", v[(f"{block}_total", "_")], parts)
    # table 三 is the G19 variant here: T3-C does not apply, T3-B uses the printed （六） row
    assert not any(c.rule_id == "T3-C" for c in report.checks)
    assert "out_oth[total]=" in checks[("T3-B", "total")].detail


@pytest.mark.parametrize(
    "path",
    [*(SEEDS / f"yinzhou-2018.{e}" for e in FORMATS), ORIGINALS / "yinzhou-2018.original.txt"],
    ids=lambda p: p.name,
)
def test_blank_legacy_total_is_not_evaluable_and_not_imputed(path, built):
    report = built(path)
    c = _checks(report)[("L-C", "_")]
    assert (c.status, c.lhs, c.rhs, c.imputes) == ("not_evaluable", None, None, None)
    assert c.detail == "not evaluable: l_rep_total blank"
    assert not any(f.state == "imputed" for f in report.facts)
    # L-H skips the dash channels (rules.csv) and says which
    lh = _checks(report)[("L-H", "_")]
    assert lh.status == "pass" and "skipped l_pub_ch_gazette dash, l_pub_ch_other dash" in lh.detail


def test_g21_out_oth_comes_from_its_sub_rows(built):
    report = built(SEEDS / "ninghai-2021.docx")
    assert report.generations["t3"] == "g21"
    detail = _checks(report)[("T3-B", "total")].detail
    assert "out_oth_nocorrect[total]=" in detail and "out_oth[total]" not in detail
    assert not any(f.code in ("out_oth", "out_den", "out_na", "out_np", "lit_total") for f in report.facts)


# ---- warehouse: the checks table and the cross-year view ---------------------------------------------------


def test_checks_table_holds_the_imputations(corpus_run):
    db, docs = corpus_run["db"], corpus_run["docs"]
    rid = docs["longwan-2023.docx"]["report_id"]
    rows = query(
        db,
        "SELECT party, status, imputes FROM checks WHERE report_id = ? AND rule_id = 'T3-D' AND imputes IS NOT NULL ORDER BY party",
        [rid],
    )
    assert rows == [
        ("out_granted", "pass", "out_granted[total]=0"),
        ("out_partial", "pass", "out_partial[total]=0"),
    ]
    facts = query(
        db,
        "SELECT code, value, raw_value FROM facts WHERE report_id = ? AND state = 'imputed' ORDER BY code",
        [rid],
    )
    assert facts == [("out_granted", 0.0, ""), ("out_partial", 0.0, "")]
    s6 = docs["s0006-longgang-slj-2022.docx"]["report_id"]
    assert query(
        db,
        "SELECT rule_id, party, lhs, rhs FROM checks WHERE report_id = ? AND status = 'fail' AND severity = 'hard'",
        [s6],
    ) == [("T4-A.rev", "_", 3.0, 0.0)]
    # the in-process build and the warehouse agree on every check of a report
    built_checks = build_report(extract_file(SEEDS / "weibin-2023.docx")).checks
    wid = docs["weibin-2023.docx"]["report_id"]
    loaded = query(db, "SELECT rule_id, party, status, lhs, rhs FROM checks WHERE report_id = ?", [wid])
    assert sorted(loaded, key=str) == sorted(
        ((c.rule_id, c.party, c.status, c.lhs, c.rhs) for c in built_checks), key=str
    )


def test_legacy_rules_run_only_on_their_own_form_family() -> None:
    """L16 rules are not reported (as not evaluable) on an LP form, nor LP-A on the national 样表."""
    lp = build_report(
        extract_file(Path(__file__).parent / "fixtures" / "legacy_variants" / "lp-shanghai-2010.docx")
    )
    l16 = build_report(extract_file(CORPUS / "seeds" / "yinzhou-2018.docx"))
    lp_rules = {c.rule_id for c in lp.checks}
    l16_rules = {c.rule_id for c in l16.checks}
    assert {"LP-A.received", "LP-A.replies", "LP-A.rejected"} <= lp_rules
    assert not any(r.startswith("L-") for r in lp_rules)
    assert not any(r.startswith("LP-") for r in l16_rules)
    assert {"L-A", "L-C", "L-G"} <= l16_rules
