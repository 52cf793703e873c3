"""Offline OCR of page images: glyphs with boxes and confidences, table grids from the rulings.

The engine is RapidOCR (PP-OCRv4 Chinese detection + recognition models, run by onnxruntime). The models
ship inside the ``rapidocr-onnxruntime`` wheel, so nothing is downloaded at run time. One engine per
process, created on first use; onnxruntime runs on ``OCR_THREADS`` threads (default 1: the parsing
workers are one process per core already).

``read_image`` turns one grey page image into what the PDF reader builds from a text layer:

- glyphs as pseudo-characters in PDF points (``text``, ``x0``, ``x1``, ``top``, ``bottom``, ``size``,
  ``conf``): one per CJK character, one per Latin/digit word, each with its recognition score;
- the ruled tables (``extract.raster_tables``) as cell boxes in PDF points;
- per table cell that OCR left empty although it holds ink (a glyph the detector missed): a second,
  recognition-only pass on the cell crop; what still cannot be read gets confidence 0.

The rules are erased from the image before recognition, so a rule is never read as 一 or 1 and no text
box spans two cells. Everything stays in the page's own terms: no report knowledge here.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from extract import raster_tables as rt

OCR_THREADS_ENV = "XXGK_OCR_THREADS"
"""Environment variable: onnxruntime threads per engine (default 1)."""
MIN_TEXT_SCORE = 0.5
"""Outside tables, a text box recognised with a lower score is dropped when it is also small (a speck
or a stamp fragment read as a character). Inside tables nothing is dropped: a low score is reported."""
EMPTY_CONF = 1.0
"""Confidence of a table cell OCR found empty and that holds no ink (no glyph-sized mark)."""
UNREAD_CONF = 0.0
"""Confidence of a table cell that holds ink OCR could not read."""
_DASH_ONLY = re.compile(r"^[一—―─\-－_~～]+$")
"""A cell of horizontal bars only: the printed dash ``——`` (the recogniser reads a long bar as 一)."""

_SPECKED_NUMBER = re.compile(r"^[.,，。·'`、:：]*\d[\d,.]*[.,，。·'`、:：]*$")
"""A number with punctuation at either end: scanner dust beside the digits, or a real mark."""
_CLEAN_NUMBER = re.compile(r"^\d+(?:\.\d+)?$|^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")

_lock = threading.Lock()
_engine: Any = None


def available() -> bool:
    """Whether the OCR engine can be imported (the dependency is installed)."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def engine() -> Any:
    """The process's RapidOCR engine (created once; the models load in about a second)."""
    global _engine
    with _lock:
        if _engine is None:
            import cv2
            from rapidocr_onnxruntime import RapidOCR

            threads = int(os.environ.get(OCR_THREADS_ENV, "1"))
            cv2.setNumThreads(threads)
            _engine = RapidOCR(
                intra_op_num_threads=threads,
                inter_op_num_threads=1,
                use_cls=False,  # scans are upright; the angle classifier would only cost time
                text_score=0.0,  # keep every box: low scores are reported, not silently dropped
                print_verbose=False,
            )
        return _engine


@dataclass(slots=True)
class OcrPage:
    """One page image read by OCR, in PDF points."""

    chars: list[dict[str, Any]]
    """Pseudo-characters outside the tables and inside them (the PDF reader assigns them to cells)."""
    tables: list[list[tuple[float, float, float, float]]]
    """Per table: the cell boxes (x0, top, x1, bottom)."""
    table_boxes: list[tuple[float, float, float, float]]
    cell_conf: dict[tuple[float, float, float, float], float] = field(default_factory=dict)
    """Confidence of cells OCR found empty (``EMPTY_CONF`` or ``UNREAD_CONF``)."""
    angle: float = 0.0
    """Skew corrected, degrees."""


