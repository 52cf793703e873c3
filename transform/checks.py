"""The report's own arithmetic (勾稽关系): every within-report rule of rules.csv, and the cells it repairs.

``evaluate_report(report)`` runs at the very end of ``build_report`` on whatever facts are there (table
cells and the narrative's ``txt_*`` facts) and appends one ``Check`` per equation instance to
``report.checks``. The rules come from transform/data/rules.csv through transform.rules; nothing here
names a rule, so a new rules.csv row is evaluated without code changes.

Semantics (chosen here, documented because the data cannot say them):

- **Applicability.** A rule applies when the generation of the table it concerns (``Report.generations``)
  is one of its generations, and, for legacy rules, when the table is of the rule's form family (L16 or
  LP: an LP form prints a code metrics.csv marks 'LP …'). ``(each party)`` rules run once per applicant column the report prints,
  ``(each t3 code)`` rules once per printed t3 row, and only when the table prints a cell of the column
  on their left side (T3-D.sub needs an 8th 小计 column).
- **Definitions.** A rule whose left side is a single code the report cannot print in that generation
  (metrics.csv kind ``derived``: out_den, out_na, out_np, lit_*; or a code that is only a group heading
  in that generation: G21 ``out_oth``, headed over its three sub-rows) *defines* that code. It produces no
  check row; the code is expanded into its definition wherever another rule uses it, so a not-evaluable
  detail names the printed cell that is unknown. Derived codes are never stored as facts.
- **Unknown terms.** A ``blank``, ``dash``, ``na_text`` or ``uncertain`` (OCR) cell, or a code the report does not print,
  makes the equation ``not_evaluable`` (detail names the terms), never ``fail``. Exception: in a bound
  with ``max(…)`` (L-H) the channel terms that are dash/blank are skipped, as rules.csv describes.
- **OCR.** A failing check names every OCR'd cell it involves: page, grid position, the text OCR read
  and its confidence, so the scan can be looked up.
- **Tolerance.** 0 for counts, 0.01 when a term is in 万元. ``(approximately)`` (L-J) passes within
  ``APPROX_REL`` of the larger side (at least ``APPROX_ABS``): without carry rows, requests received and
  closed differ by the year-end backlog.

Imputation (a consistency rule used to repair a lost cell): a ``blank`` t3 cell, or an ``uncertain`` one
(OCR could not read it reliably), that is the only unknown term of a hard identity is determined by it.
Every such determination of one round is collected first; a cell
two rules determine differently is not filled (warning), nor one whose value would be negative or
fractional. Otherwise the fact becomes ``state='imputed'`` with the value (``raw_value`` stays as
printed), the most local rule that determined it (a row rule such as T3-D before a T3-A/T3-B column, then the one
with fewest terms)
carries ``imputes='code[party]=value'``, and rounds repeat until nothing new is determined. All checks
are then evaluated on the filled values; the detail says when a pass holds only by construction (the
imputing rule), when another rule determined the same value independently (a real cross-check), and
when a result relies on imputed cells. Only table 3 is repaired: a legacy total left blank is a
reporting choice (seed yinzhou-2018 leaves 申请答复数 blank, L-C must stay not evaluable), and t4/legacy
cells have a single rule each, so no second rule could cross-check a filled value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from transform.report import Check, Fact, Report
from transform.rules import Equation, Max, Term, rule_set
from transform.vocab import is_lp_only, read_rows

APPROX_REL = 0.10
"""``(approximately)``: relative tolerance of soft approximate rules (L-J)."""
APPROX_ABS = 1.0
"""``(approximately)``: the tolerance is never below one unit."""
IMPUTABLE_TABLES = frozenset({"t3"})
"""Tables whose blank cells the rules may fill (see the module docstring for why only table 3)."""
_EPS = 1e-9
_MONEY_TOL = 0.01

Leaf = tuple[str, str]
"""(code, party) of a printed cell."""


@dataclass(slots=True)
class _Codes:
    """What metrics.csv says about codes, as the engine needs it."""

    table: dict[str, str]
    unit: dict[str, str]
    derived: set[str]
    group_in: dict[str, set[str]]
    """generation → codes whose label in that generation only heads other codes' rows."""
    rows: list[str]
    """t3 codes in dictionary order (row order of the table)."""
    parties: list[str]
    """applicant columns in column order."""
    lp_only: set[str]
    """Codes only the older local legacy forms print (metrics.csv notes 'LP …')."""


