"""The analyst views (sql/staging and sql/marts) over real ingests.

``seed_run``: the docx of each of the five seeds (every seed current); ``corpus_run``: the whole corpus.
Exact values come from the seeds' truth files (tests/corpus/seeds/*.truth.json), never from the views.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import SEEDS
from tests.corpus_index import truth
from tests.test_ingest import query
from transform.vocab import read_rows

REPO = Path(__file__).resolve().parents[1]
VIEWS_DIRS = (REPO / "sql" / "staging", REPO / "sql" / "marts")
YINZHOU = "330212:卫生健康局"

# derived code -> its terms (rules DEF-*, T3-C, T4-B of transform/data/rules.csv)
DERIVED = {
    "out_den": [
        "out_den_secret", "out_den_law", "out_den_3s1s", "out_den_3rdparty",
        "out_den_internal", "out_den_process", "out_den_enforce", "out_den_query",
    ],
    "out_na": ["out_na_notheld", "out_na_create", "out_na_unclear"],
    "out_np": ["out_np_petition", "out_np_repeat", "out_np_publication", "out_np_mass", "out_np_confirm"],
    **{f"lit_{x}": [f"lit_d_{x}", f"lit_r_{x}"] for x in ("upheld", "corrected", "other", "pending", "total")},
}  # fmt: skip
NOT_COMPARABLE = ("fee_amount", "fee_items_prev", "fee_items_change", "nd_in_force", "nd_published_total")


def rows(db: Path, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def one(db: Path, sql: str, params: list[Any] | None = None) -> dict[str, Any]:
    found = rows(db, sql, params)
    assert len(found) == 1, found
    return found[0]


def own_views() -> list[str]:
    names = []
    for path in sorted(p for d in VIEWS_DIRS for p in d.glob("1*.sql")):
        names += re.findall(r"CREATE OR REPLACE VIEW (\w+)", path.read_text(encoding="utf-8"))
    return names


def expected_values(seed: str, db: Path, report_id: str) -> dict[str, float | None]:
    """Truth value of every code (party total / _) as v_rep should show it: printed numbers; a blank or
    lost table 三 总计 is the sum of its six printed applicant cells (what rule T3-D determines, computed
    here from the truth file, not read back from the warehouse); any other blank is NULL."""
    facts = truth(seed)["facts"]
    party_values: dict[str, list[float | None]] = {}
    for fact in facts:
        if fact["party"] not in ("total", "_"):
            party_values.setdefault(fact["code"], []).append(
                float(fact["value"]) if fact["state"] == "number" else None
            )
    out: dict[str, float | None] = {}
    for fact in facts:
        if fact["party"] not in ("total", "_"):
            continue
        if fact["state"] == "number":
            value = float(fact["value"])
        else:
            parts = party_values.get(fact["code"], []) if fact["party"] == "total" else []
            value = sum(parts) if len(parts) == 6 and None not in parts else None  # type: ignore[arg-type]
        out[fact["code"]] = value
    for code, terms in DERIVED.items():
        if all(t in out for t in terms):
            parts = [out[t] for t in terms]
            out[code] = None if None in parts else sum(parts)  # type: ignore[arg-type]
    subrows = ["out_oth_nocorrect", "out_oth_nofee", "out_oth_misc"]
    if "out_oth" not in out and all(t in out for t in subrows):
        parts = [out[t] for t in subrows]
        out["out_oth"] = None if None in parts else sum(parts)  # type: ignore[arg-type]
    return out


# ---- v_report / v_rep ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_v_report_reproduces_seed_truth(seed_run: dict[str, Any], seed: str) -> None:
    db, report_id = seed_run["db"], seed_run["report_ids"][seed]
    row = one(db, "SELECT * FROM v_report WHERE report_id = ?", [report_id])
    codes = {r[0] for r in query(db, "SELECT code FROM metric_dictionary")}
    expected = expected_values(seed, db, report_id)
    compared = 0
    for column, value in row.items():
        if column not in codes:
            continue
        assert value == expected.get(column), f"{seed} {column}: {value} != truth {expected.get(column)}"
        compared += 1
    assert compared >= 25
    meta = truth(seed)["metadata"]
    assert row["year"] == meta["year"]
    assert meta["agency"] in (row["agency"], row["agency_name"])  # as printed, or region-qualified
    assert row["era"] == ("legacy" if meta["generation"] == "legacy" else "g")


def test_v_report_every_current_report_once(seed_run: dict[str, Any]) -> None:
    db = seed_run["db"]
    got = sorted(r["report_id"] for r in rows(db, "SELECT report_id FROM v_report"))
    assert got == sorted(seed_run["report_ids"].values())
    wide = {
        r[0]
        for r in query(db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'v_rep'")
    }
    needed = {
        r[0] for r in query(db, "SELECT code FROM metric_dictionary WHERE table_id IN ('t2', 't3', 't4')")
    }
    for s in csv.DictReader((REPO / "transform" / "data" / "series.csv").open(encoding="utf-8")):
        for col in ("g_source", "legacy_source", "lp_source"):
            needed |= set(re.findall(r"\b(?:l_|txt_)[a-z0-9_]+", s[col]))
    assert needed - wide == set()


def test_check_summary_matches_checks_table(seed_run: dict[str, Any]) -> None:
    db = seed_run["db"]
    for r in rows(db, "SELECT * FROM v_report"):
        counts = dict(
            query(
                db,
                "SELECT severity || '/' || status, count(*) FROM checks WHERE report_id = ? GROUP BY ALL",
                [r["report_id"]],
            )
        )
        assert r["checks_hard_pass"] == counts.get("hard/pass", 0)
        assert r["checks_hard_fail"] == counts.get("hard/fail", 0)
        assert r["checks_hard_not_evaluable"] == counts.get("hard/not_evaluable", 0)
        assert r["checks_soft_fail"] == counts.get("soft/fail", 0)


# ---- rates ---------------------------------------------------------------------------------------------


def test_yinzhou_2023_disclosure_rate(seed_run: dict[str, Any]) -> None:
    row = one(
        seed_run["db"],
        "SELECT * FROM v_disclosure WHERE report_id = ?",
        [seed_run["report_ids"]["yinzhou-2023"]],
    )
    assert row["disclosure_rate"] == (4 + 3) / 10 == 0.7
    assert row["disclosure_rate_n"] == 10
    assert row["full_disclosure_rate"] == 0.4
    assert row["merits_disclosure_rate"] == 1.0 and row["merits_disclosure_rate_n"] == 7
    assert row["statutory_denial_rate"] == 0.0
    assert row["denial_share_secret"] is None and row["denial_share_n"] == 0  # no denials: shares undefined
    assert row["fee_drop_share"] is None  # G19 table 三 (single （六） row): no fee sub-row
    assert row["small_out_total"] is False and row["small_denial_n"] is True


def test_rates_are_null_not_zero_when_denominator_is_zero(seed_run: dict[str, Any]) -> None:
    db = seed_run["db"]
    ninghai = seed_run["report_ids"]["ninghai-2021"]  # 0 requests, 0 decisions, 0 reviews, 0 suits
    d = one(db, "SELECT * FROM v_disclosure WHERE report_id = ?", [ninghai])
    rates = [k for k in d if k.endswith(("_rate", "_share")) or k.startswith(("denial_share_", "np_mix_"))]
    rates = [k for k in rates if not k.endswith("_n")]
    assert len(rates) == 21
    assert {k: d[k] for k in rates} == dict.fromkeys(rates)
    assert d["disclosure_rate_n"] == 0 and d["fee_drop_share_n"] == 0 and d["small_out_total"] is True
    p = one(db, "SELECT * FROM v_disputes WHERE report_id = ?", [ninghai])
    assert p["rev_total"] == 0 and p["rev_correction_rate"] is None and p["rev_correction_rate_n"] == 0
    assert p["overall_correction_rate"] is None and p["disputes_per_100_decisions"] is None
    assert p["correction_per_1000_requests"] is None and p["review_to_suit_escalation"] is None
    # longwan 2023: 0 decisions but 2 reviews (1 upheld, 1 pending) and 1 suit after review
    lw = one(db, "SELECT * FROM v_disputes WHERE report_id = ?", [seed_run["report_ids"]["longwan-2023"]])
    assert (lw["rev_total"], lw["lit_r_total"], lw["lit_total"]) == (2, 1, 1)
    assert lw["review_to_suit_escalation"] == 0.5 and lw["review_to_suit_escalation_n"] == 2
    assert lw["rev_correction_rate"] == 0.0 and lw["rev_correction_rate_concluded_n"] == 1
    assert lw["disputes_per_100_decisions"] is None and lw["disputes_per_100_decisions_n"] == 0


def test_enforcement_values_and_ratio(seed_run: dict[str, Any]) -> None:
    row = one(
        seed_run["db"],
        "SELECT * FROM v_enforcement WHERE report_id = ?",
        [seed_run["report_ids"]["yinzhou-2023"]],
    )
    assert (row["lic_decisions"], row["pen_decisions"], row["coe_decisions"]) == (25197, 557, 28)
    assert (
        row["service_enforcement_ratio"] == 25197 / (557 + 28) and row["service_enforcement_ratio_n"] == 585
    )
    assert row["nd_in_force"] == 25 and row["nd_net_change"] == 0
    assert row["prev_year"] is None and row["lic_decisions_yoy"] is None and row["nd_repeal_rate"] is None
    weibin = one(
        seed_run["db"],
        "SELECT * FROM v_enforcement WHERE report_id = ?",
        [seed_run["report_ids"]["weibin-2023"]],
    )
    assert weibin["admin_fee_amount"] == 56.6486


# ---- the Yinzhou agency across the 2019 break ----------------------------------------------------------


def test_yinzhou_agency_year_panel(seed_run: dict[str, Any]) -> None:
    got = rows(seed_run["db"], "SELECT * FROM v_agency_year WHERE agency_id = ? ORDER BY year", [YINZHOU])
    assert [r["year"] for r in got] == [2018, 2023]
    assert [r["era"] for r in got] == ["legacy", "g"]
    assert [r["break_before"] for r in got] == [False, True]
    assert [r["requests_new"] for r in got] == [2, 10]  # l_req_received 2018, req_new 2023
    assert got[1]["prev_year"] == 2018 and got[1]["requests_new_prev"] == 2
    assert got[1]["requests_new_yoy"] is None  # 2018 → 2023 is not a year-on-year change
    assert [r["carry_gap"] for r in got] == [None, None] and not any(r["carry_evaluable"] for r in got)


def test_yinzhou_series_runs_across_the_break(seed_run: dict[str, Any]) -> None:
    db = seed_run["db"]
    got = query(
        db,
        "SELECT year, value, grade, source_generation, break_before FROM v_series "
        "WHERE agency_id = ? AND series = 'h_requests_new' ORDER BY year",
        [YINZHOU],
    )
    assert got == [(2018, 2.0, "A-", "L16", False), (2023, 10.0, "A-", "g19", True)]
    series = dict(
        query(db, "SELECT series, value FROM v_series WHERE agency_id = ? AND year = 2018", [YINZHOU])
    )
    # seed 003: 申请答复数 blank → h_requests_decided falls back to 申请办结数; granted = 已主动公开 0 + 同意 2
    assert series["h_granted"] == 2.0
    legacy = {f["code"]: f for f in truth("yinzhou-2018")["facts"]}
    assert legacy["l_rep_total"]["state"] == "blank"
    assert series["h_requests_decided"] == legacy["l_req_closed"]["value"]
    assert "h_lic_decisions" not in series  # no legacy equivalent
    wide = query(
        db,
        "SELECT agency, year, h_requests_new, h_requests_new_grade, break_before FROM v_series_wide "
        "WHERE agency_id = ? ORDER BY year",
        [YINZHOU],
    )
    assert wide == [
        ("宁波市鄞州区卫生健康局", 2018, 2.0, "A-", False),
        ("宁波市鄞州区卫生健康局", 2023, 10.0, "A-", True),
    ]


def test_not_comparable_pairs_are_never_a_series(seed_run: dict[str, Any]) -> None:
    db = seed_run["db"]
    for series, *sources in query(
        db, "SELECT series, g_source, legacy_source, lp_source FROM series_dictionary"
    ):
        named = set(re.findall(r"[a-z_0-9]+", " ".join(s or "" for s in sources)))
        assert not named & set(NOT_COMPARABLE), series
    produced = {r[0] for r in query(db, "SELECT DISTINCT series FROM v_series")}
    assert produced <= {r[0] for r in query(db, "SELECT series FROM series_dictionary")}
    assert not any(code in s for s in produced for code in NOT_COMPARABLE)
    assert dict(query(db, "SELECT series, grade FROM series_dictionary"))["h_ogi_fee"] == "C"
    # G21 fee_amount (weibin 56.6486 万元) never shows up as a series value
    assert query(db, "SELECT count(*) FROM v_series WHERE value = 56.6486") == [(0,)]
    body = (REPO / "sql" / "models" / "240_model_series.sql").read_text(encoding="utf-8")  # v_series reads it
    for (series,) in query(db, "SELECT series FROM series_dictionary"):
        assert f"'series': '{series}'" in body  # every series of series.csv is implemented


# ---- quality, agencies ---------------------------------------------------------------------------------


def test_quality_completeness_and_format(seed_run: dict[str, Any]) -> None:
    db, ids = seed_run["db"], seed_run["report_ids"]
    q = {s: one(db, "SELECT * FROM v_quality WHERE report_id = ?", [ids[s]]) for s in SEEDS}
    assert (q["ninghai-2021"]["t3_observed"], q["ninghai-2021"]["t3_expected"]) == (175, 175)
    assert (q["ninghai-2021"]["t2_expected"], q["ninghai-2021"]["t4_expected"]) == (10, 15)
    assert q["ninghai-2021"]["completeness"] == 1.0 and q["ninghai-2021"]["format_compliance"] is True
    assert (q["yinzhou-2023"]["t3_observed"], q["yinzhou-2023"]["t3_expected"]) == (161, 161)
    assert q["yinzhou-2023"]["format_compliance"] is False  # 2023 report with a G19 table 三
    assert (q["yinzhou-2018"]["legacy_observed"], q["yinzhou-2018"]["legacy_expected"]) == (
        56,
        58,
    )  # 2 blanks
    assert q["yinzhou-2018"]["mandated_generation"] == "legacy" and q["yinzhou-2018"]["format_compliance"]
    # longwan 2023: rows （一）/（二） lost their 总计 cell → 173 of 175 printed
    assert (q["longwan-2023"]["t3_observed"], q["longwan-2023"]["t3_expected"]) == (173, 175)
    for s in SEEDS:
        imputed = query(db, "SELECT count(*) FROM facts WHERE report_id = ? AND state = 'imputed'", [ids[s]])[
            0
        ][0]
        assert q[s]["imputed_cells"] == imputed
        hard = dict(query(db, "SELECT status, count(*) FROM checks WHERE report_id = ? AND severity = 'hard' "
                              "GROUP BY ALL", [ids[s]]))  # fmt: skip
        evaluated = hard.get("pass", 0) + hard.get("fail", 0)
        assert q[s]["hard_evaluated"] == evaluated
        assert q[s]["rule_pass_rate"] == (hard.get("pass", 0) / evaluated if evaluated else None)


def test_agencies(seed_run: dict[str, Any]) -> None:
    db = seed_run["db"]
    a = one(db, "SELECT * FROM v_agencies WHERE agency_id = ?", [YINZHOU])
    assert a["years"] == [2018, 2023] and (a["first_year"], a["last_year"], a["reports"]) == (2018, 2023, 2)
    assert "宁波市鄞州区卫生健康局" in a["names_seen"]
    assert "330212:卫生和计划生育局" in a["predecessor_ids"]
    assert (
        a["linked_predecessor_ids"] == [] and a["successor_ids"] == []
    )  # the predecessor has no report here
    assert query(db, "SELECT count(*) FROM v_agencies") == [(4,)]  # five seeds, two of them Yinzhou


# ---- whole corpus: region aggregates, every view -------------------------------------------------------


def test_region_year_counts_agency_self_reports_only(corpus_run: dict[str, Any]) -> None:
    db = corpus_run["db"]
    scopes = dict(query(db, "SELECT report_scope, count(*) FROM v_rep GROUP BY ALL"))
    assert scopes.get("government_self", 0) > 0  # the corpus has reports that must be left out
    expected = query(
        db,
        "SELECT province, year, count(*), sum(req_new) FROM v_rep "
        "WHERE report_scope = 'agency_self' AND province IS NOT NULL GROUP BY ALL ORDER BY ALL",
    )
    got = query(
        db,
        "SELECT province, year, reports, req_new FROM v_region_year WHERE grouping_level = 'province' "
        "ORDER BY ALL",
    )
    assert got == expected
    for level, keys in (("city", "province, city"), ("county", "province, city, county")):
        total = query(db, f"SELECT sum(reports) FROM v_region_year WHERE grouping_level = '{level}'")
        assert total == [(sum(r[2] for r in expected),)], (level, keys)
    gov = query(
        db,
        "SELECT province, year, req_new FROM v_rep WHERE report_scope <> 'agency_self' AND req_new > 0 LIMIT 1",
    )
    for province, year, _ in gov:
        agg = query(db, "SELECT req_new FROM v_region_year WHERE grouping_level = 'province' AND province = ? "
                        "AND year = ?", [province, year])  # fmt: skip
        own = query(db, "SELECT sum(req_new) FROM v_rep WHERE report_scope = 'agency_self' AND province = ? "
                        "AND year = ?", [province, year])  # fmt: skip
        assert agg == own or (agg == [] and own == [(None,)])


def test_every_view_selects_on_the_corpus(corpus_run: dict[str, Any]) -> None:
    db = corpus_run["db"]
    current = query(db, "SELECT count(*) FROM reports WHERE is_current")[0][0]
    for view in own_views():
        query(db, f"SELECT * FROM {view}")
    assert query(db, "SELECT count(*) FROM v_report") == [(current,)]
    assert query(db, "SELECT count(*) FROM v_quality") == [(current,)]
    assert query(db, "SELECT count(*) FROM v_series_wide") == [(current,)]


def test_every_view_selects_on_an_empty_warehouse(tmp_path: Path) -> None:
    from flows.warehouse.writer import open_warehouse

    with open_warehouse(tmp_path / "empty.duckdb") as wh:
        for view in own_views():
            got = wh.con.execute(f"SELECT * FROM {view}").fetchall()
            if view != "stg_expected_cells":  # the official layouts, from the dictionaries alone
                assert got == [], view
        cells = "SELECT table_id || '/' || generation, sum(cells) FROM stg_expected_cells GROUP BY ALL"
        assert dict(wh.con.execute(cells).fetchall()) == {
            "t2/g19": 22, "t2/g21": 10, "t3/g19": 161, "t3/g21": 175, "t4/g19": 15, "t4/g21": 15, "legacy/legacy": 58,
        }  # fmt: skip
        assert wh.con.execute("SELECT count(*) FROM metric_dictionary").fetchall()[0][0] == len(
            read_rows("metrics.csv")
        )


def test_dictionaries_are_loaded_once_per_open(tmp_path: Path) -> None:
    from flows.warehouse.writer import open_warehouse

    metrics = list(csv.DictReader((REPO / "transform" / "data" / "metrics.csv").open(encoding="utf-8")))
    rules = list(csv.DictReader((REPO / "transform" / "data" / "rules.csv").open(encoding="utf-8")))
    for _ in range(2):  # reopening replaces the contents, never duplicates them
        with open_warehouse(tmp_path / "w.duckdb") as wh:
            counts = [
                wh.con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                for t in ("metric_dictionary", "rule_dictionary", "party_dictionary", "series_dictionary")
            ]
    assert counts == [len(metrics), len(rules), len(read_rows("parties.csv")), len(read_rows("series.csv"))]


# ---- docs/dictionary.md --------------------------------------------------------------------------------


def test_dictionary_documents_everything_and_is_up_to_date() -> None:
    from flows.analyst.docs import DOC_PATH, live_schema, render, undocumented

    relations, con = live_schema()
    con.close()
    assert undocumented(relations) == []
    for rel in relations:  # the analyst views document every column themselves
        if rel.source.startswith("views/1"):
            assert [c.name for c in rel.columns if c.origin not in ("own", "metric_dictionary")] == [], (
                rel.name
            )
    text = render()
    assert DOC_PATH.read_text(encoding="utf-8") == text, (
        "docs/dictionary.md is stale: python -m flows.analyst.docs"
    )
    metrics = list(csv.DictReader((REPO / "transform" / "data" / "metrics.csv").open(encoding="utf-8")))
    assert all(f"| `{m['code']}` |" in text for m in metrics)
