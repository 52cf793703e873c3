"""Cell text → (value, state, unit). A blank cell is unknown, never zero."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

DASHES = frozenset({"-", "--", "—", "——", "―", "─", "－", "/", "／", "\\", "…", "...", "——。"})
NA_TEXT = frozenset({"无", "不适用", "暂无", "空", "null", "n/a", "na"})

OCR_MIN_CONFIDENCE = 0.8
"""An OCR'd cell whose lowest glyph score is below this is ``uncertain``, not a number. Chosen on the
corpus scans: correct digits score 0.86–1.0 there, while misread or half-read cells score lower (a
blank-looking cell with ink nobody could read scores 0)."""

_NUMBER = re.compile(
    r"^(?P<sign>[+\-])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<unit>万元|元|件|条|项|个|次|篇|人次|人|%)?$"
)


@dataclass(frozen=True, slots=True)
class CellValue:
    value: float | None
    state: str
    """``number`` | ``blank`` | ``dash`` | ``na_text``."""
    unit: str | None = None
    """Unit printed inside the cell, if any ('万元', '元')."""


_WS = re.compile(r"\s+")
_DASH_CHARS = frozenset("-—―─－/／")


@lru_cache(maxsize=32768)
def parse_value(text: str) -> CellValue:
    """Cached: every mapper asks about the same cells several times (classification, alignment, facts),
    and zeros, blanks and dashes repeat across documents. The cache is bounded so a long run's memory
    stays flat; the result is immutable, so sharing it is safe."""
    t = unicodedata.normalize("NFKC", text or "").strip()
    t = _WS.sub("", t).replace("，", ",")
    if not t:
        return CellValue(None, "blank")
    if t in DASHES or set(t) <= _DASH_CHARS:
        return CellValue(None, "dash")
    if t.lower() in NA_TEXT:
        return CellValue(None, "na_text")
    m = _NUMBER.match(t)
    if not m:
        return CellValue(None, "na_text")
    num = float(m.group("num").replace(",", ""))
    if m.group("sign") == "-":
        num = -num
    if num.is_integer() and "." not in m.group("num"):
        num = float(int(num))
    return CellValue(num, "number", m.group("unit"))


def ocr_state(text: str, cv: CellValue, confidence: float | None) -> str | None:
    """``uncertain`` when an OCR'd cell must not load as what it seems to say: its confidence is below
    ``OCR_MIN_CONFIDENCE``, or its text is neither a number, a dash, blank nor a known no-value word
    (``0.``, ``1O``, ``D``: a misreading). None when the cell is from a text layer or reads cleanly."""
    if confidence is None:
        return None
    if confidence < OCR_MIN_CONFIDENCE:
        return "uncertain"
    if cv.state == "na_text":
        t = unicodedata.normalize("NFKC", text or "").strip().lower()
        if re.sub(r"\s+", "", t) not in NA_TEXT:
            return "uncertain"
    return None


def is_valueish(text: str) -> bool:
    """True for cells that hold a value (or its absence) rather than a label."""
    return parse_value(text).state != "na_text" or not text.strip()


def convert_unit(value: float, cell_unit: str | None, metric_unit: str) -> float:
    """Normalise money printed in 元 to the metric's 万元."""
    if cell_unit == "元" and metric_unit == "万元":
        return value / 10000
    return value