@cache
def _codes() -> _Codes:
    rows = read_rows("metrics.csv")
    group_in: dict[str, set[str]] = {}
    for gen in ("g19", "g21"):
        paths = {r["code"]: r[f"{gen}_label_path"] for r in rows if r[f"{gen}_label_path"]}
        group_in[gen] = {c for c, p in paths.items() if any(q.startswith(p + " > ") for q in paths.values())}
    parties = [r["code"] for r in sorted(read_rows("parties.csv"), key=lambda r: int(r["column_order"]))]
    return _Codes(
        table={r["code"]: r["table"] for r in rows},
        unit={r["code"]: r["unit"] for r in rows},
        derived={r["code"] for r in rows if r["kind"] == "derived"},
        group_in=group_in,
        rows=[r["code"] for r in rows if r["table"] == "t3"],
        parties=parties,
        lp_only={r["code"] for r in rows if is_lp_only(r)},
    )


# ---- instances: one equation bound to a report context (a party column or a t3 row) ----------------


@dataclass(slots=True)
class _Side:
    leaves: list[tuple[int, Leaf]] = field(default_factory=list)
    """(sign, cell) of the plain terms, definitions expanded."""
    maxes: list[tuple[int, list[Leaf]]] = field(default_factory=list)


@dataclass(slots=True)
class _Instance:
    eq: Equation
    party: str
    """The checks.party: applicant column, t3 row code (row rules), family value or ``_``."""
    sides: list[_Side]

    def leaves(self) -> list[Leaf]:
        out = [leaf for s in self.sides for _, leaf in s.leaves]
        out += [leaf for s in self.sides for _, m in s.maxes for leaf in m]
        return out


class _Binder:
    """Binds equations to one report: generation gating, definitions, leaf resolution."""

    def __init__(self, report: Report, facts: dict[Leaf, Fact]):
        self.report = report
        self.facts = facts
        self.codes = _codes()
        self.printed_codes = {code for code, _ in facts}
        self.t3_parties = [p for p in self.codes.parties if any((c, p) in facts for c in self.codes.rows)]
        self.definitions: dict[str, Equation] = {}
        self.checks: list[Equation] = []
        legacy_form = "LP" if self.printed_codes & self.codes.lp_only else "L16"
        for eq in rule_set().within:
            gen = report.generations.get(eq.table)
            if gen is None or gen not in eq.generations:
                continue
            if eq.form is not None and eq.form != legacy_form:
                continue  # an L16 rule on an LP form (or the reverse) has no cells to look at
            code = eq.lhs_code
            if code is not None and eq.is_identity and self._is_defined(code, gen):
                self.definitions[code] = eq
            else:
                self.checks.append(eq)

    def _is_defined(self, code: str, gen: str) -> bool:
        return code in self.codes.derived or (
            code in self.codes.group_in.get(gen, set()) and code not in self.printed_codes
        )

    def _party_of(self, term: Term, ctx_party: str) -> str:
        if term.party is not None:
            return term.party
        if self.codes.table.get(term.name) == "t3":
            return ctx_party if ctx_party in self.codes.parties else "total"
        return "_"

    def _expand(
        self, term: Term, ctx_party: str, sign: int, out: list[tuple[int, Leaf]], depth: int = 0
    ) -> None:
        """Append the printed cells of ``term``, a derived code replaced by its definition's terms."""
        sign *= term.sign
        definition = self.definitions.get(term.name)
        if definition is not None and depth < 5:
            party = self._party_of(term, ctx_party)
            for atom in definition.sides[1]:
                if isinstance(atom, Term):
                    self._expand(atom, party, sign, out, depth + 1)
            return
        out.append((sign, (term.name, self._party_of(term, ctx_party))))

    def _bind(self, eq: Equation, ctx: str, row: str | None) -> _Instance:
        sides = []
        for side in eq.sides:
            s = _Side()
            for atom in side:
                if isinstance(atom, Max):
                    s.maxes.append((atom.sign, [self._leaf(t, ctx, row) for t in atom.terms]))
                elif row is not None:
                    s.leaves.append((atom.sign, self._leaf(atom, ctx, row)))
                else:
                    self._expand(atom, ctx, 1, s.leaves)
            sides.append(s)
        party = row if row is not None else ctx
        return _Instance(eq, party, sides)

    def _leaf(self, term: Term, ctx: str, row: str | None) -> Leaf:
        if row is not None:  # per-row rule: the terms are applicant columns
            return (row, term.name)
        return (term.name, self._party_of(term, ctx))

    def instances(self) -> list[_Instance]:
        out: list[_Instance] = []
        for eq in self.checks:
            if eq.mode == "party":
                out.extend(self._bind(eq, p, None) for p in self.t3_parties)
            elif eq.mode == "row":
                left = {t.name for t in eq.sides[0] if isinstance(t, Term)}
                if not any(p in left for p in self.t3_parties):
                    continue  # the table prints no cell of the column this rule defines
                rows = [c for c in self.codes.rows if any((c, p) in self.facts for p in self.t3_parties)]
                out.extend(self._bind(eq, "_", r) for r in rows)
            else:
                out.append(self._bind(eq, eq.family or "_", None))
        return out


