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
from extract import resources

OCR_THREADS_ENV = "XXGK_OCR_THREADS"
"""Environment variable: onnxruntime threads per engine (default 1)."""
MIN_TEXT_SCORE = 0.5
"""Outside tables, a text box recognised with a lower score is dropped when it is also small (a speck
or a stamp fragment read as a character). Inside tables nothing is dropped: a low score is reported."""
REC_MIN_WIDTH = 320
"""Recognition pads every crop to at least this width (the models' training shape, 48 × 320). Narrower
padding is faster (96: about 3× on value cells) but scores isolated digits lower: on the corpus scans
a width of 96 put nine correct zeros of one document under ``OCR_MIN_CONFIDENCE``."""
EMPTY_CONF = 1.0
"""Confidence of a table cell OCR found empty and that holds no ink (no glyph-sized mark)."""
UNREAD_CONF = 0.0
"""Confidence of a table cell that holds ink OCR could not read."""
DASH_CONF = 1.0
"""Confidence of a cell whose only marks are horizontal bars, read as the printed dash ``——``."""
DISAGREE_CONF = 0.5
"""Highest confidence of a cell whose two readings (page pass, tight-crop pass) are different clean
numbers: one of them is wrong, so the cell must not load as a plain number."""
_DASH_ONLY = re.compile(r"^[一—―─\-－_~～]+$")
"""A cell of horizontal bars only: the printed dash ``——`` (the recogniser reads a long bar as 一)."""

REREAD_MAX_CHARS = 16
"""Table cells whose first reading is this short and has no Chinese character (numbers, dashes, misread
digits) are read a second time on a tight crop."""
CROP_PAD_PX = 4
_CJK = re.compile(r"[\u3400-\u9fff]")
_CLEAN_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?)$")

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
    resources.before_ocr()
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
                rec_img_shape=[3, 48, REC_MIN_WIDTH],
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
    dusted = rt.remove_dust(clean, clean_ink, dpi) if tables else clean
    reread: list[tuple[tuple[float, float, float, float], list[tuple[int, int]], str, float]] = []
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
                words = sorted(words_in[k], key=lambda ij: glyphs[ij[0]].words[ij[1]][1][0])
                text = "".join(glyphs[i].words[j][0] for i, j in words).replace(" ", "")
                if len(text) <= REREAD_MAX_CHARS and not _CJK.search(text):
                    reread.append((box, words, text, min(glyphs[i].words[j][2] for i, j in words)))
                continue
            found = rt.marks(clean_ink, box, 0.45 * glyph_h)
            if not found:
                cell_conf[pt(box)] = EMPTY_CONF
                continue
            if rt.is_dash(found, glyph_h):
                # the detector does not see a lone bar as text: the printed dash, read from its shape
                bar = (float(min(b[0] for b in found)), float(min(b[1] for b in found)),
                       float(max(b[2] for b in found)), float(max(b[3] for b in found)))  # fmt: skip
                extra.append(_Glyph(bar, DASH_CONF, [("——", bar, DASH_CONF)]))
                continue
            reread.append((box, [], "", 0.0))
    # second reading of the value-like cells, each cropped tight to its ink (dust wiped off)
    crops = [_cell_crop(dusted, box, glyph_h) for box, _, _, _ in reread]
    readings = _recognise_lines([c for c, _ in crops if c is not None])
    it = iter(readings)
    for (box, words, text, score), (crop, extent) in zip(reread, crops, strict=True):
        got = next(it) if crop is not None else None
        if got is None or not got[0]:
            if not words:
                cell_conf[pt(box)] = UNREAD_CONF
            continue
        new_text, new_score = got
        if words and new_text == text:
            new_score = max(new_score, score)
        elif words and _CLEAN_NUMBER.match(text) and not _CLEAN_NUMBER.match(new_text):
            continue  # the first reading was a clean number and the second is not: keep the first
        elif words and _CLEAN_NUMBER.match(text):
            new_score = min(new_score, score, DISAGREE_CONF)  # two clean readings disagree
        for i, j in words:
            glyphs[i].words[j] = ("", glyphs[i].words[j][1], 1.0)
        assert extent is not None
        extra.append(_Glyph(extent, new_score, [(new_text, extent, new_score)]))
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


def _cell_crop(
    gray: np.ndarray, box: tuple[float, float, float, float], glyph_h: float
) -> tuple[np.ndarray | None, tuple[float, float, float, float] | None]:
    """The cell's ink, cropped tight with a small margin (recognition scores isolated digits far higher
    on a tight crop than on the detector's looser box), when it is one line of text."""
    found = rt.ink_extent(gray, box)
    if found is None:
        return None, None
    x0, y0, x1, y1 = found
    if y1 - y0 > 1.8 * glyph_h:
        return None, None  # several lines: not a value
    pad = CROP_PAD_PX
    crop = gray[max(y0 - pad, 0) : y1 + pad, max(x0 - pad, 0) : x1 + pad]
    return crop, (float(x0), float(y0), float(x1), float(y1))


def _recognise_lines(crops: list[np.ndarray]) -> list[tuple[str, float] | None]:
    """Recognition only (no detection), one text line per crop, in batches."""
    if not crops:
        return []
    import cv2

    images = [cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) if c.ndim == 2 else c for c in crops]
    result, _ = engine().text_rec(images)
    out: list[tuple[str, float] | None] = []
    for item in result:
        text, score = str(item[0]).replace(" ", ""), float(item[1])
        out.append((text, score) if text else None)
    return out


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
