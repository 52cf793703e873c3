"""PDF reader: ruled tables as exact grids of origin cells, the remaining text as paragraphs.

One pass over the pages with pdfplumber. Each page is parsed once: duplicate (fake-bold) glyphs are
removed with ``dedupe_chars``, the ruled tables are found with the pinned ``TABLE_SETTINGS`` (lines
strategy), every character is assigned either to the table cell that contains it or to the running text,
and the page is closed before the next one so memory stays flat (pdfplumber caches every page's
objects until the page is closed). Only plain text and
coordinates survive a page; a second pass over that small data does what needs the whole document:

- **Running headers/footers** are lines in the top/bottom margin bands that repeat on several pages
  (digits ignored, so ``第 3 页`` and ``第 4 页`` repeat), and page-number lines (``- 3 -``, ``3``,
  ``第 3 页``, ``第3页 共8页``, ``3/8``, ``Page 3 of 8``) in the bands or as the first/last line of a page.
- **Tables continued on the next page** are joined (rule in ``_TableBuilder.append``). pdfplumber drops
  single-cell tables; a lone ruled box is therefore kept only when it is the fragment of a table cut by a
  page break (e.g. one full-width band row left at the bottom of a page), never as a table of its own.
- **Paragraphs** are built from lines (rule in ``_same_paragraph``) and may continue across a page break.

Grids: pdfplumber's ``Table.cells`` gives one bbox per cell (a merged cell is one bbox). Column edges are
the distinct x-edges of the cells, row edges the distinct y-edges, and each bbox becomes an origin cell
with the spans it covers. Across a page break the column edges of all parts are unified, so a part that
prints fewer columns (merged cells) lands on the same grid as the others.

Errors: encrypted with a user password → ``EncryptedFile``; parser failures and truncated files →
``CorruptFile``; image-only pages → ``NoTextLayer`` (decided from the first pages, before any table
finding); a text layer made of ``(cid:NNN)`` placeholders (fonts without a Unicode mapping) →
``NoTextLayer`` as well, since the text cannot be decoded without OCR.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
import statistics
import zlib
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psexceptions import PSEOF, PSException
from pdfplumber import table as plumber_table
from pdfplumber.table import TableFinder, TableSettings, cells_to_tables, edges_to_intersections
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from extract import pdfium_layer, resources
from extract.errors import CorruptFile, EmptyFile, EncryptedFile, NoTextLayer
from extract.geometry import cluster
from extract.model import Block, Cell, Document, Paragraph, Table
from extract.textnorm import clean_cell, fix_cjk

TABLE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "edge_min_length": 3,
    "min_words_vertical": 3,
    "min_words_horizontal": 1,
    "intersection_tolerance": 3,
}
"""Pinned so that a pdfplumber upgrade cannot silently change which rulings make a table (these are the
0.11 defaults: ruled tables only, no text-alignment guessing)."""

EDGE_TOL = 3.0
"""Points within which two cell edges are the same grid line (pdfplumber's own snap tolerance)."""
MARGIN_BAND = 0.1
"""Fraction of the page height at the top and bottom where running headers/footers live."""
BREAK_ZONE = 0.12
"""A table part within this fraction of the page height from the lowest (highest) body content on the
document's pages of that size ends (starts) its page for joining (≈100 pt on A4: one tall table row)."""
SCAN_PROBE_PAGES = 3
"""Image-only first pages that make the whole file count as a scan without reading further."""

_PARSE_ERRORS = (
    PdfminerException,
    MalformedPDFException,
    PSException,
    # Raised from inside pdfminer/pdfplumber while interpreting damaged objects; caught only around the
    # calls that parse the file, never around this module's own logic.
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    RecursionError,
    zlib.error,
)
_CID = re.compile(r"\(cid:\d+\)")
_PAGE_NUMBER = re.compile(
    r"""^(?:
        [-—–_·•.\s]*\d{1,4}[-—–_·•.\s]*                               # 3, - 3 -, —3—, ·3·
      | 第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?             # 第 3 页, 第3页 共8页
      | 共\s*\d{1,4}\s*页\s*[,，/]?\s*第\s*\d{1,4}\s*页                 # 共8页 第3页
      | \d{1,4}\s*/\s*\d{1,4}                                         # 3/8
      | (?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?              # Page 3, Page 3 of 8
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_CJK_RANGES = (
    (0x2E80, 0x2FFF),  # radicals (supplement, Kangxi), ideographic description
    (0x3000, 0x312F),  # CJK symbols and punctuation, kana, bopomofo
    (0x31C0, 0x9FFF),  # strokes, enclosed/compatibility, Extension A, unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms
    (0x20000, 0x3134F),  # supplementary ideographic planes
)


@functools.lru_cache(maxsize=8192)
def _is_cjk(ch: str) -> bool:
    """True for characters written without spaces around them (Han, kana, full-width punctuation).
    Cached: a report uses a few thousand distinct characters, each tested many times."""
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


# --------------------------------------------------------------------------------------------------
# Per-page data (plain text + coordinates; nothing of pdfplumber survives a page)


@dataclass(slots=True)
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    first_word: float
    """Width of the line's first word (one character for CJK): decides whether it would have fit at the
    end of the previous line, i.e. whether that line ended its paragraph."""
    page: int
    box: int | None = None
    """Id of the lone ruled box the line sits in, if any (its text is dropped if the box joins a table)."""
    conf: float | None = None
    """Lowest OCR score of the line's glyphs; None for text-layer lines."""


@dataclass(slots=True)
class _PCell:
    text: str
    row: int
    x0: float
    x1: float
    rowspan: int
    page: int
    conf: float | None = None
    """OCR confidence of the cell (``extract.model.Cell.confidence``); None from a text layer."""


@dataclass(slots=True)
class _Part:
    """One table as found on one page (row indexes local to the part)."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    xs: list[float]
    ys: list[float]
    cells: list[_PCell]
    box: int | None = None
    """Set for a lone ruled box (a single-cell "table" pdfplumber would drop)."""
    open_bottom: bool = False
    """The bottom rule was missing: the side rules ran on and the table was closed where they end."""


@dataclass(slots=True)
class _Page:
    number: int
    width: float
    height: float
    lines: list[_Line]
    parts: list[_Part]
    boxes: list[_Part]


# --------------------------------------------------------------------------------------------------
# Entry point


ENGINE_ENV = "XXGK_PDF_ENGINE"
"""``pdfminer`` makes every page go through pdfplumber/pdfminer as before the pdfium text layer existed
(the reference the fast path is compared with); anything else, or unset, reads pages with pdfium."""


def read(path: Path, *, ocr: bool = True, engine: str | None = None) -> Document:
    """Read a PDF into paragraphs and exact-grid tables, in reading order.

    With ``ocr`` (the default), pages without a text layer and large images on text pages (a statistics
    table pasted in as a scan) are read by OCR (``extract.ocr``) into the same lines and ruled tables, with
    a confidence on every OCR'd cell and paragraph; ``meta["ocr_pages"]`` lists those pages. Without it, a
    scan is rejected as ``NoTextLayer``.

    ``meta`` holds ``pages`` (the page count) and, when the document info has them, ``title`` and
    ``creation_date`` (ISO 8601 when the PDF date parses).

    pdfplumber opens the file (encryption, damage and the page tree are judged by pdfminer, as are the
    metadata); each page's characters and ruling lines are then read by pdfium (``extract.pdfium_layer``,
    several times faster), unless that module leaves the page to pdfplumber (what it cannot reproduce
    exactly). ``engine="pdfminer"`` (or ``XXGK_PDF_ENGINE=pdfminer``) reads every page with pdfplumber.
    """
    path = Path(path)
    if path.stat().st_size == 0:
        raise EmptyFile("the PDF file is empty (0 bytes)")
    try:
        pdf = pdfplumber.open(path)
    except PdfminerException as exc:
        raise _open_error(exc) from exc
    with _closing(pdf):
        meta = _metadata(pdf.metadata)
        try:
            plumber_pages = pdf.pages
        except (PdfminerException, *_PARSE_ERRORS) as exc:  # e.g. a MediaBox holding a string
            raise CorruptFile(f"the page tree cannot be read ({_cause(exc)})") from exc
        meta["pages"] = str(len(plumber_pages))
        pages: list[_Page] = []
        n_chars = n_cid = image_only = ocr_glyphs = 0
        ocr_pages: list[int] = []
        renderer = _Renderer(path) if ocr else None
        layer = _open_layer(path, engine)
        if layer is not None and not layer.agrees(len(plumber_pages)):
            layer.close()
            layer = None
        try:
            for i, page in enumerate(plumber_pages):
                try:
                    objs = layer.page(i, page) if layer is not None else None
                    try:
                        chars = page.chars if objs is None else objs.chars
                        images = page.images if objs is None else objs.images
                    except _PARSE_ERRORS as exc:
                        raise CorruptFile(f"page {i + 1} cannot be parsed ({_cause(exc)})") from exc
                    n_chars += len(chars)
                    n_cid += sum(1 for c in chars if _CID.fullmatch(c["text"]))
                    if not chars:
                        image_only += bool(images)
                        parsed = _Page(i + 1, float(page.width), float(page.height), [], [], [])
                        if images and renderer is not None:
                            ocr_glyphs += _ocr_into(parsed, renderer, i, [_whole_page(page, images)])
                            ocr_pages.append(i + 1)
                        elif (
                            renderer is None and i + 1 == SCAN_PROBE_PAGES and image_only == SCAN_PROBE_PAGES
                        ):
                            raise NoTextLayer(_NO_TEXT_OCR_OFF)
                        pages.append(parsed)
                        continue
                    if i + 1 >= SCAN_PROBE_PAGES and n_cid > n_chars / 2:
                        raise _cid_error()
                    parsed = _read_page(page, i + 1, objs)
                    regions = _image_regions(page, images, chars) if renderer is not None else []
                    if regions:
                        ocr_glyphs += _ocr_into(parsed, renderer, i, regions)
                        ocr_pages.append(i + 1)
                    pages.append(parsed)
                finally:
                    page.close()  # drops the parsed layout and cached objects of this page
        finally:
            if layer is not None:
                layer.close()
            if renderer is not None:
                renderer.close()
    if n_chars == 0 and ocr_glyphs == 0:
        if image_only and renderer is not None:
            raise NoTextLayer(
                f"the PDF has no text layer (scanned images) and OCR found no text on its {image_only} "
                f"image page{'s' if image_only > 1 else ''}"
            )
        if image_only:
            raise NoTextLayer(_NO_TEXT_OCR_OFF)
        raise NoTextLayer("the PDF has no text layer (no characters on any page, no page images)")
    if n_cid > n_chars / 2:
        raise _cid_error()
    if ocr_pages:
        meta["ocr_pages"] = ",".join(map(str, ocr_pages))
    return Document(blocks=_assemble(pages), format="pdf", meta=meta)


@contextlib.contextmanager
def _closing(pdf: Any) -> Iterator[None]:
    """Close ``pdf`` on the way out without letting the close raise.

    pdfplumber's own ``close`` walks the page tree again to close each page; on a PDF whose page tree
    is damaged that walk raises a second time, and that exception would replace the ``CorruptFile``
    the reader raised for the same damage (a ``parser_error`` instead of a clear rejection)."""
    try:
        yield
    finally:
        try:
            pdf.close()
        except (PdfminerException, *_PARSE_ERRORS):
            stream = getattr(pdf, "stream", None)
            if stream is not None and not getattr(pdf, "stream_is_external", False):
                stream.close()


_NO_TEXT_OCR_OFF = "the PDF has no text layer (scanned images); OCR is switched off"
OCR_MIN_IMAGE_AREA = 0.15
"""An image on a text page is read by OCR when it covers at least this fraction of the page and no
text-layer character lies on it (a scanned statistics page pasted into a text PDF; logos and stamps are
smaller)."""
OCR_DPI = (150.0, 225.0)
"""Images are rendered at their own resolution, within these bounds: below 150 dpi recognition suffers,
above 225 dpi detection only gets slower."""


class _Renderer:
    """pypdfium2 renders the page images for OCR (it decodes every image filter and applies the image's
    placement); the document is opened on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.doc: Any = None

    def gray(self, index: int, box: tuple[float, float, float, float], dpi: float) -> Any:
        import numpy as np
        import pypdfium2 as pdfium

        if self.doc is None:
            self.doc = pdfium.PdfDocument(str(self.path))
        page = self.doc[index]
        try:
            x0, top, x1, bottom = box
            bitmap = page.render(
                scale=dpi / 72,
                grayscale=True,
                crop=(x0, page.get_height() - bottom, page.get_width() - x1, top),
            )
            arr = bitmap.to_numpy()
            if arr.ndim == 3:
                arr = arr[:, :, 0] if arr.shape[2] == 1 else arr[:, :, :3].mean(axis=2).astype(np.uint8)
            return np.ascontiguousarray(arr)
        finally:
            page.close()

    def close(self) -> None:
        if self.doc is not None:
            self.doc.close()
            self.doc = None


def _image_dpi(image: dict[str, Any]) -> float:
    width_pt = max(float(image["x1"]) - float(image["x0"]), 1.0)
    native = float(image["srcsize"][0]) / (width_pt / 72)
    return min(max(native, OCR_DPI[0]), OCR_DPI[1])


def _open_layer(path: Path, engine: str | None) -> pdfium_layer.Layer | None:
    """The pdfium reader of the file, or None when every page goes through pdfplumber (asked for, or
    pdfium cannot open a file pdfminer could)."""
    if (engine or os.environ.get(ENGINE_ENV, "")).strip().lower() == "pdfminer":
        return None
    try:
        return pdfium_layer.Layer(path)
    except OSError:
        return None


def _whole_page(page: Any, images: list[dict[str, Any]]) -> tuple[tuple[float, float, float, float], float]:
    dpi = max((_image_dpi(im) for im in images), default=OCR_DPI[0])
    return (0.0, 0.0, float(page.width), float(page.height)), dpi


def _image_regions(
    page: Any, images: list[dict[str, Any]], chars: list[dict[str, Any]]
) -> list[tuple[tuple[float, float, float, float], float]]:
    """Large images on a text page that carry no text-layer characters: OCR reads those."""
    out = []
    area = float(page.width) * float(page.height)
    for im in images:
        x0, top = max(float(im["x0"]), 0.0), max(float(im["top"]), 0.0)
        x1, bottom = min(float(im["x1"]), float(page.width)), min(float(im["bottom"]), float(page.height))
        if (x1 - x0) * (bottom - top) < OCR_MIN_IMAGE_AREA * area:
            continue
        if any(
            x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom
            for c in chars
        ):
            continue
        out.append(((x0, top, x1, bottom), _image_dpi(im)))
    return out


def _ocr_into(
    page: _Page,
    renderer: _Renderer,
    index: int,
    regions: list[tuple[tuple[float, float, float, float], float]],
) -> int:
    """OCR each region of the page and add its lines and tables to ``page``; returns the glyphs found."""
    resources.before_ocr()  # before the engine's libraries load: the process may lift its memory cap
    from extract import ocr

    found = 0
    for k, (box, dpi) in enumerate(regions):
        gray = renderer.gray(index, box, dpi)
        result = ocr.read_image(gray, origin=(box[0], box[1]), scale=72 / dpi, dpi=dpi)
        found += len(result.chars)
        lines, parts, boxes = _ocr_page_content(result, page.number, page.height, base=5000 + 100 * k)
        page.lines.extend(lines)
        page.parts.extend(parts)
        page.boxes.extend(boxes)
    page.lines.sort(key=lambda ln: (ln.top, ln.x0))
    page.parts.sort(key=lambda p: (p.top, p.x0))
    return found


def _ocr_page_content(
    result: Any, number: int, height: float, base: int
) -> tuple[list[_Line], list[_Part], list[_Part]]:
    """Lines, table parts and lone boxes from an OCR result, as ``_read_page`` builds them from text."""
    from extract.ocr import normalise_cell

    def inside(c: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]

    free = [c for c in result.chars if not any(inside(c, b) for b in result.table_boxes)]
    lines = _build_lines(free, number)
    parts: list[_Part] = []
    boxes: list[_Part] = []
    for i, (cells, bbox) in enumerate(zip(result.tables, result.table_boxes, strict=True)):
        chars = [c for c in result.chars if inside(c, bbox)]
        if len(cells) == 1:  # a lone ruled box: running text unless it continues a table
            box_id = number * 10_000 + base + i
            box_lines = _build_lines(chars, number)
            for ln in box_lines:
                ln.box = box_id
            lines.extend(box_lines)
            text = clean_cell("\n".join(ln.text for ln in box_lines))
            x0, top, x1, bottom = bbox
            in_band = bottom <= height * MARGIN_BAND or top >= height * (1 - MARGIN_BAND)
            if text and not in_band:
                conf = min((ln.conf for ln in box_lines if ln.conf is not None), default=None)
                cell = _PCell(text=text, row=0, x0=x0, x1=x1, rowspan=1, page=number, conf=conf)
                boxes.append(_Part(number, x0, top, x1, bottom, [x0, x1], [top, bottom], [cell], box=box_id))
            continue
        parts.append(
            _table_part(cells, bbox, chars, number, ocr_conf=result.cell_conf, normalise=normalise_cell)
        )
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines, parts, boxes


def _cid_error() -> NoTextLayer:
    return NoTextLayer(
        "the PDF text layer is not decodable: most glyphs are (cid:NNN) placeholders from fonts without a "
        "Unicode mapping; OCR is not available"
    )


def _cause(exc: BaseException) -> str:
    """The pdfminer error pdfplumber wrapped, as a short message."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc.__context__
    inner = inner or exc
    text = str(inner).strip() or type(inner).__name__
    return f"{type(inner).__name__}: {text[:120]}"


def _open_error(exc: PdfminerException) -> Exception:
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc.__context__
    if isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError):
        return EncryptedFile("the PDF is encrypted/password-protected")
    if isinstance(inner, PSEOF):
        return CorruptFile("the PDF ends unexpectedly (truncated file)")
    if isinstance(inner, PDFSyntaxError):
        return CorruptFile(f"not a readable PDF ({_cause(exc)})")
    return CorruptFile(f"the PDF cannot be parsed ({_cause(exc)})")


_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?")


def _metadata(info: dict[str, Any]) -> dict[str, str]:
    """``title`` and ``creation_date`` (ISO 8601 when the PDF date parses, else as stored)."""
    meta: dict[str, str] = {}
    title = info.get("Title")
    if isinstance(title, str) and title.strip():
        meta["title"] = fix_cjk(title).strip()
    created = info.get("CreationDate")
    if isinstance(created, str) and created.strip():
        meta["creation_date"] = _iso_date(created.strip())
    return meta


def _iso_date(raw: str) -> str:
    m = _PDF_DATE.match(raw)
    if not m:
        return raw
    y, mo, d, h, mi, s, tz = m.groups()
    out = f"{y}-{mo or '01'}-{d or '01'}"
    if h:
        out += f"T{h}:{mi or '00'}:{s or '00'}"
        if tz == "Z":
            out += "Z"
        elif tz:
            digits = tz.replace("'", "")
            out += f"{digits[:3]}:{digits[3:5]}"
    return out


# --------------------------------------------------------------------------------------------------
# One page


class _Surface:
    """What pdfplumber's ``TableFinder`` reads of a page: its edges and its box."""

    def __init__(self, edges: list[dict[str, Any]], bbox: tuple[float, float, float, float]) -> None:
        self.edges = edges
        self.bbox = bbox


class _Finder:
    """``page.debug_tablefinder(settings)`` (``find_tables()``, plus the cells it dropped), built from
    pdfplumber's own steps except ``intersections_to_cells``, replaced by ``_intersections_to_cells``."""

    def __init__(self, surface: _Surface, settings: dict[str, Any]) -> None:
        self.page = surface
        self.settings = TableSettings.resolve(settings)
        self.edges = TableFinder.get_edges(self)  # type: ignore[arg-type]  # reads .page and .settings
        self.intersections = edges_to_intersections(
            self.edges, self.settings.intersection_x_tolerance, self.settings.intersection_y_tolerance
        )
        self.cells = _intersections_to_cells(self.intersections)
        self.tables = [plumber_table.Table(surface, group) for group in cells_to_tables(self.cells)]  # type: ignore[arg-type]


def _intersections_to_cells(
    intersections: dict[tuple[float, float], dict[str, list[dict[str, Any]]]],
) -> list:
    """``pdfplumber.table.intersections_to_cells``, same cells in the same order: for each point (in
    sorted order), the first point below and the first to its right, in that nesting, that close a
    rectangle whose four corners are intersections joined by common edges. pdfplumber rebuilds both
    points' edge sets for every pair it tests and scans all later points for each one; here the sets and
    the points per column and per row are made once."""
    points = sorted(intersections)
    v_sets = {
        p: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in d["v"]} for p, d in intersections.items()
    }
    h_sets = {
        p: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in d["h"]} for p, d in intersections.items()
    }
    column: dict[float, list[tuple[float, float]]] = {}
    row: dict[float, list[tuple[float, float]]] = {}
    for p in points:
        column.setdefault(p[0], []).append(p)
        row.setdefault(p[1], []).append(p)

    def connects(p1: tuple[float, float], p2: tuple[float, float]) -> bool:
        if p1[0] == p2[0] and not v_sets[p1].isdisjoint(v_sets[p2]):
            return True
        return p1[1] == p2[1] and not h_sets[p1].isdisjoint(h_sets[p2])

    cells = []
    for pt in points:
        col, rw = column[pt[0]], row[pt[1]]
        below = col[col.index(pt) + 1 :]
        right = rw[rw.index(pt) + 1 :]
        found = None
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                if not connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def _find_tables(surface: _Surface, settings: dict[str, Any]) -> _Finder:
    return _Finder(surface, settings)