# ---- evaluation ---------------------------------------------------------------------------------------


def _known(fact: Fact | None) -> bool:
    return fact is not None and fact.value is not None and fact.state in ("number", "imputed", "recovered")


def _why(fact: Fact | None) -> str:
    if fact is None:
        return "missing"
    if fact.state == "uncertain":
        return f"uncertain (OCR read {fact.raw_value!r}, {_ocr_where(fact)})"
    if fact.state == "blank" and fact.position.endswith("cell missing"):
        return "lost (the row printed one value short)"
    return fact.state


def _ocr_where(fact: Fact) -> str:
    conf = "" if fact.confidence is None else f", confidence {fact.confidence:.2f}"
    return f"page {fact.page}, {fact.position}{conf}"


def _ocr_cells(leaves: list[Leaf], facts: dict[Leaf, Fact]) -> str:
    """The OCR'd cells of a failed equation, each with where it is and what OCR read: the cells an
    analyst has to look at on the scan."""
    cells = []
    for leaf in dict.fromkeys(leaves):
        fact = facts.get(leaf)
        if fact is not None and fact.provenance == "ocr":
            cells.append(f"{_name(leaf)} {fact.raw_value!r} ({_ocr_where(fact)})")
    return f"; OCR cells: {'; '.join(cells)}" if cells else ""