def read_image(
    gray: np.ndarray, origin: tuple[float, float], scale: float, dpi: float = rt.REFERENCE_DPI
) -> OcrPage:
    """OCR one grey image. ``origin`` is the PDF position (x, top) of the image's top-left corner and
    ``scale`` the points per pixel, so that results land where the image sits on the page."""
    ink = rt.binarise(gray)
    angle = rt.skew_angle(ink, dpi)
    if angle:
        gray = rt.rotate(gray, angle)
        ink = rt.binarise(gray)
    tables = rt.find_tables(ink, dpi)
    clean = rt.erase_rules(gray, ink, tables, dpi)
    glyphs = _dedupe(_recognise(clean))
    ox, oy = origin

    def pt(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = box
        return (ox + x0 * scale, oy + y0 * scale, ox + x1 * scale, oy + y1 * scale)

    in_table = [False] * len(glyphs)
    cell_conf: dict[tuple[float, float, float, float], float] = {}
    clean_ink = rt.binarise(clean) if tables else ink
    heights = [g.box[3] - g.box[1] for g in glyphs]
    glyph_h = float(np.median(heights)) if heights else 20.0 * dpi / rt.REFERENCE_DPI
    extra: list[_Glyph] = []
    dusted: np.ndarray | None = None
    for t in tables:
        boxes = [c.box for c in t.cells]
        words_in: list[list[tuple[int, int]]] = [[] for _ in boxes]
        for i, g in enumerate(glyphs):
            for j, (_, wb, _) in enumerate(g.words):
                cx, cy = (wb[0] + wb[2]) / 2, (wb[1] + wb[3]) / 2
                for k, (x0, y0, x1, y1) in enumerate(boxes):
                    if x0 <= cx <= x1 and y0 <= cy <= y1:
                        in_table[i] = True
                        words_in[k].append((i, j))
                        break
        for k, box in enumerate(boxes):
            if words_in[k]:
                text = "".join(
                    glyphs[i].words[j][0]
                    for i, j in sorted(words_in[k], key=lambda ij: glyphs[ij[0]].words[ij[1]][1][0])
                )
                compact = text.replace(" ", "")
                if _SPECKED_NUMBER.match(compact) and not _CLEAN_NUMBER.match(compact):
                    # a number with a stray point beside it: read the cell again with the dust wiped off
                    if dusted is None:
                        dusted = rt.remove_dust(clean, rt.binarise(clean), dpi)
                    got = _recognise_cell(dusted, box)
                    if got is not None and _CLEAN_NUMBER.match(got.words[0][0].replace(" ", "")):
                        for i, j in words_in[k]:
                            glyphs[i].words[j] = ("", glyphs[i].words[j][1], 1.0)
                        extra.append(got)
                continue
            if not rt.ink_blobs(clean_ink, box, 0.45 * glyph_h):
                cell_conf[pt(box)] = EMPTY_CONF
                continue
            got = _recognise_cell(clean, box)
            if got is None:
                cell_conf[pt(box)] = UNREAD_CONF
            else:
                extra.append(got)
    chars: list[dict[str, Any]] = []
    for g in glyphs:
        g.words = [w for w in g.words if w[0]]
    for i, g in enumerate(glyphs):
        if not g.words:
            continue
        if not in_table[i] and g.score < MIN_TEXT_SCORE and (g.box[3] - g.box[1]) < 0.6 * glyph_h:
            continue
        chars.extend(_pseudo_chars(g, pt))
    for g in extra:
        chars.extend(_pseudo_chars(g, pt))
    return OcrPage(
        chars=chars,
        tables=[[pt(c.box) for c in t.cells] for t in tables],
        table_boxes=[pt(t.bbox) for t in tables],
        cell_conf=cell_conf,
        angle=angle,
    )


def normalise_cell(text: str) -> str:
    """Cell text as the recogniser misreads it, corrected where the reading is unambiguous: a cell of
    horizontal bars only is the printed dash ``——``."""
    t = text.strip()
    if t and _DASH_ONLY.match(t.replace(" ", "")):
        return "——"
    return text


# --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Glyph:
    """One recognised text box: its words with their boxes and scores (pixels)."""

    box: tuple[float, float, float, float]
    score: float
    words: list[tuple[str, tuple[float, float, float, float], float]]


def _bbox(quad: Any) -> tuple[float, float, float, float]:
    a = np.asarray(quad, dtype=float)
    return float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 0].max()), float(a[:, 1].max())