def _read_page(page: Any, number: int, objs: pdfium_layer.PageObjects | None = None) -> _Page:
    """Tables and text lines of one page, from a single parse of its objects (pdfium's, when ``objs``
    holds them, else pdfplumber's)."""
    if objs is None:
        deduped = page.dedupe_chars(tolerance=1)
        all_chars, edges = deduped.chars, deduped.edges
    else:
        all_chars, edges = pdfium_layer.dedupe_chars(objs.chars, tolerance=1), objs.edges
    surface = _Surface(edges, page.bbox)
    finder = _find_tables(surface, TABLE_SETTINGS)
    closing = _closing_rules(finder)
    if closing:  # rare: only pages with a table left open at the top or bottom are searched twice
        finder = _find_tables(surface, {**TABLE_SETTINGS, "explicit_horizontal_lines": closing})
    chars = [c for c in all_chars if c["text"]]
    tables = sorted(finder.tables, key=lambda t: (t.bbox[1], t.bbox[0]))
    table_boxes = [t.bbox for t in tables]  # a property pdfplumber recomputes from the cells each time
    in_tables = {tuple(b) for t in tables for b in t.cells}
    lone = [tuple(b) for b in finder.cells if tuple(b) not in in_tables]

    table_chars: list[list[dict[str, Any]]] = [[] for _ in tables]
    box_chars: list[list[dict[str, Any]]] = [[] for _ in lone]
    free: list[dict[str, Any]] = []
    for c in chars:
        cx = (c["x0"] + c["x1"]) / 2
        cy = (c["top"] + c["bottom"]) / 2
        for i, (x0, top, x1, bottom) in enumerate(table_boxes):
            if x0 - 0.5 <= cx <= x1 + 0.5 and top - 0.5 <= cy <= bottom + 0.5:
                table_chars[i].append(c)
                break
        else:
            free.append(c)

    # Lone boxes: their text stays running text unless the box turns out to continue a table.
    lines: list[_Line] = []
    outside: list[dict[str, Any]] = []
    for c in free:
        cx = (c["x0"] + c["x1"]) / 2
        cy = (c["top"] + c["bottom"]) / 2
        for i, (x0, top, x1, bottom) in enumerate(lone):
            if x0 <= cx <= x1 and top <= cy <= bottom:
                box_chars[i].append(c)
                break
        else:
            outside.append(c)
    lines.extend(_build_lines(outside, number))
    boxes: list[_Part] = []
    for i, bbox in enumerate(lone):
        box_id = number * 10_000 + i
        box_lines = _build_lines(box_chars[i], number)
        for ln in box_lines:
            ln.box = box_id
        lines.extend(box_lines)
        x0, top, x1, bottom = (float(v) for v in bbox)
        text = clean_cell("\n".join(ln.text for ln in box_lines))
        in_band = bottom <= page.height * MARGIN_BAND or top >= page.height * (1 - MARGIN_BAND)
        if not text or in_band:
            continue  # an empty frame or a header/footer box: never a table fragment
        cell = _PCell(text=text, row=0, x0=x0, x1=x1, rowspan=1, page=number)
        boxes.append(_Part(number, x0, top, x1, bottom, [x0, x1], [top, bottom], [cell], box=box_id))

    parts = [_table_part(t.cells, table_boxes[i], table_chars[i], number) for i, t in enumerate(tables)]
    for part in parts:
        part.open_bottom = any(abs(part.bottom - rule["top"]) < 1 for rule in closing)
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return _Page(number, float(page.width), float(page.height), lines, parts, boxes)