def _fmt(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def _name(leaf: Leaf) -> str:
    code, party = leaf
    return code if party == "_" else f"{code}[{party}]"


@dataclass(slots=True)
class _Result:
    status: str
    lhs: float | None
    rhs: float | None
    text: str
    unknown: list[Leaf]
    skipped: list[Leaf]


def _evaluate(inst: _Instance, facts: dict[Leaf, Fact], unit: dict[str, str]) -> _Result:
    unknown: list[Leaf] = []
    skipped: list[Leaf] = []
    for s in inst.sides:
        for _, leaf in s.leaves:
            if not _known(facts.get(leaf)):
                unknown.append(leaf)
    maxed = {leaf for s in inst.sides for _, m in s.maxes for leaf in m}
    if maxed:  # a bound over channels: printed dash/blank channels are skipped (rules.csv, L-H)
        skipped = [
            leaf
            for leaf in unknown
            if leaf in maxed and leaf in facts and facts[leaf].state in ("dash", "blank")
        ]
        unknown = [leaf for leaf in unknown if leaf not in skipped]
        if not unknown and all(leaf in skipped for leaf in maxed):
            unknown = sorted(maxed)  # no channel known: nothing to bound with
    if unknown:
        terms = ", ".join(f"{_name(leaf)} {_why(facts.get(leaf))}" for leaf in dict.fromkeys(unknown))
        return _Result("not_evaluable", None, None, f"not evaluable: {terms}", unknown, skipped)
    values: list[float] = []
    parts: list[str] = []
    for s in inst.sides:
        total = 0.0
        shown: list[str] = []
        for sign, leaf in s.leaves:
            if leaf in skipped:
                continue
            v = facts[leaf].value or 0.0
            total += sign * v
            shown.append(("- " if sign < 0 else "") + f"{_name(leaf)}={_fmt(v)}")
        for sign, members in s.maxes:
            known = [(leaf, facts[leaf].value or 0.0) for leaf in members if leaf not in skipped]
            m = max((v for _, v in known), default=0.0)
            total += sign * m
            shown.append(f"max({', '.join(f'{_name(leaf)}={_fmt(v)}' for leaf, v in known)})={_fmt(m)}")
        values.append(total)
        parts.append(
            " + ".join(shown).replace("+ - ", "- ") + (f" (={_fmt(total)})" if len(shown) > 1 else "")
        )
    money = any(unit.get(code) == "万元" for code, _ in inst.leaves())
    tol = _MONEY_TOL + _EPS if money else _EPS
    ok = True
    for a, op, b in zip(values, inst.eq.ops, values[1:], strict=False):
        if inst.eq.approx:
            ok &= abs(a - b) <= max(APPROX_ABS, APPROX_REL * max(abs(a), abs(b)))
        elif op == "=":
            ok &= abs(a - b) <= tol
        elif op == "<=":
            ok &= a <= b + tol
        else:
            ok &= a >= b - tol
    text = f" {' '.join(inst.eq.ops)} ".join(parts) if len(inst.eq.ops) == 1 else _chain(parts, inst.eq.ops)
    if inst.eq.approx:
        text += f" (approximately: within {APPROX_REL:.0%}, at least {_fmt(APPROX_ABS)})"
    if skipped:
        text += f"; skipped {', '.join(f'{_name(leaf)} {_why(facts.get(leaf))}' for leaf in skipped)}"
    return _Result("pass" if ok else "fail", values[0], values[-1], text, [], skipped)


def _chain(parts: list[str], ops: tuple[str, ...]) -> str:
    out = parts[0]
    for op, part in zip(ops, parts[1:], strict=True):
        out += f" {op} {part}"
    return out


# ---- imputation ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Imputation:
    leaf: Leaf
    value: float
    by: _Instance
    agreeing: list[_Instance]


def _solve(inst: _Instance, facts: dict[Leaf, Fact]) -> tuple[Leaf, float] | None:
    """The value of the single unknown cell of a hard identity, if it is one."""
    if not inst.eq.is_identity or inst.eq.approx or inst.eq.severity != "hard" or inst.sides[0].maxes:
        return None
    coef: dict[Leaf, int] = {}
    known = 0.0
    for side_sign, side in zip((1, -1), inst.sides, strict=True):
        for sign, leaf in side.leaves:
            fact = facts.get(leaf)
            if _known(fact):
                known += side_sign * sign * (fact.value or 0.0)  # type: ignore[union-attr]
            else:
                coef[leaf] = coef.get(leaf, 0) + side_sign * sign
    if len(coef) != 1:
        return None
    ((leaf, c),) = coef.items()
    if c == 0:
        return None
    return leaf, -known / c


def _impute(
    instances: list[_Instance], facts: dict[Leaf, Fact], table_of: dict[str, str], warnings: list[str]
) -> dict[Leaf, _Imputation]:
    done: dict[Leaf, _Imputation] = {}
    refused: set[Leaf] = set()
    while True:
        proposals: dict[Leaf, list[tuple[_Instance, float]]] = {}
        for inst in instances:
            solved = _solve(inst, facts)
            if solved is None:
                continue
            leaf, value = solved
            fact = facts.get(leaf)
            if (
                fact is None
                or fact.state not in ("blank", "uncertain")
                or table_of.get(leaf[0]) not in IMPUTABLE_TABLES
                or leaf in refused
            ):
                continue
            proposals.setdefault(leaf, []).append((inst, value))
        new = 0
        for leaf, props in proposals.items():
            values = {round(v, 6) for _, v in props}
            rules = ", ".join(f"{i.eq.rule_id}[{i.party}]={_fmt(v)}" for i, v in props)
            if len(values) > 1:
                warnings.append(f"checks: {_name(leaf)} is determined differently by {rules}; not imputed")
                refused.add(leaf)
                continue
            value = props[0][1]
            if value < -_EPS or abs(value - round(value)) > _EPS:
                warnings.append(
                    f"checks: {_name(leaf)} would be {_fmt(value)} by {rules} (not a count); not imputed"
                )
                refused.add(leaf)
                continue
            value = float(round(value))
            # the most local rule carries the imputation: a row rule (cells of the same printed row) before
            # a column rule, then the one with fewest terms
            carrier = min((i for i, _ in props), key=lambda i: (i.eq.mode != "row", len(i.leaves())))
            fact = facts[leaf]
            why = _why(fact)
            fact.value, fact.state = value, "imputed"
            done[leaf] = _Imputation(leaf, value, carrier, [i for i, _ in props if i is not carrier])
            warnings.append(
                f"checks: {_name(leaf)} {why}, imputed {_fmt(value)} by {carrier.eq.rule_id}[{carrier.party}]"
                + (
                    f" (also determined by {', '.join(f'{i.eq.rule_id}[{i.party}]' for i in done[leaf].agreeing)})"
                    if done[leaf].agreeing
                    else ""
                )
            )
            new += 1
        if not new:
            return done


# ---- entry point --------------------------------------------------------------------------------------


def evaluate_report(report: Report) -> list[Check]:
    """Evaluate every applicable within-report rule, imputing what the hard rules determine; append the
    checks to ``report.checks`` (checks already there, such as N-2, are kept) and return the new ones."""
    facts: dict[Leaf, Fact] = {(f.code, f.party): f for f in report.facts}
    binder = _Binder(report, facts)
    instances = binder.instances()
    codes = binder.codes
    blanks_before = {
        leaf: _why(facts.get(leaf))
        for inst in instances
        for leaf in inst.leaves()
        if not _known(facts.get(leaf))
    }
    imputed = _impute(instances, facts, codes.table, report.warnings)
    carried = {id(imp.by): imp for imp in imputed.values()}
    agreed: dict[int, list[_Imputation]] = {}
    for imp in imputed.values():
        for inst in imp.agreeing:
            agreed.setdefault(id(inst), []).append(imp)
    checks: list[Check] = []
    for inst in instances:
        res = _evaluate(inst, facts, codes.unit)
        used = [leaf for leaf in dict.fromkeys(inst.leaves()) if leaf in imputed]
        detail = res.text
        imputes = None
        own = carried.get(id(inst))
        if own is not None:
            imputes = f"{own.leaf[0]}[{own.leaf[1]}]={_fmt(own.value)}"
            detail = (
                f"used to impute {_name(own.leaf)}={_fmt(own.value)} (the cell was {blanks_before.get(own.leaf, 'blank')}) "
                f"from the other terms: holds by construction, not an independent confirmation; {res.text}"
            )
        elif used and res.status == "not_evaluable":
            detail = f"{res.text} (imputed {', '.join(_name(leaf) for leaf in used)} already filled)"
        elif used:
            confirms = agreed.get(id(inst), [])
            if confirms:
                detail = (
                    f"determined {', '.join(_name(i.leaf) for i in confirms)} independently with the same value "
                    f"(cross-check of the imputation by {', '.join(f'{i.by.eq.rule_id}[{i.by.party}]' for i in confirms)}); "
                    f"{res.text}"
                )
            else:
                detail = (
                    f"relies on imputed {', '.join(_name(leaf) for leaf in used)} (blank or lost; "
                    f"not evaluable from printed cells alone); {res.text}"
                )
        if res.status == "fail":
            detail += _ocr_cells(inst.leaves(), facts)
        checks.append(
            Check(
                rule_id=inst.eq.rule_id,
                party=inst.party,
                severity=inst.eq.severity,
                status=res.status,
                lhs=res.lhs,
                rhs=res.rhs,
                detail=detail,
                imputes=imputes,
            )
        )
    report.checks.extend(checks)
    return checks


__all__ = ["APPROX_ABS", "APPROX_REL", "evaluate_report"]
