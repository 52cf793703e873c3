"""rules.csv → equations the check engine can evaluate (parsed from the formula text, never hand-coded).

Formula language of rules.csv (transform/data/rules.csv):

- sides joined by ``=``, ``>=`` or ``<=``; a rule may chain them (``max(a, b) <= x <= a + b``);
- a side is a sum/difference of metric codes; ``code (party)`` pins a t3 code to one applicant column
  (``req_new (total)``); ``max(a, b, …)`` is the largest known term;
- trailing annotations: ``(each party)`` = one equation per applicant column; ``(each t3 code)`` = one
  equation per printed t3 row, its terms being applicant columns (T3-D); ``(approximately)`` = soft
  comparison with a tolerance;
- ``… for X in {a, b}`` expands a family: every ``_``-separated segment ``X`` of a code is replaced;
- ``code(t)``/``(t+1)`` mark cross-year rules: those are SQL views (sql/checks/020_cross_year_checks.sql);
- ``=>`` marks an implication about narrative wording (N-2): evaluated by transform.narrative_numbers.

The table a rule concerns is the first ``t2``/``t3``/``t4``/``legacy`` named in its scope (``text <-> t3``
concerns t3); it applies to a report when the generation of that table is one of the rule's generations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from transform.vocab import read_rows

_ANNOTATIONS = {"each party": "party", "each t3 code": "row", "approximately": "approx"}
_TOKEN = re.compile(r"\s*(<=|>=|=|\+|-|,|\(|\)|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?)")
_FAMILY = re.compile(r"^(?P<body>.*?)\s+for\s+(?P<var>[A-Za-z]+)\s+in\s+\{(?P<vals>[^}]*)\}\s*$")
_TABLES = ("t2", "t3", "t4", "legacy")


class FormulaError(ValueError):
    """A formula outside the language above (a new rules.csv row needs the parser extended)."""


@dataclass(frozen=True, slots=True)
class Term:
    sign: int
    """+1 or -1."""
    name: str
    """A metric code, or an applicant column in a per-row (T3-D) rule."""
    party: str | None = None
    """Column pinned in the formula (``req_new (total)``), else taken from the equation's context."""


@dataclass(frozen=True, slots=True)
class Max:
    """``max(a, b, …)``: the largest of its (known) terms."""

    sign: int
    terms: tuple[Term, ...]


Atom = Term | Max


@dataclass(frozen=True, slots=True)
class Equation:
    rule_id: str
    severity: str
    generations: frozenset[str]
    table: str
    """The table whose generation decides whether the rule applies (t2, t3, t4, legacy)."""
    sides: tuple[tuple[Atom, ...], ...]
    ops: tuple[str, ...]
    """``=``, ``>=``, ``<=`` between consecutive sides."""
    mode: str
    """``single`` (one equation per report), ``party`` (each applicant column), ``row`` (each t3 code)."""
    approx: bool
    family: str | None
    """The ``X`` value of a ``for X in {…}`` expansion."""
    formula: str
    form: str | None = None
    """For legacy rules: the form family they belong to, ``L16`` (the national 样表) or ``LP`` (the older
    local forms), read from the scope text; None for rules of every form."""

    @property
    def is_identity(self) -> bool:
        return self.ops == ("=",)

    @property
    def lhs_code(self) -> str | None:
        """The code on the left when the left side is one plain term (a definition's defined code)."""
        left = self.sides[0]
        if len(left) == 1 and isinstance(left[0], Term) and left[0].sign == 1 and left[0].party is None:
            return left[0].name
        return None


def _parse_side(tokens: list[str], i: int) -> tuple[tuple[Atom, ...], int]:
    atoms: list[Atom] = []
    sign = 1
    expect_term = True
    while i < len(tokens):
        tok = tokens[i]
        if tok in ("=", "<=", ">=", ",", ")"):
            break
        if tok in ("+", "-"):
            if expect_term and atoms:
                raise FormulaError(f"two operators in a row at {tok!r}")
            sign = -1 if tok == "-" else 1
            expect_term = True
            i += 1
            continue
        if not expect_term:
            raise FormulaError(f"missing operator before {tok!r}")
        if tok == "max" and i + 1 < len(tokens) and tokens[i + 1] == "(":
            i += 2
            inner: list[Term] = []
            while True:
                side, i = _parse_side(tokens, i)
                if len(side) != 1 or not isinstance(side[0], Term):
                    raise FormulaError("max() takes plain codes")
                inner.append(side[0])
                if i >= len(tokens):
                    raise FormulaError("unclosed max(")
                if tokens[i] == ")":
                    i += 1
                    break
                if tokens[i] != ",":
                    raise FormulaError(f"unexpected {tokens[i]!r} in max()")
                i += 1
            atoms.append(Max(sign, tuple(inner)))
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", tok):
            party = None
            if tokens[i + 1 : i + 2] == ["("] and tokens[i + 3 : i + 4] == [")"]:
                party = tokens[i + 2]
                i += 3
            atoms.append(Term(sign, tok, party))
            i += 1
        else:
            raise FormulaError(f"unexpected token {tok!r}")
        sign = 1
        expect_term = False
    if not atoms:
        raise FormulaError("empty side")
    if expect_term:
        raise FormulaError("an operator without a term after it")
    return tuple(atoms), i


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise FormulaError(f"cannot read {text[pos:]!r}")
        tokens.append(m.group(1))
        pos = m.end()
    return tokens