def _closing_rules(finder: Any) -> list[dict[str, float]]:
    """Horizontal rules that close tables whose side rules run past their first or last horizontal rule.

    Some writers draw no rule under the last row on a page (the row continues on the next page) or above
    the first row of a continuation. pdfplumber then leaves that row out of the table and its text would
    become running text. When both outer side rules of a table extend beyond its top or bottom by more
    than ``EDGE_TOL``, a rule is added where the shorter of the two ends.
    """
    rules = []
    verticals = [e for e in finder.edges if e["orientation"] == "v"]
    for t in finder.tables:
        x0, top, x1, bottom = t.bbox
        sides = [
            [e for e in verticals if abs(e["x0"] - x) <= EDGE_TOL and e["top"] < bottom and e["bottom"] > top]
            for x in (x0, x1)
        ]
        if not all(sides):
            continue
        low = min(max(e["bottom"] for e in side) for side in sides)
        high = max(min(e["top"] for e in side) for side in sides)
        for y, missing in ((low, low > bottom + EDGE_TOL), (high, high < top - EDGE_TOL)):
            if missing:
                rules.append(
                    {"object_type": "line", "x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0}
                )
    return rules


def _nearest(edges: Sequence[float], v: float) -> int:
    i = bisect_right(edges, v)
    if i == 0:
        return 0
    if i == len(edges):
        return len(edges) - 1
    return i if edges[i] - v < v - edges[i - 1] else i - 1


def _table_part(
    bboxes: Sequence[tuple[float, float, float, float]],
    table_bbox: tuple[float, float, float, float],
    chars: list[dict[str, Any]],
    number: int,
    ocr_conf: dict[tuple[float, float, float, float], float] | None = None,
    normalise: Any = None,
) -> _Part:
    """Origin cells of one page's table: grid from the distinct cell edges, spans from each bbox.

    Each grid slot belongs to the smallest cell covering it (pdfplumber can report a rectangle and the
    cells inside it); a slot no cell covers but that holds text gets a 1×1 cell so no text is lost.

    OCR'd tables pass ``ocr_conf`` (the confidence of the cells OCR found empty, by bbox) and
    ``normalise`` (cell-text corrections of known misreadings): each cell's confidence is then its
    glyphs' lowest score, or the bbox's entry when it has no glyph.
    """
    xs = cluster([b[0] for b in bboxes] + [b[2] for b in bboxes], 2.0)
    ys = cluster([b[1] for b in bboxes] + [b[3] for b in bboxes], 2.0)
    spans: list[tuple[tuple[int, int, int, int], tuple[float, float, float, float]]] = []
    for box in sorted(bboxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1])):
        x0, top, x1, bottom = box
        r0, r1, c0, c1 = _nearest(ys, top), _nearest(ys, bottom), _nearest(xs, x0), _nearest(xs, x1)
        if r1 > r0 and c1 > c0:
            spans.append(((r0, r1, c0, c1), tuple(box)))
    owner: dict[tuple[int, int], int] = {}
    kept: list[tuple[int, int, int, int]] = []
    kept_box: list[tuple[float, float, float, float] | None] = []
    for span, box in spans:
        r0, r1, c0, c1 = span
        slots = [(r, c) for r in range(r0, r1) for c in range(c0, c1) if (r, c) not in owner]
        if not slots:
            continue  # a duplicate of smaller cells already placed
        for slot in slots:
            owner[slot] = len(kept)
        kept.append(span)
        kept_box.append(box)
    cell_chars: dict[int, list[dict[str, Any]]] = {}
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    for c in chars:
        col = min(max(bisect_right(xs, (c["x0"] + c["x1"]) / 2) - 1, 0), n_cols - 1)
        row = min(max(bisect_right(ys, (c["top"] + c["bottom"]) / 2) - 1, 0), n_rows - 1)
        idx = owner.get((row, col))
        if idx is None:
            idx = owner[(row, col)] = len(kept)
            kept.append((row, row + 1, col, col + 1))
            kept_box.append(None)
        cell_chars.setdefault(idx, []).append(c)
    cells = []
    for idx, (r0, r1, c0, c1) in enumerate(kept):
        in_cell = cell_chars.get(idx, [])
        text = clean_cell("\n".join(ln.text for ln in _build_lines(in_cell, number)))
        conf: float | None = None
        if ocr_conf is not None:
            scores = [c["conf"] for c in in_cell if c.get("conf") is not None]
            box = kept_box[idx]
            conf = min(scores) if scores else ocr_conf.get(box, 1.0) if box is not None else 1.0
            if normalise is not None:
                text = normalise(text)
        cells.append(_PCell(text=text, row=r0, x0=xs[c0], x1=xs[c1], rowspan=r1 - r0, page=number, conf=conf))
    x0, top, x1, bottom = (float(v) for v in table_bbox)
    return _Part(number, x0, top, x1, bottom, xs, ys, cells)


