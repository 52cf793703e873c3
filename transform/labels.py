"""Label normalisation: the one place that decides when two printed labels mean the same thing.

Printed labels vary in width (（）/()), spacing ("结果 维持", "未经复议直接  起诉"), line breaks inside
cells ("（一）予\\n以公开"), ordinal prefixes (一、 （三） 1. (1)), trailing instructions in brackets
("部分公开（区分处理的，只计这一情形，不计其他情形）", also when its closing bracket was lost) and quote
styles. Labels read by OCR also confuse look-alike glyphs (尚末审结 for 尚未审结): ``fold`` maps each glyph
of transform/data/ocr_confusables.csv to its representative, on both sides of every comparison, so a
confusion never decides whether two labels match. Everything is folded here, the same way for the
dictionary and for the documents.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_WS = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』")
_ORDINAL = re.compile(
    r"^(?:"
    r"[一二三四五六七八九十]+[、.．]"  # 一、
    r"|\(?[一二三四五六七八九十]+\)[、.．]?"  # （一） (一)
    r"|\(\d+\)[、.．]?"  # (1)
    r"|\d+[、.．](?!\d)"  # 1. 1、
    r"|[①②③④⑤⑥⑦⑧⑨⑩]"
    r")"
)
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
_OPEN_NOTE = re.compile(r"\([^()]*$")
"""A trailing note whose closing bracket is lost (OCR drops a bracket at the end of a cell line)."""
_STRAY_MARK = re.compile(r"^[·•'`,，]+")
"""A dot or tick before a label's first glyph: scanner dust that OCR read as a mark."""
_LEADING_QIZHONG = re.compile(r"^其中[:：。.,，]?")
"""其中： and the colon as OCR misreads it."""


def _confusables() -> dict[int, str]:
    path = Path(__file__).parent / "data" / "ocr_confusables.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {ord(r["glyph"]): r["representative"] for r in csv.DictReader(fh)}


_CONFUSABLE = _confusables()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """NFKC, no whitespace, no quotes, unified dashes, OCR look-alikes unified. Keeps ordinals and notes."""
    text = unicodedata.normalize("NFKC", text)
    text = _WS.sub("", text).translate(_QUOTES).translate(_CONFUSABLE)
    return text.replace("—", "-").replace("–", "-").replace("－", "-")


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """Fold, then drop ordinal prefixes, a leading 其中：, and trailing bracketed notes."""
    text = _STRAY_MARK.sub("", fold(text))
    prev = None
    while prev != text:
        prev = text
        text = _ORDINAL.sub("", text)
        text = _LEADING_QIZHONG.sub("", text)
    while True:
        stripped = _TRAILING_NOTE.sub("", text)
        if stripped == text or not stripped:
            break
        text = stripped
    # a bracketed note cut off by a page break or a wrapped cell ('部分公开（区分处理的，只计这一情形，不计其')
    cut = _OPEN_NOTE.sub("", text)
    if cut:
        text = cut
    return text.rstrip("。.:：;；,，")


def ordinal_of(text: str) -> str | None:
    """The ordinal prefix as printed in folded form ('一、', '(三)', '1.'), or None."""
    m = _ORDINAL.match(fold(text))
    return m.group() if m else None


def path_segments(path: str) -> tuple[str, ...]:
    """Split a metrics.csv label path ('a > b > c') into normalised segments."""
    return tuple(norm(seg) for seg in path.split(">") if seg.strip())