def parse_formula(
    formula: str,
    *,
    rule_id: str = "?",
    severity: str = "hard",
    generations: frozenset[str] = frozenset(),
    table: str = "t3",
    form: str | None = None,
) -> list[Equation]:
    """One formula of rules.csv → its equations (several for a ``for X in {…}`` family)."""
    body = formula.strip()
    mode, approx = "single", False
    family: list[str | None] = [None]
    var = None
    m = _FAMILY.match(body)
    if m:
        body, var = m.group("body"), m.group("var")
        family = [v.strip() for v in m.group("vals").split(",") if v.strip()]
    while (end := re.search(r"\(([^()]*)\)\s*$", body)) and end.group(1).strip() in _ANNOTATIONS:
        kind = _ANNOTATIONS[end.group(1).strip()]
        if kind == "approx":
            approx = True
        else:
            mode = kind
        body = body[: end.start()].rstrip()
    out = []
    for value in family:
        text = body
        if var is not None:
            text = re.sub(
                r"[A-Za-z_][A-Za-z0-9_]*",
                lambda w, value=value: "_".join(
                    value if seg == var else seg for seg in w.group(0).split("_")
                ),
                body,
            )
        tokens = _tokenize(text)
        sides: list[tuple[Atom, ...]] = []
        ops: list[str] = []
        i = 0
        while True:
            side, i = _parse_side(tokens, i)
            sides.append(side)
            if i >= len(tokens):
                break
            if tokens[i] not in ("=", "<=", ">="):
                raise FormulaError(f"unexpected {tokens[i]!r} in {formula!r}")
            ops.append(tokens[i])
            i += 1
        if not ops:
            raise FormulaError(f"no comparison in {formula!r}")
        out.append(
            Equation(
                rule_id=rule_id,
                severity=severity,
                generations=generations,
                table=table,
                sides=tuple(sides),
                ops=tuple(ops),
                mode=mode,
                approx=approx,
                family=value,
                formula=formula,
                form=form,
            )
        )
    return out


def _form_of(scope: str) -> str | None:
    """``legacy (L16 统计表)`` → L16, ``legacy (LP Shanghai-model forms)`` → LP: the two legacy families
    print different rows, so a rule of one is never evaluated (as not evaluable) on the other."""
    if re.search(r"\bLP\b", scope):
        return "LP"
    if re.search(r"\bL16\b", scope):
        return "L16"
    return None


def _table_of(scope: str) -> str | None:
    for word in re.split(r"[\s;,()<>-]+", scope):
        if word in _TABLES:
            return word
    return None


@dataclass(frozen=True, slots=True)
class RuleSet:
    within: tuple[Equation, ...]
    """Every within-report equation, in rules.csv order."""
    skipped: tuple[tuple[str, str], ...]
    """(rule_id, why) for rows evaluated elsewhere: cross-year views, narrative implications."""


def is_cross_year(scope: str, formula: str) -> bool:
    return "cross-year" in scope or re.search(r"\(t[+-]?\d*\)", formula) is not None


@cache
def rule_set() -> RuleSet:
    """rules.csv parsed once per process."""
    within: list[Equation] = []
    skipped: list[tuple[str, str]] = []
    for r in read_rows("rules.csv"):
        if is_cross_year(r["scope"], r["formula"]):
            skipped.append((r["rule_id"], "cross-year: sql/checks/020_cross_year_checks.sql"))
            continue
        if "=>" in r["formula"]:
            skipped.append((r["rule_id"], "narrative implication: transform.narrative_numbers"))
            continue
        table = _table_of(r["scope"])
        if table is None:
            raise FormulaError(f"{r['rule_id']}: no table in scope {r['scope']!r}")
        within.extend(
            parse_formula(
                r["formula"],
                rule_id=r["rule_id"],
                severity=r["severity"],
                generations=frozenset(r["generations"].split()),
                table=table,
                form=_form_of(r["scope"]),
            )
        )
    return RuleSet(tuple(within), tuple(skipped))