def _build_lines(chars: list[dict[str, Any]], number: int) -> list[_Line]:
    """Group characters into lines (by vertical centre) and each line's characters into text.

    Spacing: a gap wider than 0.15 em (or a space glyph) between two non-CJK characters is a space;
    next to a CJK character it is inter-script spacing and dropped; a gap wider than 1.5 em is always a
    space (separate fields on one line).
    """
    if not chars:
        return []
    groups: list[list[dict[str, Any]]] = []
    band_top = band_bottom = 0.0
    for c in sorted(chars, key=lambda c: (c["top"] + c["bottom"]) / 2):
        mid = (c["top"] + c["bottom"]) / 2
        if groups and band_top <= mid <= band_bottom:
            groups[-1].append(c)
            band_bottom = max(band_bottom, c["bottom"])
        else:
            groups.append([c])
            band_top, band_bottom = c["top"], c["bottom"]
    lines = []
    for group in groups:
        group.sort(key=lambda c: c["x0"])
        pieces: list[str] = []
        prev: dict[str, Any] | None = None
        pending_space = False
        first_word: float | None = None
        x0 = None
        for c in group:
            t = c["text"]
            if t.isspace():
                pending_space = prev is not None
                continue
            if prev is not None:
                size = max(c["size"], prev["size"], 1.0)
                gap = c["x0"] - prev["x1"]
                latin_pair = not _is_cjk(pieces[-1][-1]) and not _is_cjk(t[0])
                if gap > 1.5 * size or (latin_pair and (pending_space or gap > 0.15 * size)):
                    pieces.append(" ")
                    if first_word is None:
                        first_word = prev["x1"] - x0
                elif first_word is None and (_is_cjk(t[0]) or _is_cjk(pieces[-1][-1])):
                    first_word = prev["x1"] - x0
            else:
                x0 = c["x0"]
            pieces.append(t)
            prev = c
            pending_space = False
        if prev is None or x0 is None:
            continue
        text = fix_cjk("".join(pieces)).strip()
        if not text:
            continue
        scores = [c["conf"] for c in group if c.get("conf") is not None]
        lines.append(
            _Line(
                text=text,
                x0=float(x0),
                x1=float(prev["x1"]),
                top=float(min(c["top"] for c in group)),
                bottom=float(max(c["bottom"] for c in group)),
                size=float(statistics.median(c["size"] for c in group)),
                first_word=float(first_word if first_word is not None else prev["x1"] - x0),
                page=number,
                conf=min(scores) if scores else None,
            )
        )
    return lines