def _recognise(gray: np.ndarray) -> list[_Glyph]:
    result, _ = engine()(gray, use_cls=False, return_word_box=True, text_score=0.0)
    out: list[_Glyph] = []
    for item in result or []:
        quad, text, score = item[0], str(item[1]), float(item[2])
        if not text.strip():
            continue
        box = _bbox(quad)
        words: list[tuple[str, tuple[float, float, float, float], float]] = []
        if len(item) >= 6 and item[3] and len(item[3]) == len(item[4]):
            for wq, wt, ws in zip(item[3], item[4], item[5], strict=True):
                if str(wt).strip():
                    wb = _bbox(wq)
                    # the word's box spans the text box's height: glyph boxes are cut at the line box
                    words.append((str(wt), (wb[0], box[1], wb[2], box[3]), float(ws)))
        if not words or "".join(w for w, _, _ in words).replace(" ", "") != text.replace(" ", ""):
            words = [(text, box, score)]
        out.append(_Glyph(box, score, words))
    return out


def _dedupe(glyphs: list[_Glyph]) -> list[_Glyph]:
    """Drop words that repeat a word of another text box on the same spot (the detector can return a
    box and a sub-box of it); the better-scored reading stays."""
    words = [(gi, wi, w) for gi, g in enumerate(glyphs) for wi, w in enumerate(g.words)]
    drop: set[tuple[int, int]] = set()
    for a in range(len(words)):
        ga, wa, (ta, ba, sa) = words[a]
        for b in range(a + 1, len(words)):
            gb, wb, (tb, bb, sb) = words[b]
            if ga == gb or (ga, wa) in drop or (gb, wb) in drop:
                continue
            ix = min(ba[2], bb[2]) - max(ba[0], bb[0])
            iy = min(ba[3], bb[3]) - max(ba[1], bb[1])
            if ix <= 0 or iy <= 0:
                continue
            smaller = min((ba[2] - ba[0]) * (ba[3] - ba[1]), (bb[2] - bb[0]) * (bb[3] - bb[1]))
            if ix * iy >= 0.5 * smaller:
                drop.add((gb, wb) if sa >= sb else (ga, wa))
    if not drop:
        return glyphs
    out = []
    for gi, g in enumerate(glyphs):
        kept = [w for wi, w in enumerate(g.words) if (gi, wi) not in drop]
        if kept:
            out.append(_Glyph(g.box, g.score, kept))
    return out


def _recognise_cell(gray: np.ndarray, box: tuple[float, float, float, float]) -> _Glyph | None:
    """Recognition only, on one cell's interior: the second chance for a glyph detection missed."""
    found = rt.ink_extent(gray, box)
    if found is None:
        return None
    x0, y0, x1, y1 = found
    pad = 4
    crop = gray[max(y0 - pad, 0) : y1 + pad, max(x0 - pad, 0) : x1 + pad]
    if crop.size == 0:
        return None
    result, _ = engine()(crop, use_det=False, use_cls=False)
    if not result:
        return None
    text, score = str(result[0][0]).strip(), float(result[0][1])
    if not text:
        return None
    inner = (float(x0), float(y0), float(x1), float(y1))
    return _Glyph(inner, score, [(text, inner, score)])


def _pseudo_chars(g: _Glyph, pt: Any) -> list[dict[str, Any]]:
    out = []
    for text, box, score in g.words:
        x0, top, x1, bottom = pt(box)
        out.append(
            {
                "text": text,
                "x0": x0,
                "x1": x1,
                "top": top,
                "bottom": bottom,
                # the box is the detector's line box, a little taller than the glyphs
                "size": (bottom - top) * 0.8,
                "conf": score,
            }
        )
    return out
