"""Tables that portal crawlers flattened into one run of text (``…申请数量230000023二、上年结转…``).

With the cell separators gone, ``230000023`` could be 23, 0, 0, 0, 0, 0, 23 or 2, 30, 0, … The digits
are never guessed apart. A row of table 3 is recovered only when exactly one split of its digits into
the table's seven applicant columns satisfies the row's own identity (总计 = the sum of the six applicant
columns, rule T3-D) and, together with the other rows, the table's column identities (the hard table-3
rules of rules.csv, evaluated by transform.checks); a space a crawler kept between two digits marks a
cell boundary the split must respect, and a number never has a leading zero. Recovered values carry the
fact state ``recovered``. A row with no such split, or with several, is not loaded, and the table is
reported unread (check ``tables_unread`` for the table, with the reason).

Tables without such identities (table 2, table 4, whose rows print one to four cells each with no sum
that pins them) are detected and reported unread the same way; their numbers stay in the narrative text.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache

from extract.model import Paragraph
from transform.labels import norm, ordinal_of
from transform.report import Check, Fact, Report
from transform.vocab import read_rows, vocab

RECOVERED = "recovered"
"""Fact state of a value split out of glued digits by the identities (never a blank, never a guess)."""
TABLES_UNREAD = "tables_unread"
MAX_COMBINATIONS = 4096
"""Rows with several splits are settled jointly by the column identities, up to this many combinations."""

_DIGITS = re.compile(r"\d(?:[\d ]*\d)?")
_HEADER_WORDS = ("统计指标", "统计数")
_MIN_ROWS = 5
_MAX_DIGITS = 48
"""A row longer than this (seven numbers of up to seven digits) is not split: no count is that large."""


@dataclass(slots=True)
class _Row:
    code: str
    label: str
    """The row's label as printed."""
    digits: str
    """The digit run as printed (spaces kept)."""
    candidates: list[tuple[int, ...]]


@cache
def _printed_ordinals(table: str) -> dict[str, str]:
    """Normalised label → the digits of its printed ordinal (``1.属于国家秘密`` → ``1``), for one table."""
    out: dict[str, str] = {}
    for r in read_rows("metrics.csv"):
        if r["table"] != table:
            continue
        for column in ("g19_label_path", "g21_label_path", "legacy_label_path"):
            for segment in (r[column] or "").split(">"):
                ordinal = ordinal_of(segment.strip())
                if ordinal and ordinal[0].isdigit():
                    out[norm(segment.strip())] = ordinal.rstrip(".、．")
    return out


@cache
def _parties() -> list[tuple[str, str]]:
    """(printed leaf label, party) of the national form's seven applicant columns, in column order."""
    rows = sorted(read_rows("parties.csv"), key=lambda r: int(r["column_order"]))
    return [(r["label_zh"], r["code"]) for r in rows if int(r["column_order"]) > 0]


def _labels() -> list[str]:
    v = vocab()
    return sorted((k for k, level in v.t3_levels.items() if level >= 1), key=len, reverse=True)


def _row_label(text: str) -> str | None:
    """The t3 row label a stretch of glued text ends with (the longest known one)."""
    n = norm(text)
    v = vocab()
    for alias, canonical in v.aliases.get(("t3", "row"), {}).items():
        if n.endswith(alias):
            n = n[: len(n) - len(alias)] + canonical
    for label in _labels():
        if n.endswith(label):
            return label
    return None


_VALUE_TOKEN = {
    "t3": re.compile(r"\d(?:[\d ]*\d)?"),
    "legacy": re.compile(r"\d(?:[\d ]*\d)?(?:\.\d+)?|[―—－\-]{1,4}"),
}