# --------------------------------------------------------------------------------------------------
# Whole document


@dataclass(slots=True)
class _Geometry:
    """Document-wide layout measures, from the body lines and tables of all pages."""

    left: float
    right: float
    body_size: float
    extent: dict[tuple[int, int], tuple[float, float]]
    """Highest top and lowest bottom of body content per page size (portrait and landscape pages of
    one document have different type areas)."""

    def content(self, page: _Page) -> tuple[float, float]:
        return self.extent.get(_size_key(page), (0.0, page.height))

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


def _assemble(pages: list[_Page]) -> list[Block]:
    _drop_running_lines(pages)
    geo = _geometry(pages)
    builders, used_boxes = _chain_tables(pages, geo)
    first_part = {id(b.parts[0]): b for b in builders}

    # Reading order: per page, lines and tables by their top; a joined table sits where it starts.
    stream: list[_Line | _TableBuilder] = []
    for page in pages:
        items: list[tuple[float, int, _Line | _TableBuilder]] = []
        for ln in page.lines:
            if ln.box is None or ln.box not in used_boxes:
                items.append((ln.top, 1, ln))
        for part in page.parts + page.boxes:
            builder = first_part.get(id(part))
            if builder is not None:
                items.append((part.top, 0, builder))
        items.sort(key=lambda it: (it[0], it[1]))
        stream.extend(it[2] for it in items)

    blocks: list[Block] = []
    para: list[_Line] = []
    n_tables = 0

    def flush() -> None:
        if para:
            text = para[0].text
            for ln in para[1:]:
                text = _join_text(text, ln.text)
            scores = [ln.conf for ln in para if ln.conf is not None]
            blocks.append(Paragraph(text=text, page=para[0].page, confidence=min(scores) if scores else None))
            para.clear()

    for item in stream:
        if isinstance(item, _TableBuilder):
            flush()
            blocks.append(item.to_table(n_tables))
            n_tables += 1
        elif para and _same_paragraph(para[-1], item, geo):
            para.append(item)
        else:
            flush()
            para.append(item)
    flush()
    return blocks


