"""Figures the narrative states in words: the ``txt_*`` facts and the N-2 check.

Reports quote a few totals in prose — 主动公开政府信息182条, 共收到政府信息公开申请4件, 收取信息处理费0元,
人大代表建议27件、政协提案23件 — and say "未收到…申请" or "无行政复议和提起诉讼情况" instead of printing 0.
These are lower-confidence numbers kept apart from the table cells (``table_id='text'``) so that rule N-1
can compare them with the table and analysts can fill gaps with a flag.

The phrase knowledge lives in ``data/narrative_patterns.csv`` (one regular expression per row, in priority
order per target, each restricted to the sections where the figure belongs). The first pattern that
matches a sentence of an allowed section, scanning sections in document order, gives the code's one
fact: a later, less specific phrase never overrides an earlier one. Sentences are matched whitespace-free
and NFKC-folded (full-width digits, "52 项" from PDF text layers), with Chinese numerals and 万 read as
numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from transform.report import Check, Fact, Section
from transform.vocab import read_rows, vocab

_NUM = r"(?P<{g}>\d+(?:\.\d+)?万?|[零〇一二两三四五六七八九十百千万]+)"
_SENTENCE_END = re.compile(r"(?<=[。；！？])|\n")
_ASCII_BACK = str.maketrans({",": "，", ";": "；", ":": "：", "!": "！", "?": "？"})
_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}


@dataclass(frozen=True, slots=True)
class _Pattern:
    target: str
    """A ``txt_*`` metric code, or a rule id (``N-2``) for statements that feed a check."""
    kind: str
    """``number`` (group n), ``sum`` (groups n + n2), ``zero`` (a negation means 0), ``statement``."""
    sections: tuple[str, ...]
    regex: re.Pattern[str]
    reject: re.Pattern[str] | None


@cache
def _patterns() -> list[_Pattern]:
    def compile_(text: str) -> re.Pattern[str]:
        return re.compile(text.replace("{N}", _NUM.format(g="n")).replace("{N2}", _NUM.format(g="n2")))

    return [
        _Pattern(
            r["target"],
            r["kind"],
            tuple(r["sections"].split("|")),
            compile_(r["pattern"]),
            compile_(r["reject"]) if r["reject"] else None,
        )
        for r in read_rows("narrative_patterns.csv")
    ]


def _clean(sentence: str) -> str:
    """NFKC without whitespace; the clause punctuation NFKC turns into ASCII is put back to full width so
    that the patterns need only one spelling of ，；：."""
    text = unicodedata.normalize("NFKC", sentence)
    return re.sub(r"\s+", "", text).translate(_ASCII_BACK)


def chinese_number(text: str) -> float | None:
    """'12' → 12, '1.2万' → 12000, '三' → 3, '十二' → 12, '二百零五' → 205, '一万二千' → 12000."""
    if not text:
        return None
    if text[0].isdigit():
        factor = 1
        if text.endswith("万"):
            text, factor = text[:-1], 10000
        value = float(text) * factor
        return float(round(value, 6))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))


def _allowed(key: str, scopes: tuple[str, ...]) -> bool:
    return any(s == "*" or s == key or (s.endswith("*") and key.startswith(s[:-1])) for s in scopes)


@dataclass(frozen=True, slots=True)
class _Hit:
    target: str
    value: float | None
    raw_value: str
    sentence: str
    section: str
    index: int


def _sentences(sections: list[Section]) -> list[tuple[Section, int, str]]:
    out = []
    for sec in sections:
        parts = [p.strip() for p in _SENTENCE_END.split(sec.text) if p and p.strip()]
        out.extend((sec, i, p) for i, p in enumerate(parts, start=1))
    return out


def _find(sections: list[Section]) -> dict[str, _Hit]:
    sentences = [(sec, i, raw, _clean(raw)) for sec, i, raw in _sentences(sections)]
    hits: dict[str, _Hit] = {}
    for pat in _patterns():
        if pat.target in hits:
            continue
        for sec, i, raw, text in sentences:
            if not _allowed(sec.section, pat.sections):
                continue
            m = pat.regex.search(text)
            if not m or (pat.reject and pat.reject.search(text)):
                continue
            if pat.kind in ("zero", "statement"):
                value, raw_value = (0.0 if pat.kind == "zero" else None), m.group()
            else:
                value = chinese_number(m.group("n"))
                raw_value = m.group("n")
                if pat.kind == "sum":
                    second = chinese_number(m.group("n2"))
                    value = None if value is None or second is None else value + second
                    raw_value = f"{m.group('n')}+{m.group('n2')}"
                if value is not None and "u" in m.groupdict() and m.group("u") == "万元":
                    value *= 10000
            if pat.kind != "statement" and value is None:
                continue
            hits[pat.target] = _Hit(pat.target, value, raw_value, raw, sec.section, i)
            break
    return hits


def narrative_numbers(sections: list[Section], facts: list[Fact]) -> tuple[list[Fact], list[Check]]:
    """The ``txt_*`` facts stated in the narrative, and the N-2 check when the narrative says there was no
    reconsideration or litigation. ``facts`` are the report's table facts (read, never changed)."""
    hits = _find(sections)
    metrics = vocab().metrics
    txt = [
        Fact(
            table_id="text",
            code=h.target,
            party="_",
            value=h.value,
            state="number",
            unit=metrics[h.target].unit,
            raw_label=h.sentence,
            raw_value=h.raw_value,
            position=f"section {h.section}, sentence {h.index}",
            generation="",
        )
        for h in hits.values()
        if h.target in metrics
    ]
    checks = []
    if "N-2" in hits:
        check = _n2(hits["N-2"], facts)
        if check:
            checks.append(check)
    return txt, checks


def _n2(hit: _Hit, facts: list[Fact]) -> Check | None:
    """Narrative '无行政复议…诉讼' ⇒ rev_total = 0 and lit_d_total + lit_r_total = 0 (soft: cases may
    concern earlier years' decisions). Only for reports with a G19/G21 table 4; a blank or dash total
    makes it not evaluable."""
    t4 = {f.code: f for f in facts if f.table_id == "t4" and f.party == "_"}
    if not t4:
        return None
    terms = ("rev_total", "lit_d_total", "lit_r_total")
    quoted = f"narrative '{hit.raw_value}' (section {hit.section}, sentence {hit.index})"
    missing = [c for c in terms if c not in t4 or t4[c].state != "number" or t4[c].value is None]
    if missing:
        return Check(
            "N-2", "_", "soft", "not_evaluable", None, 0.0, f"{quoted}; no value for {', '.join(missing)}"
        )
    rev, lit_d, lit_r = (t4[c].value or 0.0 for c in terms)
    lhs = rev + lit_d + lit_r
    status = "pass" if rev == 0 and lit_d + lit_r == 0 else "fail"
    detail = f"{quoted} ⇒ rev_total {rev:g} = 0 and lit_d_total {lit_d:g} + lit_r_total {lit_r:g} = 0"
    return Check("N-2", "_", "soft", status, lhs, 0.0, detail)