def _pieces(text: str, table: str = "t3") -> list[tuple[str, str]]:
    """(label text, value run) pairs in order. Digits inside a bracketed note are the label's
    (``（…计1条）``); the ordinal digits that open the next label (``…0002.其他``) are given back to that
    label: the dictionary says which ordinal each label prints."""
    out: list[tuple[str, str]] = []
    pos = 0
    pending = ""
    ordinals = _printed_ordinals(table)
    for m in _VALUE_TOKEN[table].finditer(text):
        label = pending + text[pos : m.start()]
        if label.count("（") + label.count("(") > label.count("）") + label.count(")"):
            continue  # inside a note: the digits belong to the label
        digits = m.group()
        rest = text[m.end() :]
        pending = ""
        if digits[0].isdigit() and re.match(r"[.、．]\D", rest):
            head = norm(re.split(r"\d", rest[1:], maxsplit=1)[0])
            matches = [lab for lab in ordinals if head.startswith(lab)]
            expected = ordinals[max(matches, key=len)] if matches else None
            if expected and digits.replace(" ", "").endswith(expected):
                cut = len(digits.rstrip()) - len(expected)
                pending = digits[cut:]
                digits = digits[:cut].rstrip()
            elif re.fullmatch(r"\d{1,2}", digits):
                pending, digits = digits, ""
        out.append((label, digits))
        pos = m.end()
    return out


def _splits(digits: str, k: int) -> list[tuple[int, ...]]:
    """Every split of ``digits`` into ``k`` numbers (no leading zeros; a kept space is a boundary) whose
    last number is the sum of the others."""
    compact = digits.replace(" ", "")
    forced: set[int] = set()
    seen = 0
    for ch in digits:
        if ch == " ":
            forced.add(seen)
        else:
            seen += 1
    out: list[tuple[int, ...]] = []

    def walk(start: int, parts: list[int]) -> None:
        if len(parts) == k - 1:
            last = compact[start:]
            if not last or (len(last) > 1 and last[0] == "0"):
                return
            if any(start < f < len(compact) for f in forced):
                return
            if int(last) == sum(parts):
                out.append((*parts, int(last)))
            return
        remaining = k - len(parts)
        for end in range(start + 1, len(compact) - remaining + 2):
            if any(start < f < end for f in forced):
                break
            piece = compact[start:end]
            if len(piece) > 1 and piece[0] == "0":
                break
            walk(end, [*parts, int(piece)])
            if end in forced:
                break

    if compact and len(compact) <= _MAX_DIGITS:
        walk(0, [])
    return out


def _glued_t3(paragraphs: list[Paragraph]) -> Paragraph | None:
    for p in paragraphs:
        text = p.text
        if len(_DIGITS.findall(text)) < _MIN_ROWS:
            continue
        if sum(1 for lab, _ in _pieces(text) if _row_label(lab)) >= _MIN_ROWS:
            return p
    return None


def _header_ok(text: str) -> bool:
    """The glued header names the national form's seven columns and no other (a 小计 column or a local
    column would change what the digits mean)."""
    first = text[: _DIGITS.search(text).start()] if _DIGITS.search(text) else text
    if "小计" in first:
        return False
    return all(label in first for label, _ in _parties())


def recover_glued(
    paragraphs: list[Paragraph], have: set[str], warnings: list[str]
) -> tuple[list[Fact], dict[str, str], list[Check]]:
    """Facts recovered from glued tables (table 3 by its identities, the 统计表 row by row), the
    generations they show, and a failing ``tables_unread`` check per glued table not read whole."""
    facts: list[Fact] = []
    generations: dict[str, str] = {}
    checks: list[Check] = []
    if "t3" not in have:
        para = _glued_t3(paragraphs)
        if para is not None:
            t3_facts, gen, problem = _recover_t3(para.text, warnings)
            facts += t3_facts
            if gen:
                generations["t3"] = gen
            if problem:
                checks.append(_unread("t3", problem))
    if "legacy" not in have:
        para = next((p for p in paragraphs if all(w in p.text for w in _HEADER_WORDS)), None)
        if para is not None and len(_DIGITS.findall(para.text)) >= _MIN_ROWS:
            legacy_facts, gen = _recover_legacy(para.text, warnings)
            facts += legacy_facts
            if gen:
                generations["legacy"] = gen
            else:
                why = "printed as glued text without cell separators; no 统计表 row read: not loaded"
                warnings.append(f"{TABLES_UNREAD}: legacy table {why}")
                checks.append(_unread("legacy", why))
    for table_id, why in _other_glued(paragraphs, have | set(generations)):
        warnings.append(f"{TABLES_UNREAD}: table {table_id[1]} {why}")
        checks.append(_unread(table_id, why))
    return facts, generations, checks