def _join_text(a: str, b: str) -> str:
    """Join two lines of a paragraph: no space next to CJK, none after a hyphen, else one space."""
    if not a or not b:
        return a + b
    if _is_cjk(a[-1]) or _is_cjk(b[0]) or (a.endswith("-") and a[:-1][-1:].isalpha()):
        return a + b
    return f"{a} {b}"


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_running_lines(pages: list[_Page]) -> None:
    """Remove running headers/footers and page numbers from the pages' lines."""

    def in_band(ln: _Line, page: _Page) -> bool:
        return ln.bottom <= page.height * MARGIN_BAND or ln.top >= page.height * (1 - MARGIN_BAND)

    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_running_key(ln.text) for ln in page.lines if in_band(ln, page)})
    threshold = max(2, math.ceil(0.3 * len(pages)))
    for page in pages:
        kept = []
        for ln in page.lines:
            banded = in_band(ln, page)
            if banded and (seen[_running_key(ln.text)] >= threshold or _PAGE_NUMBER.match(ln.text)):
                continue
            kept.append(ln)
        # A page number printed inside the body area: only as the very first or last line of the page.
        while kept and kept[-1].box is None and _PAGE_NUMBER.match(kept[-1].text):
            kept.pop()
        while kept and kept[0].box is None and _PAGE_NUMBER.match(kept[0].text):
            kept.pop(0)
        page.lines = kept


