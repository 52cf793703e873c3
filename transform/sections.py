"""Narrative sections: the six-part skeleton (一、总体情况 … 六、其他需要报告的事项) and the sub-sections of 一.

A heading is a short paragraph with a Chinese ordinal whose words match sections.csv. Table-3 and legacy
row labels ("一、本年新收政府信息公开申请数量", "三、依申请公开情况" as a 统计表 row) look like headings
when a reader loses the table, so any paragraph that is a known table row label is never a heading.
Reports with ad-hoc headings (legacy narratives) keep them, classified as ``unclassified``.

The narrative ends at the signature: a line that is only a date (2019年2月20日) or an attachment heading
(附件2, 附件：…). What follows — the 统计表 of a legacy report attached after the signature, its title and
填报单位 line, or its rows when a reader lost the table grid — is appendix, never text of the last section;
the signing agency line just above the date goes with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extract.model import Paragraph
from transform.labels import fold, norm
from transform.report import Section
from transform.vocab import read_rows, vocab

_TOP = re.compile(r"^\s*([一二三四五六七八九十]{1,2})\s*[、.．]\s*(.+)$")
_SUB = re.compile(r"^\s*[（(]\s*([一二三四五六七八九十]{1,2}|\d{1,2})\s*[）)]\s*(.+)$")
_SUB_DIGIT = re.compile(r"^\s*(\d{1,2})\s*[.．、]\s*(\D.+)$")
_MAX_HEADING = 40
_CN_DIGIT = "〇零一二三四五六七八九十"
_SIGNATURE_DATE = re.compile(
    rf"^(?:\d{{4}}|[{_CN_DIGIT}]{{4}})\s*年\s*(?:\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})\s*月"
    rf"\s*(?:\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})\s*日$"
)
_ATTACHMENT = re.compile(r"^附\s*件\s*\d*\s*(?:[:：].{0,40})?$")
_SIGNER_MAX = 30


@dataclass(frozen=True)
class _Rule:
    section: str
    level: int
    keywords: tuple[str, ...]


@cache
def _rules() -> list[_Rule]:
    return [
        _Rule(r["section"], int(r["level"]), tuple(r["keywords"].split("|")))
        for r in read_rows("sections.csv")
    ]


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
        return stripped[: cut.end()], stripped[cut.end() :].strip()
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
        if current is not None and (_SIGNATURE_DATE.match(text) or _ATTACHMENT.match(text)):
            _drop_signer(current)
            break  # the rest is the signature block and the attachments
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


def _drop_signer(section: Section) -> None:
    """Remove the signing agency line that precedes the signature date (short, no sentence punctuation)."""
    head, _, last = section.text.rpartition("\n")
    if last and len(last) <= _SIGNER_MAX and not re.search(r"[。，；：,;:！？]", last) and head:
        section.text = head
