"""The formula language of transform/data/rules.csv, parsed into equations (transform/rules.py)."""

from __future__ import annotations

import pytest

from transform.rules import FormulaError, Max, Term, parse_formula, rule_set


def test_formula_each_party_sum():
    (eq,) = parse_formula(
        "req_new + req_carried_in = out_total + req_carried_out (each party)", rule_id="T3-A"
    )
    assert eq.mode == "party" and eq.ops == ("=",) and not eq.approx
    assert [t.name for t in eq.sides[0]] == ["req_new", "req_carried_in"]
    assert [t.name for t in eq.sides[1]] == ["out_total", "req_carried_out"]


def test_formula_family_replaces_the_variable_segment_only():
    eqs = parse_formula("X_items_prev = X_items_prev + X_items_change for X in {lic, fee}")
    assert [e.family for e in eqs] == ["lic", "fee"]
    assert [t.name for t in eqs[1].sides[1]] == ["fee_items_prev", "fee_items_change"]


def test_formula_bound_with_max_and_pinned_party_and_minus():
    (eq,) = parse_formula("max(a, b) <= x <= a + b")
    assert eq.ops == ("<=", "<=") and isinstance(eq.sides[0][0], Max)
    assert [t.name for t in eq.sides[0][0].terms] == ["a", "b"]
    (eq,) = parse_formula("txt_req_received = req_new (total)")
    assert eq.sides[1] == (Term(1, "req_new", "total"),)
    (eq,) = parse_formula("a = b - c (approximately)")
    assert eq.approx and eq.sides[1] == (Term(1, "b"), Term(-1, "c"))


def test_formula_errors_are_reported():
    with pytest.raises(FormulaError):
        parse_formula("a + = b")
    with pytest.raises(FormulaError):
        parse_formula("a + b")


def test_every_within_report_rule_of_rules_csv_parses_and_cross_year_rules_are_left_to_sql():
    rs = rule_set()
    within = {e.rule_id for e in rs.within}
    assert len(within) == 29 and {"T3-A", "T3-D.sub", "L-H", "N-1.legacy", "LP-A.rejected"} <= within
    assert {r for r, _ in rs.skipped} == {"X-1", "T2-A.reg", "T2-A.nd", "T2-B", "N-2", "tables_unread"}
    assert {e.family for e in rs.within if e.rule_id == "T4-B"} == {
        "upheld",
        "corrected",
        "other",
        "pending",
        "total",
    }