def _size_key(page: _Page) -> tuple[int, int]:
    return round(page.width), round(page.height)


def _geometry(pages: list[_Page]) -> _Geometry:
    extent: dict[tuple[int, int], tuple[float, float]] = {}
    for p in pages:
        tops = [ln.top for ln in p.lines] + [pt.top for pt in p.parts]
        bottoms = [ln.bottom for ln in p.lines] + [pt.bottom for pt in p.parts]
        if tops:
            key = _size_key(p)
            top, bottom = extent.get(key, (math.inf, -math.inf))
            extent[key] = (min(top, *tops), max(bottom, *bottoms))
    lines = [ln for p in pages for ln in p.lines]
    if not lines:
        return _Geometry(0.0, 0.0, 0.0, extent)
    body_size = Counter(round(ln.size) for ln in lines).most_common(1)[0][0]
    body = [ln for ln in lines if abs(ln.size - body_size) <= 1] or lines
    # Left margin: the leftmost line start shared by a fair number of lines. Not the most common start:
    # in documents of short paragraphs, indented first lines outnumber continuation lines.
    left_counts = Counter(round(ln.x0) for ln in body)
    enough = max(2, math.ceil(0.05 * len(body)))
    left = float(min((x for x, n in left_counts.items() if n >= enough), default=min(left_counts)))
    # Right margin: where full lines end; the 90th percentile ignores the odd overhanging line.
    ends = sorted(ln.x1 for ln in body)
    right = ends[min(len(ends) - 1, int(0.9 * len(ends)))]
    return _Geometry(left, right, float(body_size), extent)


def _same_paragraph(prev: _Line, cur: _Line, geo: _Geometry) -> bool:
    """Whether ``cur`` continues the paragraph that ``prev`` ends.

    A new paragraph starts on a font-size change, a vertical gap over 1.5 line heights, a line indented
    from the left margin (first lines, centred and right-aligned lines), after a line that itself starts
    deep inside the text block (centred or right-aligned: a line of its own), or after a line that ended
    early — "early" meaning the next line's first word (one character in CJK) would have fitted before
    the right margin, so the break was the author's. Consecutive centred lines larger than body text stay
    together (a title broken over two lines). Across a page break the same tests apply except the gap.
    Known limit: hanging-indent paragraphs (continuation lines indented) come out one line each.
    """
    size = max(cur.size, prev.size)
    if abs(cur.size - prev.size) > 0.15 * size:
        return False
    if cur.page == prev.page:
        gap = cur.top - prev.bottom
        if gap < -0.5 * size or gap > 1.5 * size:
            return False
        if cur.size >= 1.1 * geo.body_size and _centred(prev, geo) and _centred(cur, geo):
            return True
    elif cur.page != prev.page + 1:
        return False
    if cur.x0 > geo.left + 0.8 * cur.size or prev.x0 > geo.left + 3 * prev.size:
        return False
    return geo.right - prev.x1 <= cur.first_word + cur.size


def _centred(ln: _Line, geo: _Geometry) -> bool:
    return abs((ln.x0 + ln.x1) / 2 - geo.centre) <= 0.5 * ln.size


# --------------------------------------------------------------------------------------------------
# Tables across page breaks


def _chain_tables(pages: list[_Page], geo: _Geometry) -> tuple[list[_TableBuilder], set[int]]:
    """Group the page tables into logical tables, joining parts across page breaks.

    A table is continued when (1) its last part is the last thing on page N — no body text below it —
    and ends within ``BREAK_ZONE`` of the lowest body content on pages of its size, (2) the first thing on
    page N+1 (after running headers were removed) is a table part starting within ``BREAK_ZONE`` of the
    highest body content, and (3) their column edges match: same outer edges and the smaller set of
    x-edges contained in the larger (merged cells print fewer columns), within ``EDGE_TOL``. Lone ruled
    boxes take part as fragments only; a chain made of lone boxes alone is not a table.
    """
    builders: list[_TableBuilder] = []
    open_builder: _TableBuilder | None = None
    zone = [BREAK_ZONE * p.height for p in pages]
    for k, page in enumerate(pages):
        continued: _Part | None = None
        head = _head(page)
        if (
            open_builder is not None
            and head is not None
            and open_builder.last_page == page.number - 1
            and head.top - geo.content(page)[0] <= zone[k]
            and open_builder.fits(head)
        ):
            open_builder.append(head)
            continued = head
        else:
            open_builder = None
        for part in page.parts:
            if part is not continued:
                builders.append(_TableBuilder(part))
        tail = _tail(page)
        if tail is None or geo.content(page)[1] - tail.bottom > zone[k]:
            open_builder = None
        elif tail is continued and open_builder is not None:
            pass  # the same table runs on
        elif tail.box is not None:
            open_builder = _TableBuilder(tail)
            builders.append(open_builder)
        else:
            open_builder = next(b for b in builders if b.parts[-1] is tail)
    kept = [b for b in builders if any(p.box is None for p in b.parts)]
    kept.sort(key=lambda b: (b.parts[0].page, b.parts[0].top))
    used = {p.box for b in kept for p in b.parts if p.box is not None}
    return kept, used


def _head(page: _Page) -> _Part | None:
    """The table part (or lone box) that comes first on the page, if no body text precedes it."""
    candidates = page.parts + page.boxes
    if not candidates:
        return None
    first = min(candidates, key=lambda p: p.top)
    if any(ln.bottom <= first.top + 1 and ln.box != first.box for ln in page.lines):
        return None
    return first


