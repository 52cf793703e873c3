"""Narrative sections: the six-part skeleton (一、总体情况 … 六、其他需要报告的事项) and the sub-sections of 一.

A heading is a short paragraph with a Chinese ordinal whose words match sections.csv. Table-3 and legacy
row labels ("一、本年新收政府信息公开申请数量", "三、依申请公开情况" as a 统计表 row) look like headings
when a reader loses the table, so any paragraph that is a known table row label is never a heading.
Reports with ad-hoc headings (legacy narratives) keep them, classified as ``unclassified``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

from extract.model import Paragraph
from transform.labels import fold, norm
from transform.report import Section
from transform.vocab import DATA, vocab

_TOP = re.compile(r"^\s*([一二三四五六七八九十]{1,2})\s*[、.．]\s*(.+)$")
_SUB = re.compile(r"^\s*[（(]\s*([一二三四五六七八九十]{1,2}|\d{1,2})\s*[）)]\s*(.+)$")
_SUB_DIGIT = re.compile(r"^\s*(\d{1,2})\s*[.．、]\s*(\D.+)$")
_MAX_HEADING = 40


@dataclass(frozen=True)
class _Rule:
    section: str
    level: int
    keywords: tuple[str, ...]


@cache
def _rules() -> list[_Rule]:
    with (DATA / "sections.csv").open(encoding="utf-8", newline="") as fh:
        return [_Rule(r["section"], int(r["level"]), tuple(r["keywords"].split("|"))) for r in csv.DictReader(fh)]


def _classify(text: str, level: int) -> str | None:
    folded = fold(text)
    for rule in _rules():
        if rule.level == level and any(k in folded for k in rule.keywords):
            return rule.section
    return None


def _is_table_label(text: str) -> bool:
    """True for the row labels of table 3 and of the legacy 统计表, which carry 一、/（一） ordinals too."""
    v = vocab()
    n = norm(text)
    if n in ("总计",):
        return False
    return v.canon("t3", "row", n) in v.t3_levels or n in v.legacy_labels


def _split_heading(text: str, pattern: re.Pattern[str]) -> tuple[str, str] | None:
    """(heading, rest) when the paragraph starts with an ordinal heading; the heading ends at the first
    sentence stop when heading and text share one paragraph ("（一）主动公开情况。通过政府网站…")."""
    m = pattern.match(text)
    if not m:
        return None
    stripped = text.strip()
    if len(stripped) <= _MAX_HEADING and not re.search(r"[。；;]\S", stripped):
        return stripped, ""
    cut = re.search(r"[。：:]", stripped)
    if cut and cut.end() <= _MAX_HEADING:
        return stripped[: cut.end()], stripped[cut.end():].strip()
    return None


def split_sections(paragraphs: list[Paragraph]) -> list[Section]:
    out: list[Section] = []
    top: str | None = None
    current: Section | None = None

    def start(section: str, heading: str) -> Section:
        sec = Section(ordinal=len(out), section=section, heading=heading, text="")
        out.append(sec)
        return sec

    for para in paragraphs:
        text = para.text.strip()
        if not text:
            continue
        head = _split_heading(text, _TOP)
        if head and not _is_table_label(head[0]):
            top = _classify(head[0], 1) or "unclassified"
            current = start(top, head[0])
            if head[1]:
                current.text = head[1]
            continue
        sub = _split_heading(text, _SUB)
        key = None
        if sub:
            key = _classify(sub[0], 2) or "overview.other"
        else:  # "1.主动公开": accepted only when its words name a known sub-section, not for list items
            sub = _split_heading(text, _SUB_DIGIT)
            key = _classify(sub[0], 2) if sub else None
        if sub and key and top == "overview" and not _is_table_label(sub[0]):
            current = start(key, sub[0])
            if sub[1]:
                current.text = sub[1]
            continue
        if current is None:
            continue  # title and preamble: metadata, not a section
        current.text = f"{current.text}\n{text}" if current.text else text
    return out
