"""Report metadata: title, agency as printed, report year.

The title is the first short paragraph naming a 政府信息公开 report. The agency is the title's text before
the year; when the title omits it (or prints a bare "区卫生健康局"), the preamble and the lines above the
title are searched for a fuller name ending in the same words.
"""

from __future__ import annotations

import re
from collections import Counter

from extract.model import Document

_TITLE_WORDS = re.compile(r"(政府)?信息公开.{0,6}(年度)?(工作)?(年度)?报告")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_AGENCY_SUFFIX = re.compile(
    r"(人民政府|办公室|办公厅|委员会|局|厅|委|办|院|署|中心|管委会|街道办事处|街道|镇|乡|政府|所|站|队)$"
)
_ORG = re.compile(
    r"([\u4e00-\u9fff（）()]{2,40}?(?:人民政府|办公室|办公厅|委员会|管理局|局|厅|委|中心|管委会|街道办事处|政府))"
)


_MAX_TITLE_TAIL = 6
"""The longest last line of a title wrapped before its end (…工作年度报 / 告) that is rejoined."""


def find_title(doc: Document) -> str | None:
    """The title paragraph; a title printed on two lines (agency, then "2024年度…报告") is rejoined."""
    paras = [re.sub(r"\s+", "", p.text) for p in doc.paragraphs[:15]]
    for i, text in enumerate(paras):
        if (
            6 <= len(text) <= 80
            and _TITLE_WORDS.search(text)
            and not text.startswith(("根据", "按照", "为", "本报告"))
        ):
            prev = paras[i - 1] if i else ""
            if _YEAR.match(text) and prev and len(prev) <= 30 and _AGENCY_SUFFIX.search(prev):
                return prev + text
            return text
        # a title wrapped inside its last words onto a short line of its own (…年度报 / 告: OCR lines,
        # narrow text boxes)
        nxt = paras[i + 1] if i + 1 < len(paras) else ""
        if (
            nxt
            and len(nxt) <= _MAX_TITLE_TAIL
            and 6 <= len(text) <= 80
            and _TITLE_WORDS.search(text + nxt)
            and not text.startswith(("根据", "按照", "为", "本报告"))
        ):
            return text + nxt
    # an HTML page title "报告标题_某某区人民政府" carries the portal's name after a separator
    for part in re.split(r"[_|｜]|\s[-－—]\s", doc.meta.get("title", "")):
        part = re.sub(r"\s+", "", part)
        if _TITLE_WORDS.search(part):
            return part
    return None


def find_year(title: str | None, doc: Document) -> int | None:
    if title:
        m = _YEAR.search(title)
        if m:
            return int(m.group(1))
    head = " ".join(p.text for p in doc.paragraphs[:8])
    m = re.search(r"统计期限自\s*((?:19|20)\d{2})\s*年", head) or re.search(
        r"((?:19|20)\d{2})\s*年度?政府信息公开", head
    )
    if m:
        return int(m.group(1))
    years = Counter(int(y) for y in _YEAR.findall(head))
    return years.most_common(1)[0][0] if years else None


def _agency_from_title(title: str) -> str | None:
    m = re.match(r"^(.*?)(?:关于)?(?:19|20)\d{2}\s*年", title)
    name = m.group(1) if m else None
    if not name:
        return None
    name = name.strip("：:，, ")
    return name or None


_BOOK_TITLE = re.compile(r"《[^《》]*》")
"""A title in 《》 names a law or a document (《中华人民共和国政府信息公开条例》), never the agency."""
_NOUN_AFTER = ("信息", "网站", "门户", "工作", "公报", "职能", "部门", "机构", "热线", "决策")
"""What follows 政府/中心/委… when the match is a noun phrase (政府信息公开, 政府网站), not a name."""


def text_after_is_noun(m: re.Match[str]) -> bool:
    return m.string.startswith(_NOUN_AFTER, m.end())


_LEAD = re.compile(r"^(?:请与|现将|本报告由|由|向|对|经|与|和|及|在|为|是|将|把|根据|按照|本)+")


def find_agency(title: str | None, doc: Document) -> str | None:
    from_title = _agency_from_title(title) if title else None
    if from_title and _looks_complete(from_title):
        return from_title  # as printed in the title
    candidates: Counter[str] = Counter()
    for para in doc.paragraphs[:12]:
        text = re.sub(r"\s+", "", para.text)
        if title and text == title:
            continue
        if len(text) <= 30 and _AGENCY_SUFFIX.search(text) and not _YEAR.search(text) and "、" not in text:
            candidates[text] += 2  # agency printed on its own line above the title
        for m in _ORG.finditer(_BOOK_TITLE.sub("》", text)):
            if text_after_is_noun(m):
                continue
            name = _LEAD.sub("", m.group(1))
            if _looks_complete(name):
                candidates[name] += 1
    if from_title:
        core = from_title.lstrip("区县市")
        fuller = [c for c in candidates if c.endswith(core) and len(c) > len(from_title)]
        if fuller:
            return max(fuller, key=lambda c: (candidates[c], len(c)))
        return from_title
    return candidates.most_common(1)[0][0] if candidates else None


def _looks_complete(name: str) -> bool:
    """A name that carries its own place ("宁海县卫生健康局"), not a bare "区卫生健康局" or "本局"."""
    return (
        len(name) >= 5
        and bool(_AGENCY_SUFFIX.search(name))
        and not name.startswith(("区", "县", "市", "本", "我"))
    )