def _tail(page: _Page) -> _Part | None:
    """The table part (or lone box) that comes last on the page, if no body text follows it."""
    candidates = page.parts + page.boxes
    if not candidates:
        return None
    last = max(candidates, key=lambda p: p.bottom)
    if any(ln.top >= last.bottom - 1 and ln.box != last.box for ln in page.lines):
        return None
    return last


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


class _TableBuilder:
    """A logical table being assembled from page parts, on a grid of unified column edges."""

    def __init__(self, part: _Part) -> None:
        self.parts: list[_Part] = [part]
        self.cells: list[_PCell] = [
            _PCell(c.text, c.row, c.x0, c.x1, c.rowspan, c.page, c.conf) for c in part.cells
        ]
        self.edges: list[float] = list(part.xs)
        self.n_rows: int = len(part.ys) - 1
        self.head_rows: int = self.n_rows
        """Rows of the first part: how far a repeated header can reach."""

    @property
    def last_page(self) -> int:
        return self.parts[-1].page

    def fits(self, part: _Part) -> bool:
        """Same outer edges, and one set of column edges contained in the other."""
        mine, theirs = self.edges, part.xs
        if abs(mine[0] - theirs[0]) > EDGE_TOL or abs(mine[-1] - theirs[-1]) > EDGE_TOL:
            return False
        small, large = (mine, theirs) if len(mine) <= len(theirs) else (theirs, mine)
        return all(min(abs(x - y) for y in large) <= EDGE_TOL for x in small)

    def append(self, part: _Part) -> None:
        """Append a continuation part.

        1. Repeated header: the largest k such that the part's first k rows equal the table's first k
           rows (same cells on the unified grid, same whitespace-free text, at least one non-empty) are
           dropped.
        2. Row split by the page break: the table's last row and the part's first row are one logical row
           when both rows have the same cell boundaries and either the previous part had no rule under its
           last row (see ``_closing_rules``) or, by text, the part's row has some text and among the
           one-row-high cells at least one is non-empty above and empty below (numbers never wrap, so a
           split row leaves its short cells empty on the second page) while none is empty above and
           non-empty below (that pattern is two rows with blank cells). The cells are merged pairwise:
           texts joined with a line break, spans added.
        3. Otherwise the part's rows follow. A vertically merged cell cut by the break (the part's cell
           is empty, the one above has text, and one of them spans several rows) continues the cell
           above: it is dropped and its rows are added to that cell's rowspan. An empty one-row cell is
           never merged, since it may be a blank value.
        """
        self.edges = cluster(self.edges + part.xs, EDGE_TOL)
        edges = self.edges

        def span(c: _PCell) -> tuple[int, int]:
            return _nearest(edges, c.x0), _nearest(edges, c.x1)

        cells = [_PCell(c.text, c.row, c.x0, c.x1, c.rowspan, c.page, c.conf) for c in part.cells]
        n_rows = len(part.ys) - 1
        k = self._repeated_header(cells, n_rows, span)
        if k:
            cells = [c for c in cells if c.row >= k]
            for c in cells:
                c.row -= k
            n_rows -= k
        self.parts.append(part)
        if n_rows <= 0 or not cells:
            return
        last_row = self.n_rows - 1
        above = {span(c): c for c in self.cells if c.row <= last_row < c.row + c.rowspan}
        below = {span(c): c for c in cells if c.row == 0}
        aligned = set(above) == set(below)
        if aligned and (self.parts[-2].open_bottom or _is_split_row(above, below, last_row)):
            offset = last_row
            for key, b in below.items():
                a = above[key]
                a.text = f"{a.text}\n{b.text}" if a.text and b.text else a.text or b.text
                a.rowspan += b.rowspan - 1
                a.conf = _min_conf(a.conf, b.conf)
            rest = [c for c in cells if c.row > 0]
        else:
            offset = last_row + 1
            merged: set[int] = set()
            for key, b in below.items():
                a = above.get(key)
                if a is not None and a.text and not b.text and (a.rowspan > 1 or b.rowspan > 1):
                    a.rowspan += b.rowspan
                    a.conf = _min_conf(a.conf, b.conf)
                    merged.add(id(b))
            rest = [c for c in cells if id(c) not in merged]
        for c in rest:
            c.row += offset
        self.cells.extend(rest)
        self.n_rows = offset + n_rows

    def _repeated_header(self, cells: list[_PCell], n_rows: int, span: Any) -> int:
        for k in range(min(self.head_rows, n_rows), 0, -1):
            if any(c.row < k < c.row + c.rowspan for c in self.cells if c.row < self.head_rows):
                continue
            mine = sorted((c.row, *span(c), c.rowspan, _norm(c.text)) for c in self.cells if c.row < k)
            theirs = sorted((c.row, *span(c), c.rowspan, _norm(c.text)) for c in cells if c.row < k)
            if mine == theirs and any(t[-1] for t in mine):
                return k
        return 0

    def to_table(self, index: int) -> Table:
        edges = self.edges
        rows: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for c in sorted(self.cells, key=lambda c: (c.row, c.x0)):
            c0, c1 = _nearest(edges, c.x0), _nearest(edges, c.x1)
            rows[c.row].append(
                Cell(
                    text=c.text,
                    row=c.row,
                    col=c0,
                    rowspan=c.rowspan,
                    colspan=max(c1 - c0, 1),
                    page=c.page,
                    confidence=c.conf,
                )
            )
        pages = tuple(sorted({p.page for p in self.parts}))
        return Table(rows=rows, grid="exact", pages=pages, index=index)


def _min_conf(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    return a if b is None else min(a, b)


def _is_split_row(
    above: dict[tuple[int, int], _PCell], below: dict[tuple[int, int], _PCell], last_row: int
) -> bool:
    """Text-based test for a row cut by a page break (see ``_TableBuilder.append``, step 2)."""
    if not any(b.text for b in below.values()):
        return False
    evidence = False
    for key, b in below.items():
        a = above[key]
        if a.row != last_row or a.rowspan != 1 or b.rowspan != 1:
            continue
        if b.text and not a.text:
            return False
        if a.text and not b.text:
            evidence = True
    return evidence