def _recover_legacy(text: str, warnings: list[str]) -> tuple[list[Fact], str | None]:
    """The 统计表 glued into one run: one value per row (label · unit · value), so the only boundary to
    find is where a value ends and the next label's ordinal starts, which the dictionary knows. The rows
    are rebuilt as a table and read by the legacy mapper; printed numbers become ``recovered``."""
    from extract.model import Cell, Table
    from transform.tables.legacy import map_legacy

    units = sorted(
        {m.unit for m in vocab().metrics.values() if m.table == "legacy" and m.unit} | {"人次"}, key=len
    )
    start = max(text.rfind(w) + len(w) for w in _HEADER_WORDS)
    rows = [[Cell("统计指标", 0, 0), Cell("单位", 0, 1), Cell("统计数", 0, 2)]]
    # a unit right before an ordinal closes a row that printed no value ('…经费（…）万元九、…')
    boundary = re.compile(
        "("
        + "|".join(map(re.escape, reversed(units)))
        + r")(?=[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)"
    )
    for label_text, value in _pieces(text[start:], "legacy"):
        parts = boundary.sub("\\1\0", label_text.strip()).split("\0")
        for k, label in enumerate(parts):
            unit = next((u for u in reversed(units) if label.endswith(u)), "")
            printed_value = value.replace(" ", "") if k == len(parts) - 1 else ""
            r = len(rows)
            rows.append(
                [Cell(label[: len(label) - len(unit)], r, 0), Cell(unit, r, 1), Cell(printed_value, r, 2)]
            )
    table = Table(rows=rows, grid="positional")
    facts, gen = map_legacy([table], warnings)
    for f in facts:
        if f.state == "number":
            f.state = RECOVERED
            f.position = f"glued 统计表, {f.position.split(', ', 1)[-1]}"
    if facts:
        warnings.append(
            f"legacy table: printed as glued text without cell separators; {len(facts)} rows read, one value "
            f"each, bounded by the next row's printed ordinal (state '{RECOVERED}' for numbers)"
        )
    return facts, gen


def _unread(table_id: str, detail: str) -> Check:
    return Check(
        rule_id=TABLES_UNREAD,
        party=table_id,
        severity="hard",
        status="fail",
        lhs=None,
        rhs=None,
        detail=detail,
    )


def _other_glued(paragraphs: list[Paragraph], have: set[str]) -> list[tuple[str, str]]:
    """Glued tables 2 and 4: detected by their own header words followed by glued digits."""
    out = []
    for p in paragraphs:
        text = p.text
        digits = "".join(_DIGITS.findall(text))
        if "t2" not in have and "第二十条" in text and "信息内容" in text and len(digits) >= 3:
            out.append(
                (
                    "t2",
                    "printed as one run of text without cell separators (第二十条 … 信息内容 …); no identity pins how its digits split into cells: not loaded",
                )
            )
            have = have | {"t2"}
        if (
            "t4" not in have
            and "行政复议" in text
            and "行政诉讼" in text
            and "结果维持" in text
            and len(digits) >= 15
        ):
            out.append(
                (
                    "t4",
                    "printed as one run of text without cell separators (行政复议 … 行政诉讼 …); its 15 cells cannot be told apart from the digits: not loaded",
                )
            )
            have = have | {"t4"}
    return out


def _recover_t3(text: str, warnings: list[str]) -> tuple[list[Fact], str | None, str | None]:
    v = vocab()
    if not _header_ok(text):
        why = (
            "printed as glued text whose header does not name exactly the seven national columns: not loaded"
        )
        warnings.append(f"{TABLES_UNREAD}: table 3 {why}")
        return [], None, why
    k = len(_parties())
    rows: list[_Row] = []
    for label_text, digits in _pieces(text):
        label = _row_label(label_text)
        if label is None:
            continue
        # every row label names its row alone (a leaf label is unique across the groups)
        code = v.t3_paths.get((label,)) or _unique_leaf(label)
        if code is None or not digits:
            continue
        printed = label_text.strip()[-(len(label) + 12) :]
        rows.append(_Row(code, printed, digits, _splits(digits, k)))
    g21 = any(label in v.t3_g21_only for r in rows for label in (_row_label(r.label) or "",))
    generation = "g21" if g21 else "g19"
    chosen, problems = _solve(rows, generation)
    facts: list[Fact] = []
    for i, row in enumerate(rows):
        split = chosen.get(i)
        if split is None:
            continue
        for (col_label, party), value in zip(_parties(), split, strict=True):
            facts.append(
                Fact(
                    table_id="t3",
                    code=row.code,
                    party=party,
                    value=float(value),
                    state=RECOVERED,
                    unit=v.metrics[row.code].unit,
                    raw_label=f"{row.label} > {col_label}",
                    raw_value=row.digits,
                    position=f"glued table 3, row {i + 1}",
                    generation=generation,
                )
            )
    recovered = len(chosen)
    warnings.append(
        f"table 3: printed as glued text without cell separators; {recovered} of {len(rows)} rows recovered "
        f"from the digits by the row and column identities (state '{RECOVERED}')"
    )
    problem = None
    if problems:
        problem = (
            f"printed as glued text without cell separators; {len(problems)} of {len(rows)} rows not "
            f"recovered: " + "; ".join(problems)
        )
        warnings.append(f"{TABLES_UNREAD}: table 3 {problem}")
    return facts, (generation if facts else None), problem


def _unique_leaf(label: str) -> str | None:
    matches = {c for p, c in vocab().t3_paths.items() if p[-1:] == (label,)}
    return matches.pop() if len(matches) == 1 else None


def _solve(rows: list[_Row], generation: str) -> tuple[dict[int, tuple[int, ...]], list[str]]:
    """Rows whose split the identities settle: {row index: split}, and why the others are not."""
    problems: list[str] = []
    fixed = {i: r.candidates[0] for i, r in enumerate(rows) if len(r.candidates) == 1}
    open_ = [i for i, r in enumerate(rows) if len(r.candidates) > 1]
    for r in rows:
        if not r.candidates:
            problems.append(
                f"{r.label!r} ({r.digits}): no split gives 总计 = the sum of the applicant columns"
            )
    combos = 1
    for i in open_:
        combos *= len(rows[i].candidates)
    if combos > MAX_COMBINATIONS:
        for i in open_:
            problems.append(
                f"{rows[i].label!r} ({rows[i].digits}): {len(rows[i].candidates)} splits fit its row"
            )
        open_ = []
    passing: list[dict[int, tuple[int, ...]]] = []
    for combo in itertools.product(*(rows[i].candidates for i in open_)):
        trial = dict(fixed)
        trial.update(zip(open_, combo, strict=True))
        if _consistent(rows, trial, generation):
            passing.append(trial)
    if not passing:
        for r in rows:
            if r.candidates:
                problems.append(
                    f"{r.label!r} ({r.digits}): the table's column identities fail for every split"
                )
        return {}, problems
    chosen: dict[int, tuple[int, ...]] = {}
    for i in range(len(rows)):
        values = {p.get(i) for p in passing}
        if len(values) == 1 and None not in values:
            chosen[i] = values.pop()  # type: ignore[assignment]
        elif rows[i].candidates and len(values) > 1:
            problems.append(
                f"{rows[i].label!r} ({rows[i].digits}): {len(values)} splits satisfy the row and column identities"
            )
    return chosen, problems


def _consistent(rows: list[_Row], trial: dict[int, tuple[int, ...]], generation: str) -> bool:
    """No hard table-3 rule fails on these values (unknown terms leave a rule not evaluable, not failed)."""
    from transform.checks import evaluate_report

    facts = [
        Fact("t3", rows[i].code, party, float(value), "number", "件", "", "", "")
        for i, split in trial.items()
        for (_, party), value in zip(_parties(), split, strict=True)
    ]
    report = Report(title=None, agency=None, year=None, generations={"t3": generation}, facts=facts)
    checks = evaluate_report(report)
    return not any(c.status == "fail" and c.severity == "hard" and c.rule_id.startswith("T3") for c in checks)
