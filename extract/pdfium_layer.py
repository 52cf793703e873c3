"""The text layer and the ruling lines of PDF pages from pdfium, as the records pdfplumber would make.

pdfplumber gets a page's characters and lines by having pdfminer interpret the content stream in Python
and turning every glyph into a dict; for the reports this pipeline reads that is three quarters of the
parse time. pdfium (through pypdfium2, which pdfplumber already depends on) parses the same stream in C.
This module reads from pdfium what ``extract.pdf`` needs and builds it the way pdfplumber does, so the
reader's rules see the same input whichever library parsed the page:

- **chars**: ``text``, ``x0``, ``x1``, ``top``, ``bottom``, ``doctop``, ``size``, ``fontname``,
  ``upright``, in content-stream order. The box is pdfminer's: it runs from the glyph origin over the
  advance width, and from the font's descriptor ``/Descent`` below the baseline up one font size (not
  pdfium's own boxes, which use other font metrics). Coordinates come out of pdfium as 32-bit floats;
  each is rounded to the decimals a 32-bit float can hold at its magnitude, which gives back the
  number written in the content stream (``714.589``) when it had no more decimals than that. The box
  is then computed with pdfminer's own double arithmetic, so a size of 10.5 pt is 10.5 on both paths,
  or off in the same last bit.
- **edges**: path objects become pdfminer's lines, rectangles and curves by pdfminer's rules (subpaths,
  ``re`` as ``m l l l h``, a closed axis-aligned four-sided path is a rectangle), then pdfplumber's own
  ``line_to_edge``/``rect_to_edges``/``curve_to_edges`` turn them into the table finder's edges, in
  pdfplumber's order (lines, then rectangle edges, then curve edges).
- **images**: bounding box and pixel size of image objects (scan detection, OCR regions).

pdfium's text page is built for selecting text, not for layout, and differs from pdfminer's glyph list
in ways this module either undoes or detects. Undone: characters it generates (spaces, line breaks) are
dropped; one glyph that maps to several code points (split by pdfium) is one char again; the order is
the content stream's. Detected, and the page is then left to pdfplumber (``page`` returns ``None`` with
the reason): a text object pdfium left out (it drops one that repeats a nearby one, as fake bold does,
and objects narrower than 0.01 pt), text that is not upright, a glyph without a Unicode mapping (pdfminer
writes ``(cid:N)``), a hyphen pdfium rewrote at a line end, right-to-left text (pdfium reorders and
mirrors it), a ligature pdfium decomposed, marked content with ``/ActualText`` (pdfium substitutes it),
fonts pdfminer would measure differently (Type 3, vertical writing, a font whose name the page resources
do not resolve to one descriptor), a rotated page or one whose MediaBox does not start at the origin.
Also left to pdfplumber, so that its limits and error messages still apply: a page whose content
streams inflate beyond ``MAX_CONTENT``, whose content, forms and fonts together beyond ``MAX_INFLATED``,
or any of which cannot be inflated (pdfium aborts the whole process when an allocation fails, where
pdfminer raises ``MemoryError`` or reports the damage), and a page pdfium cannot load.

pdfium is not thread-safe, across documents too: this module's calls hold ``_PDFIUM_LOCK`` (uncontended
in the parser workers, one thread each), so threads sharing a process take turns; pypdfium2's own
helpers (the OCR renderer) do not take it, so a process should not render in one thread while another
reads. Processes each load their own documents. Every handle is closed when the page is done and the
document when the layer is closed (flat RSS over 1,000 documents: benchmarks/pdf_reader.py rss).
"""

from __future__ import annotations

import ctypes
import itertools
import math
import re
import threading
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2  # noqa: F401  (initialises the pdfium library once per process)
import pypdfium2_raw
from pdfminer.fontmetrics import FONT_METRICS
from pdfminer.psparser import PSLiteral
from pdfplumber.utils.geometry import curve_to_edges, line_to_edge, rect_to_edges

MAX_CONTENT = 1 * 2**20
"""Bytes of decoded content streams (the page's and its forms') above which a page is left to pdfminer.
pdfium holds about 110 bytes per byte of glyph-dense content (a page of a million glyphs: 1 MB of
content, 125 MB in pdfium) and aborts the process when an allocation fails, so this keeps the worst page
pdfium sees well inside the parser workers' memory cap; pdfminer then fails such a page gracefully, as
before. The corpus's largest page has 17 kB of content."""
MAX_INFLATED = 48 * 2**20
"""Bytes of everything pdfium decodes for a page (content, font programs, CMaps) above which it is
left to pdfminer: a font program of a full CJK font is 10–20 MB."""

# --------------------------------------------------------------------------------------------------
# pdfium entry points, declared here with plain pointer types (addresses as ints: cheap to compare and
# to use as keys) rather than through pypdfium2's helpers, which wrap every call in Python objects.

_LIB = ctypes.CDLL(str(Path(pypdfium2_raw.__file__).with_name("libpdfium.so")))
_P = ctypes.c_void_p
_INT = ctypes.c_int
_FLOAT_P = ctypes.POINTER(ctypes.c_float)
_DOUBLE_P = ctypes.POINTER(ctypes.c_double)


class _Matrix(ctypes.Structure):
    _fields_ = [(k, ctypes.c_float) for k in "abcdef"]


class _RectF(ctypes.Structure):
    _fields_ = [
        ("left", ctypes.c_float),
        ("top", ctypes.c_float),
        ("right", ctypes.c_float),
        ("bottom", ctypes.c_float),
    ]


def _fn(name: str, restype: Any, *argtypes: Any) -> Any:
    f = getattr(_LIB, name)
    f.restype = restype
    f.argtypes = argtypes
    return f


_LoadDocument = _fn("FPDF_LoadDocument", _P, ctypes.c_char_p, ctypes.c_char_p)
_CloseDocument = _fn("FPDF_CloseDocument", None, _P)
_GetLastError = _fn("FPDF_GetLastError", ctypes.c_ulong)
_GetPageCount = _fn("FPDF_GetPageCount", _INT, _P)
_LoadPage = _fn("FPDF_LoadPage", _P, _P, _INT)
_ClosePage = _fn("FPDF_ClosePage", None, _P)
_PageWidth = _fn("FPDF_GetPageWidthF", ctypes.c_float, _P)
_PageHeight = _fn("FPDF_GetPageHeightF", ctypes.c_float, _P)
_TextLoadPage = _fn("FPDFText_LoadPage", _P, _P)
_TextClosePage = _fn("FPDFText_ClosePage", None, _P)
_CountChars = _fn("FPDFText_CountChars", _INT, _P)
_GetUnicode = _fn("FPDFText_GetUnicode", ctypes.c_uint, _P, _INT)
_IsGenerated = _fn("FPDFText_IsGenerated", _INT, _P, _INT)
_HasUnicodeMapError = _fn("FPDFText_HasUnicodeMapError", _INT, _P, _INT)
_GetText = _fn("FPDFText_GetText", _INT, _P, _INT, _INT, _P)
_GetTextObject = _fn("FPDFText_GetTextObject", _P, _P, _INT)
_GetCharOrigin = _fn("FPDFText_GetCharOrigin", _INT, _P, _INT, _DOUBLE_P, _DOUBLE_P)
_GetLooseCharBox = _fn("FPDFText_GetLooseCharBox", _INT, _P, _INT, ctypes.POINTER(_RectF))
_GetCharMatrix = _fn("FPDFText_GetMatrix", _INT, _P, _INT, ctypes.POINTER(_Matrix))
_CountObjects = _fn("FPDFPage_CountObjects", _INT, _P)
_GetObject = _fn("FPDFPage_GetObject", _P, _P, _INT)
_FormCountObjects = _fn("FPDFFormObj_CountObjects", _INT, _P)
_FormGetObject = _fn("FPDFFormObj_GetObject", _P, _P, ctypes.c_ulong)
_ObjGetType = _fn("FPDFPageObj_GetType", _INT, _P)
_ObjGetMatrix = _fn("FPDFPageObj_GetMatrix", _INT, _P, ctypes.POINTER(_Matrix))
_ObjGetBounds = _fn("FPDFPageObj_GetBounds", _INT, _P, _FLOAT_P, _FLOAT_P, _FLOAT_P, _FLOAT_P)
_ObjCountMarks = _fn("FPDFPageObj_CountMarks", _INT, _P)
_ObjGetMark = _fn("FPDFPageObj_GetMark", _P, _P, ctypes.c_ulong)
_MarkCountParams = _fn("FPDFPageObjMark_CountParams", _INT, _P)
_MarkGetParamKey = _fn(
    "FPDFPageObjMark_GetParamKey",
    _INT,
    _P,
    ctypes.c_ulong,
    _P,
    ctypes.c_ulong,
    ctypes.POINTER(ctypes.c_ulong),
)
_TextObjGetFont = _fn("FPDFTextObj_GetFont", _P, _P)
_FontGetIsEmbedded = _fn("FPDFFont_GetIsEmbedded", _INT, _P)
_FontGetFontData = _fn("FPDFFont_GetFontData", _INT, _P, _P, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t))
_FontGetBaseFontName = _fn("FPDFFont_GetBaseFontName", ctypes.c_size_t, _P, ctypes.c_char_p, ctypes.c_size_t)
_PathCountSegments = _fn("FPDFPath_CountSegments", _INT, _P)
_PathGetSegment = _fn("FPDFPath_GetPathSegment", _P, _P, _INT)
_PathGetDrawMode = _fn("FPDFPath_GetDrawMode", _INT, _P, ctypes.POINTER(_INT), ctypes.POINTER(_INT))
_SegGetPoint = _fn("FPDFPathSegment_GetPoint", _INT, _P, _FLOAT_P, _FLOAT_P)
_SegGetType = _fn("FPDFPathSegment_GetType", _INT, _P)
_SegGetClose = _fn("FPDFPathSegment_GetClose", _INT, _P)
_ImageGetPixelSize = _fn(
    "FPDFImageObj_GetImagePixelSize", _INT, _P, ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint)
)


def _hot(name: str, restype: Any) -> Any:
    """An entry point called once per character, declared without argument types: ctypes then skips
    converting each argument (a third of the time of such a call). Callers pass handles as
    ``c_void_p``, indexes as ints and outputs by ``byref`` (nothing else is safe without argtypes)."""
    f = getattr(ctypes.CDLL(_LIB._name), name)
    f.restype = restype
    return f


_HOT_UNICODE = _hot("FPDFText_GetUnicode", ctypes.c_uint)
_HOT_GENERATED = _hot("FPDFText_IsGenerated", _INT)
_HOT_MAP_ERROR = _hot("FPDFText_HasUnicodeMapError", _INT)
_HOT_TEXT_OBJECT = _hot("FPDFText_GetTextObject", ctypes.c_size_t)
_HOT_ORIGIN = _hot("FPDFText_GetCharOrigin", _INT)
_FontGetGlyphWidth = _hot("FPDFFont_GetGlyphWidth", _INT)  # font as c_void_p, size as c_float

_PDFIUM_LOCK = threading.Lock()
"""Held around every use of a document's handles (see the module docstring)."""

_TEXT, _PATH, _IMAGE, _FORM = 1, 2, 3, 5
_LINETO, _BEZIERTO, _MOVETO = 0, 1, 2
_ERR_PASSWORD = 4
_GENERATED_CANDIDATES = frozenset(" \r\n")

# --------------------------------------------------------------------------------------------------
# Numbers


def _digits_for_exponent(exp: int) -> int | None:
    """Decimals a float32 of binary exponent ``exp`` (value = m·2^exp, 0.5 ≤ m < 1) holds exactly: the
    largest k with 10^-k above its unit in the last place, so rounding to k decimals undoes the float32
    conversion of any number written with at most k decimals."""
    ulp = 2.0 ** (exp - 24)
    if ulp >= 1:
        return None
    return math.floor(-math.log10(ulp) - 1e-12)


_DIGITS = {e: _digits_for_exponent(e) for e in range(-160, 160)}


_REC_MEMO: dict[float, float] = {}


def _rec(v: float) -> float:
    """The decimal number a float32 from pdfium most likely stood for (see the module docstring).
    Memoised (bounded): line positions, sizes and matrix entries repeat all over a document."""
    out = _REC_MEMO.get(v)
    if out is None:
        if v == 0.0 or not math.isfinite(v):
            out = v + 0.0
        else:
            digits = _DIGITS.get(math.frexp(v)[1])
            out = v if digits is None else round(v, digits)
        if len(_REC_MEMO) >= 1 << 16:
            _REC_MEMO.clear()
        _REC_MEMO[v] = out
    return out


def _rec_at(v: float, ref: float) -> float:
    """``_rec`` for a difference of two float32 values: rounded at the precision of ``ref``, the larger
    of them, whose rounding error the difference carries."""
    if v == 0.0 or not math.isfinite(v) or not math.isfinite(ref) or ref == 0.0:
        return v + 0.0
    digits = _DIGITS.get(math.frexp(max(abs(ref), abs(v)))[1])
    return v if digits is None else round(v, digits)


def _mult(m1: tuple[float, ...], m0: tuple[float, ...]) -> tuple[float, ...]:
    """pdfminer's ``mult_matrix``: ``m1`` then ``m0``."""
    a1, b1, c1, d1, e1, f1 = m1
    a0, b0, c0, d0, e0, f0 = m0
    return (
        a0 * a1 + c0 * b1,
        b0 * a1 + d0 * b1,
        a0 * c1 + c0 * d1,
        b0 * c1 + d0 * d1,
        a0 * e1 + c0 * f1 + e0,
        b0 * e1 + d0 * f1 + f0,
    )


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

# --------------------------------------------------------------------------------------------------
# Fonts, as pdfminer measures them (from the PDF objects pdfminer has already parsed for the page tree)


@dataclass(frozen=True, slots=True)
class _Font:
    fontname: str
    descent: float
    """pdfminer's ``get_descent()``: the descriptor's /Descent (forced negative) in text space."""
    standard: str | None = None
    """For the 14 standard fonts: pdfminer's metrics table (it ignores /Widths and looks the width up by
    the character's text; pdfium uses its own widths of those fonts, which must then agree)."""


def _literal(v: Any) -> Any:
    return v.name if isinstance(v, PSLiteral) else v


def _font_name(descriptor: dict[str, Any]) -> str:
    from pdfminer.pdftypes import resolve1

    name = _literal(resolve1(descriptor.get("FontName", "unknown")))
    if isinstance(name, bytes):
        name = name.decode("latin-1")
    return str(name)


def _descent(descriptor: dict[str, Any]) -> float:
    from pdfminer.pdftypes import num_value

    descent = num_value(descriptor.get("Descent", 0))
    return (-descent if descent > 0 else descent) * 0.001


def _font_info(spec: dict[str, Any]) -> _Font | None:
    """Name and descent of a font the way pdfminer's font classes take them, or None for fonts this
    module does not handle (Type 3, vertical writing, unknown subtypes) or whose glyphs pdfminer and
    pdfium might map to different text (no ToUnicode and no standard encoding)."""
    from pdfminer.pdftypes import PDFStream, dict_value, list_value, resolve1

    subtype = _literal(resolve1(spec.get("Subtype")))
    has_tounicode = isinstance(resolve1(spec.get("ToUnicode")), PDFStream)
    if subtype == "Type0":
        encoding = resolve1(spec.get("Encoding"))
        if isinstance(encoding, PDFStream):
            if resolve1(encoding.attrs.get("WMode", 0)) == 1:
                return None
        elif not isinstance(encoding, PSLiteral) or encoding.name.endswith("-V"):
            return None
        descendants = list_value(spec.get("DescendantFonts", []))
        if not descendants:
            return None
        sub = dict_value(descendants[0])
        if _literal(resolve1(sub.get("Subtype"))) not in ("CIDFontType0", "CIDFontType2"):
            return None
        if not has_tounicode:
            info = dict_value(sub.get("CIDSystemInfo", {}))
            registry, ordering = resolve1(info.get("Registry", b"")), resolve1(info.get("Ordering", b""))
            if registry != b"Adobe" or ordering not in (b"GB1", b"CNS1", b"Japan1", b"Korea1"):
                return None
        descriptor = dict_value(sub.get("FontDescriptor", {}))
        return _Font(_font_name(descriptor), _descent(descriptor))
    if subtype in ("Type1", "MMType1", "TrueType"):
        basefont = _literal(resolve1(spec.get("BaseFont")))
        if basefont in FONT_METRICS:
            descriptor = FONT_METRICS[basefont][0]
            return _Font(_font_name(descriptor), _descent(descriptor), basefont)
        else:
            descriptor = dict_value(spec.get("FontDescriptor", {}))
            encoding = resolve1(spec.get("Encoding"))
            standard = isinstance(encoding, PSLiteral) or (
                isinstance(encoding, dict) and "Differences" in encoding
            )
            if not has_tounicode and not standard:
                return None
        return _Font(_font_name(descriptor), _descent(descriptor))
    return None


# --------------------------------------------------------------------------------------------------
# Streams a page makes pdfium decode


class _TooLarge(Exception):
    pass


_ACTUAL_TEXT = b"/ActualText"
_TEXT_OPS = re.compile(
    rb"(\(\)\s*Tj|<\s*>\s*Tj|\[[^\](<]*\]\s*TJ)"  # showing nothing: pdfium makes no text object of it
    rb"|(?:(?<=[\s)\]>])|^)(T[jJ]|['\"]|T[dDm*]|BT)(?=[\s\[(</]|$)"
)
"""Text-showing operators (Tj, TJ, ', ") and those that set the line (Td, TD, Tm, T*, BT), as found in
the decoded content. Each showing operator that shows something is one text object in pdfium: their
count shows a page whose text pdfium did not take in (a font it could not load, or another page than
pdfminer's under the same number in a damaged page tree). Whether a showing operator follows another
with no line set between tells ``_positions`` that pdfminer's walk goes on from the previous one. A
string or array that fools these patterns only makes the count disagree: the page is then pdfminer's."""


def _show_ops(data: bytes) -> list[bool]:
    """For each text-showing operator of a content stream: whether it continues the previous one's
    line (no Td/TD/Tm/T*/BT since; never for the first of a stream, nor for ' and ", which move)."""
    out: list[bool] = []
    positioned = True
    for empty, op in _TEXT_OPS.findall(data):
        if empty:
            continue
        if op in (b"Tj", b"TJ"):
            out.append(not positioned)
            positioned = False
        elif op in (b"'", b'"'):
            out.append(False)
            positioned = False
        else:
            positioned = True
    return out


def _inflate(stream: Any, budget: int, scan: bool) -> tuple[int, int, bool, list[bool]]:
    """Decoded size and CRC-32 of a pdfminer stream, whether it names ``/ActualText``, and its
    text-showing operators (``_show_ops``), computed without holding the data; raises ``_TooLarge``
    past ``budget`` or when the stream does not inflate (pdfminer's own reading then decides what the
    page is)."""
    if stream.data is not None:
        data = stream.data
        if len(data) > budget:
            raise _TooLarge
        return len(data), zlib.crc32(data), scan and _ACTUAL_TEXT in data, _show_ops(data) if scan else []
    data = stream.rawdata or b""
    if stream.decipher:
        data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
    filters = [_literal(f) for f, _ in stream.get_filters()]
    if not filters:
        if len(data) > budget:
            raise _TooLarge
        return len(data), zlib.crc32(data), scan and _ACTUAL_TEXT in data, _show_ops(data) if scan else []
    if filters not in (["FlateDecode"], ["Fl"]):
        raise _TooLarge
    inflater = zlib.decompressobj()
    size = crc = 0
    parts: list[bytes] = []
    try:
        while data:
            chunk = inflater.decompress(data, 1 << 20)
            size += len(chunk)
            crc = zlib.crc32(chunk, crc)
            if size > budget:
                raise _TooLarge
            if scan:
                parts.append(chunk)
            data = inflater.unconsumed_tail
        chunk = inflater.flush()
    except zlib.error as exc:
        raise _TooLarge from exc
    if not inflater.eof:
        raise _TooLarge
    size, crc = size + len(chunk), zlib.crc32(chunk, crc)
    if not scan:  # a font program or CMap: counted, never held
        return size, crc, False, []
    parts.append(chunk)
    decoded = b"".join(parts)  # content: at most ``MAX_CONTENT`` bytes, held until this returns
    return size, crc, _ACTUAL_TEXT in decoded, _show_ops(decoded)


_SUBSET = re.compile(r"^[A-Z]{6}\+")


class _Resources:
    """The fonts of one page (by their embedded program, else by name) and the decoded size of all
    that pdfium reads for it."""

    def __init__(self, seen: dict[int, tuple[int, int, bool, list[bool]]]) -> None:
        self.by_program: dict[tuple[int, int], _Font | None] = {}
        self.by_name: dict[str, _Font | None] = {}
        self.inflated = 0
        self.content = 0
        self.show_ops: list[bool] = []
        """The text-showing operators of the page's own content streams (forms not counted): whether
        each continues the previous one's line (see ``_show_ops``)."""
        self.actual_text = False
        """Some content stream or marked-content property of the page names /ActualText: only then
        are text objects checked for it one by one."""
        self._seen = seen
        self._visited: set[int] = set()

    def add_stream(
        self, ref_or_stream: Any, content: bool = False, page: bool = False
    ) -> tuple[int, int] | None:
        from pdfminer.pdftypes import PDFObjRef, PDFStream, resolve1

        objid = ref_or_stream.objid if isinstance(ref_or_stream, PDFObjRef) else None
        stream = resolve1(ref_or_stream)
        if not isinstance(stream, PDFStream):
            return None
        objid = objid or stream.objid
        if objid is not None and objid in self._seen:
            digest = self._seen[objid]
        else:
            budget = (MAX_CONTENT - self.content) if content else (MAX_INFLATED - self.inflated)
            digest = _inflate(stream, budget, scan=content)
            if objid is not None:
                self._seen[objid] = digest
        self.inflated += digest[0]
        if content:
            self.content += digest[0]
        if self.inflated > MAX_INFLATED or self.content > MAX_CONTENT:
            raise _TooLarge
        self.actual_text = self.actual_text or (content and digest[2])
        if page:
            self.show_ops.extend(digest[3])
        return digest[0], digest[1]

    @staticmethod
    def _put(table: dict[Any, _Font | None], key: Any, info: _Font | None) -> None:
        if key in table and table[key] != info:
            info = None  # one program or name, measured two ways: pdfium cannot tell which applies
        table[key] = info

    def add(self, resources: Any, depth: int = 0) -> None:
        from pdfminer.pdftypes import PDFStream, dict_value, list_value, resolve1

        resources = dict_value(resources)
        if id(resources) in self._visited or depth > 8:
            return
        self._visited.add(id(resources))
        for ref in dict_value(resources.get("Font", {})).values():
            spec = dict_value(ref)
            info = _font_info(spec)
            program = None
            for holder in [spec, *[dict_value(d) for d in list_value(spec.get("DescendantFonts", []))]]:
                descriptor = dict_value(holder.get("FontDescriptor", {}))
                for key in ("FontFile", "FontFile2", "FontFile3"):
                    if key in descriptor:
                        program = self.add_stream(descriptor[key]) or program
            for key in ("ToUnicode", "Encoding"):
                self.add_stream(spec.get(key))
            if program is not None:
                self._put(self.by_program, program, info)
            else:
                basefont = _literal(resolve1(spec.get("BaseFont")))
                if isinstance(basefont, bytes):
                    basefont = basefont.decode("latin-1")
                self._put(self.by_name, _SUBSET.sub("", str(basefont)), info)
        for ref in dict_value(resources.get("Properties", {})).values():
            prop = resolve1(ref)
            if isinstance(prop, dict) and "ActualText" in prop:
                self.actual_text = True
        for ref in dict_value(resources.get("XObject", {})).values():
            xobj = resolve1(ref)
            if isinstance(xobj, PDFStream) and _literal(resolve1(xobj.attrs.get("Subtype"))) == "Form":
                self.add_stream(ref, content=True)
                if "Resources" in xobj.attrs:
                    self.add(xobj.attrs["Resources"], depth + 1)


# --------------------------------------------------------------------------------------------------
# The layer


@dataclass(slots=True)
class PageObjects:
    """What ``extract.pdf`` reads of a page, in pdfplumber's shapes."""

    chars: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    images: list[dict[str, Any]]


@dataclass(slots=True)
class _Walk:
    """Page objects in content order, with what the checks need."""

    text_objects: dict[int, int] = field(default_factory=dict)
    """Text object address → position in content order."""
    page_text_objects: int = 0
    """Text objects of the page's own content (not inside forms)."""
    page_index: dict[int, int] = field(default_factory=dict)
    """Text object address → its position among the page's own text objects."""
    lines: list[dict[str, Any]] = field(default_factory=list)
    rects: list[dict[str, Any]] = field(default_factory=list)
    curves: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None


class Layer:
    """One PDF opened in pdfium; ``page`` reads one page at a time (close it, or use ``with``)."""

    def __init__(self, path: Path) -> None:
        with _PDFIUM_LOCK:
            self._doc = _LoadDocument(str(path).encode("utf-8"), None)
        if not self._doc:
            code = _GetLastError()
            raise OSError(f"pdfium cannot open the file (error {code})")
        self._fonts: dict[int, _Font | None] = {}
        self._streams: dict[int, tuple[int, int, bool, list[bool]]] = {}
        self.fallbacks: dict[str, int] = {}
        """Why pages were left to pdfplumber (reason → pages), for benchmarks and tests."""

    def __enter__(self) -> Layer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._doc:
            with _PDFIUM_LOCK:
                _CloseDocument(self._doc)
            self._doc = None

    def agrees(self, pages: int) -> bool:
        """Whether pdfium sees as many pages as pdfminer; if not (a damaged page tree the two read
        differently), page numbers may not name the same pages and the layer must not be used."""
        with _PDFIUM_LOCK:
            return _GetPageCount(self._doc) == pages

    def page(self, index: int, plumber_page: Any) -> PageObjects | None:
        """The chars, edges and images of page ``index`` (0-based), or None when the page must be read by
        pdfplumber (``fallbacks`` counts why). ``plumber_page`` is pdfplumber's page of the same index:
        its page dictionary, size and document offset are the reference for the coordinates."""
        reason = self._unsupported_page(plumber_page)
        resources = None
        if reason is None:
            resources = _Resources(self._streams)
            try:
                resources.add(plumber_page.page_obj.resources or {})
                for ref in _content_refs(plumber_page.page_obj):
                    resources.add_stream(ref, content=True, page=True)
            except _TooLarge:
                reason = "streams too large or not inflatable"
            except Exception:  # noqa: BLE001 - damaged resources: pdfminer's own reading decides
                reason = "resources unreadable"
        if reason is None:
            assert resources is not None
            with _PDFIUM_LOCK:
                page = _LoadPage(self._doc, index)
                if not page:
                    result: PageObjects | str = "pdfium cannot load the page"
                else:
                    try:
                        result = self._read(page, plumber_page, resources)
                    finally:
                        _ClosePage(page)
                if isinstance(result, str):
                    reason = result
                else:
                    return result
        self.fallbacks[reason] = self.fallbacks.get(reason, 0) + 1
        return None

    @staticmethod
    def _unsupported_page(plumber_page: Any) -> str | None:
        if plumber_page.rotation:
            return "rotated page"
        if plumber_page.mediabox[0] != 0 or plumber_page.mediabox[1] != 0:
            return "MediaBox not at the origin"
        from pdfminer.pdftypes import resolve1

        raw = resolve1(plumber_page.page_obj.attrs.get("MediaBox"))
        if not isinstance(raw, list) or len(raw) != 4 or resolve1(raw[0]) != 0 or resolve1(raw[1]) != 0:
            return "MediaBox not at the origin"
        return None

    # ---- one page ---------------------------------------------------------------------------------

    def _read(self, page: int, plumber_page: Any, resources: _Resources) -> PageObjects | str:
        height = plumber_page.height
        if abs(_PageWidth(page) - plumber_page.width) > 0.01 or abs(_PageHeight(page) - height) > 0.01:
            return "pdfium's page differs from pdfminer's"
        doctop0 = plumber_page.initial_doctop
        walk = _Walk()
        self._fonts.clear()
        _walk(page, _CountObjects, _GetObject, _IDENTITY, walk, height, doctop0, 0)
        if walk.reason:
            return walk.reason
        if walk.page_text_objects != len(resources.show_ops):
            return "text operators and pdfium's text objects disagree"
        textpage = _TextLoadPage(page)
        if not textpage:
            return "pdfium cannot read the text"
        try:
            chars = self._chars(textpage, walk, resources, height, doctop0)
        finally:
            _TextClosePage(textpage)
        if isinstance(chars, str):
            return chars
        edges = [line_to_edge(x) for x in walk.lines]
        for r in walk.rects:
            edges.extend(rect_to_edges(r))
        for c in walk.curves:
            edges.extend(curve_to_edges(c))
        return PageObjects(chars=chars, edges=edges, images=walk.images)

    def _font(self, font: int, resources: _Resources) -> _Font | None:
        """pdfminer's measure of a pdfium font handle: found by its embedded program (size and CRC-32
        of the decoded font file), else by its name without the subset tag. Cached per page: handles
        may be reused once a page closes."""
        if font in self._fonts:
            return self._fonts[font]
        size = ctypes.c_size_t()
        info: _Font | None = None
        if _FontGetIsEmbedded(font) == 1 and _FontGetFontData(font, None, 0, ctypes.byref(size)):
            buf = ctypes.create_string_buffer(size.value)
            if _FontGetFontData(font, buf, size.value, ctypes.byref(size)):
                info = resources.by_program.get((size.value, zlib.crc32(buf.raw[: size.value])))
        else:
            buf = ctypes.create_string_buffer(256)
            n = _FontGetBaseFontName(font, buf, 256)
            if 0 < n <= 256:
                info = resources.by_name.get(buf.raw[: n - 1].decode("latin-1"))
        self._fonts[font] = info
        return info

    def _chars(
        self, tp: int, walk: _Walk, resources: _Resources, height: float, doctop0: float
    ) -> list[dict[str, Any]] | str:
        n = _CountChars(tp)
        if n < 0:
            return "pdfium cannot read the text"
        tpv = ctypes.c_void_p(tp)  # hot calls take ready-made arguments (see _hot)
        x, y = ctypes.c_double(), ctypes.c_double()
        rect, mat = _RectF(), _Matrix()
        px, py = ctypes.byref(x), ctypes.byref(y)
        prect, pmat = ctypes.byref(rect), ctypes.byref(mat)
        order = walk.text_objects
        objects: dict[int, _Run] = {}
        tables: dict[tuple[int, float], tuple[ctypes.c_void_p, dict[int, float]]] = {}
        w = ctypes.c_float()
        pw = ctypes.byref(w)
        em = ctypes.c_float(1000.0)
        text = _page_text(tp, n)
        get_unicode, is_generated, map_error = _HOT_UNICODE, _HOT_GENERATED, _HOT_MAP_ERROR
        text_object, origin = _HOT_TEXT_OBJECT, _HOT_ORIGIN
        prev_obj = prev_x = prev_y = None
        run: _Run | None = None
        for i in range(n):
            if text is not None:
                ch = text[i]
                u = ord(ch)
            else:
                u = get_unicode(tpv, i)
                ch = chr(u) if u < 0x110000 else "\ufffd"
            if ch in _GENERATED_CANDIDATES and is_generated(tpv, i):
                prev_obj = None
                continue
            if map_error(tpv, i):
                return "a glyph without Unicode mapping"
            if u < 0x20 and ch not in "\t\r\n" or u in (0xFFFE, 0xFFFF):
                return "a character pdfium rewrote (hyphen or control code)"
            if u >= 0x590 and unicodedata.bidirectional(ch) in ("R", "AL", "AN"):
                return "right-to-left text"
            obj = text_object(tpv, i)
            if obj != prev_obj or run is None:
                run = objects.get(obj)
                if run is None:
                    if not obj or obj not in order:
                        return "a character outside the page's text objects"
                    run_or_reason = self._run(obj, tp, i, pmat, resources, tables)
                    if isinstance(run_or_reason, str):
                        return run_or_reason
                    run = objects[obj] = run_or_reason
            origin(tpv, i, px, py)
            xv, yv = x.value, y.value
            if obj == prev_obj and xv == prev_x and yv == prev_y:
                return "two glyphs at one origin (or one glyph that maps to several characters)"
            prev_obj, prev_x, prev_y = obj, xv, yv
            # The advance as pdfminer computes it: the font's declared width (thousandths of an em)
            # times the size. ``FPDFFont_GetGlyphWidth`` gives the declared width of the code pdfium
            # maps the character back to; pdfium's loose box (which it widens to the glyph's ink) must
            # then contain it. Checked once per glyph of a font and size.
            width = run.widths.get(u)
            if width is None:
                if not _FontGetGlyphWidth(run.font, u, em, pw):
                    return "no glyph width"
                width = run.widths[u] = _rec(w.value)
                if run.info.standard is not None:
                    metrics = FONT_METRICS[run.info.standard]
                    if metrics[1].get(ch, metrics[0].get("MissingWidth", 0)) != width:
                        return "a standard font measured differently"
                _GetLooseCharBox(tp, i, prect)
                loose = (rect.right - rect.left) / run.a / run.size * 1000
                if loose < width - 0.01 or (width <= 0 < loose):
                    return "a glyph width pdfium does not confirm"
            run.glyphs.append((xv, yv, width * 0.001 * run.size * 1.0, ch))
        if len(objects) != len(order):
            return "a text object pdfium left out"
        out: list[dict[str, Any]] = []
        carry: tuple[float, float, float, float] | None = None
        continues = resources.show_ops
        for obj in sorted(objects, key=order.__getitem__):
            run = objects[obj]
            k = walk.page_index.get(obj)
            if k is None or not continues[k]:
                carry = None
            a, d, fs, info = run.a, run.d, run.size, run.info
            dsc = info.descent * fs
            glyphs = run.glyphs
            run_y = glyphs[0][1]
            run_f = _rec(run_y)
            xs, carry = _positions(glyphs, a, fs, carry)
            for (_x, raw_y, adv, ch), e in zip(glyphs, xs, strict=True):
                f = run_f if raw_y == run_y else _rec(raw_y)
                # pdfminer's LTChar box: (0, descent) – (adv, descent + size) in glyph space, through
                # the char matrix (a, 0, 0, d, e, f); then pdfplumber's flip to top-down coordinates.
                y0, y1 = d * dsc + f, d * (dsc + fs) + f
                top = (height - y1) + 0
                out.append(
                    {
                        "text": ch,
                        "fontname": info.fontname,
                        "size": y1 - y0,
                        "upright": True,
                        "x0": e,
                        "x1": a * adv + e,
                        "y0": y0,
                        "y1": y1,
                        "top": top,
                        "bottom": (height - y0) + 0,
                        "doctop": doctop0 + top,
                    }
                )
        return out

    def _run(
        self,
        obj: int,
        tp: int,
        i: int,
        pmat: Any,
        resources: _Resources,
        tables: dict[tuple[int, float], tuple[ctypes.c_void_p, dict[int, float]]],
    ) -> _Run | str:
        """The measures of a text object, from its first character ``i``; a reason string when the
        object is one pdfminer would measure differently."""
        _GetCharMatrix(tp, i, pmat)
        mat = pmat._obj
        if mat.b != 0 or mat.c != 0 or mat.a <= 0 or mat.d <= 0:
            return "text that is not upright"
        a, d = _rec(mat.a), _rec(mat.d)
        font = _TextObjGetFont(obj)
        info = self._font(font, resources) if font else None
        if info is None:
            return "a font pdfminer would measure differently"
        if resources.actual_text and _has_actual_text(obj):
            return "marked content with ActualText"
        size = _FontSize.get(obj)
        if size is None or size <= 0:
            return "no font size"
        handle, widths = tables.get((font, size)) or tables.setdefault(
            (font, size), (ctypes.c_void_p(font), {})
        )
        return _Run(a, d, size, info, handle, widths, [])


@dataclass(slots=True)
class _Run:
    """One text object's measures and glyphs (origin x, origin y, advance, text)."""

    a: float
    d: float
    size: float
    info: _Font
    font: ctypes.c_void_p
    widths: dict[int, float]
    glyphs: list[tuple[float, float, float, str]]


def _page_text(tp: int, n: int) -> str | None:
    """All characters of the text page in one call, when that string lines up with the character
    indexes (no character pdfium keeps out of its text, none outside the Basic Multilingual Plane)."""
    if n <= 0:
        return None
    buf = (ctypes.c_uint16 * (n + 1))()
    got = _GetText(tp, 0, n, buf)
    if got != n + 1:
        return None
    text = bytes(buf)[: 2 * n].decode("utf-16-le", "surrogatepass")
    if len(text) != n or any(0xD800 <= ord(c) <= 0xDFFF for c in text if c >= "\ud800"):
        return None
    return text


def _positions(
    run: list[tuple[float, float, float, str]],
    a: float,
    fs: float,
    carry: tuple[float, float, float, float] | None,
) -> tuple[list[float], tuple[float, float, float, float] | None]:
    """x of each glyph origin of one text object, as pdfminer's arithmetic gives it, and the state to
    carry into the next object.

    pdfminer walks a ``TJ`` in double precision: ``x += advance`` after each glyph and
    ``x -= n · size/1000`` for each number ``n`` of the array, the glyph at ``x · a + e``, ``e`` where
    the last ``Td``/``Tm`` put the line; the next ``Tj`` without such an operator goes on with the same
    ``x`` (as writers do when the font changes within a line). pdfium's origins are that walk in 32-bit
    floats. The numbers are recovered from the gaps between pdfium's origins (they are written with at
    most one decimal by every writer seen) and the walk is redone; an object that starts where the last
    one ended, on the same line, continues its walk (``carry``: x, e, a and the line's raw y). Where a
    gap is no such number (character or word spacing, a glyph pdfium dropped as a duplicate), pdfium's
    own positions are kept from there on."""
    first, y = run[0][0], run[0][1]
    if carry is not None and carry[2] == a and carry[3] == y and abs(carry[0] * a + carry[1] - first) <= 1e-3:
        x, e = carry[0], carry[1]
        out = [x * a + e]
    else:
        e = _rec(first)
        x = 0.0
        out = [e]
    dxscale = 0.001 * fs * 1.0
    for k in range(1, len(run)):
        raw = run[k][0]
        x = x + run[k - 1][2]
        gap = (raw - run[k - 1][0]) / a - run[k - 1][2]
        n = -gap / dxscale
        number = round(n, 1)
        if abs(n - number) <= 0.02:
            if number:
                x -= number * dxscale
            pos = x * a + e
            if abs(pos - raw) <= 1e-3:
                out.append(pos)
                continue
        out.extend(_rec(g[0]) for g in run[k:])
        return out, None
    return out, (x + run[-1][2], e, a, y)


class _FontSizeCache:
    """Font size of text objects (``FPDFTextObj_GetFontSize``), read once per object."""

    _get = staticmethod(_fn("FPDFTextObj_GetFontSize", _INT, _P, _FLOAT_P))

    def get(self, obj: int) -> float | None:
        v = ctypes.c_float()
        if not self._get(obj, ctypes.byref(v)):
            return None
        return _rec(v.value)


_FontSize = _FontSizeCache()


def _has_actual_text(obj: int) -> bool:
    n = _ObjCountMarks(obj)
    if n <= 0:
        return False
    buf = ctypes.create_string_buffer(64)
    out = ctypes.c_ulong()
    for k in range(n):
        mark = _ObjGetMark(obj, k)
        if not mark:
            continue
        for j in range(_MarkCountParams(mark)):
            if _MarkGetParamKey(mark, j, ctypes.cast(buf, _P), 64, ctypes.byref(out)):
                if buf.raw[: max(out.value - 2, 0)].decode("utf-16-le", "replace") == "ActualText":
                    return True
    return False


def _content_refs(page_obj: Any) -> list[Any]:
    from pdfminer.pdftypes import resolve1

    contents = page_obj.attrs.get("Contents")
    value = resolve1(contents)
    if isinstance(value, list):
        return value
    return [contents] if contents is not None else []


def _matrix_of(obj: int, mat: _Matrix) -> tuple[float, ...]:
    _ObjGetMatrix(obj, ctypes.byref(mat))
    return (_rec(mat.a), _rec(mat.b), _rec(mat.c), _rec(mat.d), _rec(mat.e), _rec(mat.f))


def _walk(
    holder: int,
    count: Any,
    get: Any,
    ctm: tuple[float, ...],
    walk: _Walk,
    height: float,
    doctop0: float,
    depth: int,
) -> None:
    """Visit the objects of a page or form in content order, forms recursively."""
    mat = _Matrix()
    for k in range(count(holder)):
        obj = get(holder, k)
        if not obj:
            walk.reason = "pdfium cannot list the page objects"
            return
        kind = _ObjGetType(obj)
        if kind == _TEXT:
            walk.text_objects[obj] = len(walk.text_objects)
            if depth == 0:
                walk.page_index[obj] = walk.page_text_objects
                walk.page_text_objects += 1
        elif kind == _PATH:
            _path(obj, _mult(_matrix_of(obj, mat), ctm), walk, height, doctop0)
        elif kind == _IMAGE:
            _image(obj, _mult(_matrix_of(obj, mat), ctm), walk, height, doctop0)
        elif kind == _FORM:
            if depth >= 16:
                walk.reason = "forms nested too deep"
                return
            _walk(
                obj,
                _FormCountObjects,
                _FormGetObject,
                _mult(_matrix_of(obj, mat), ctm),
                walk,
                height,
                doctop0,
                depth + 1,
            )
        if walk.reason:
            return


def _bbox_attrs(x0: float, y0: float, x1: float, y1: float, height: float, doctop0: float) -> dict[str, Any]:
    top = (height - y1) + 0
    return {
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "width": x1 - x0,
        "height": y1 - y0,
        "top": top,
        "bottom": (height - y0) + 0,
        "doctop": doctop0 + top,
    }


def _path(obj: int, m: tuple[float, ...], walk: _Walk, height: float, doctop0: float) -> None:
    """A path object as pdfminer's ``paint_path`` would record it (only painted paths are objects)."""
    fill, stroke = _INT(), _INT()
    if not _PathGetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke)) or (
        fill.value == 0 and not stroke.value
    ):
        return
    fx, fy = ctypes.c_float(), ctypes.c_float()
    pfx, pfy = ctypes.byref(fx), ctypes.byref(fy)
    a, b, c, d, e, f = m
    raw: list[tuple[int, int, float, float]] = []
    for k in range(_PathCountSegments(obj)):
        seg = _PathGetSegment(obj, k)
        if not seg or not _SegGetPoint(seg, pfx, pfy):
            walk.reason = "pdfium cannot read a path"
            return
        raw.append((_SegGetType(seg), _SegGetClose(seg), fx.value, fy.value))
    local = _as_rectangle(raw)
    if local is None:
        local = [(kind, close, _rec(px), _rec(py)) for kind, close, px, py in raw]
    ops: list[tuple[str, tuple[float, float]]] = []
    start: tuple[float, float] | None = None
    for kind, close, px, py in local:
        pt = (a * px + c * py + e, b * px + d * py + f)  # pdfminer's apply_matrix_pt
        if kind == _MOVETO:
            ops.append(("m", pt))
            start = pt
        elif kind == _LINETO:
            if close and pt == start:
                ops.append(("h", pt))  # pdfminer drops the redundant line back to the start, keeps the h
                continue
            ops.append(("l", pt))
        elif kind == _BEZIERTO:
            ops.append(("c", pt))
        else:
            walk.reason = "pdfium cannot read a path"
            return
        if close and start is not None:
            ops.append(("h", start))
    # Bézier segments come as three points each; pdfminer keeps one ``c`` per curve, whose last pair is
    # its point.
    merged: list[tuple[str, tuple[float, float]]] = []
    run = 0
    for op in ops:
        if op[0] == "c":
            run += 1
            if run % 3:
                continue
        else:
            run = 0
        merged.append(op)
    for sub in _subpaths(merged):
        _paint(sub, walk, height, doctop0)


def _as_rectangle(raw: list[tuple[int, int, float, float]]) -> list[tuple[int, int, float, float]] | None:
    """The points of an ``x y w h re`` path as pdfminer makes them (``x + w`` and ``y + h`` added in
    double precision), when pdfium's points have that shape; None otherwise."""
    if (
        len(raw) != 5
        or [k for k, _, _, _ in raw] != [_MOVETO, _LINETO, _LINETO, _LINETO, _LINETO]
        or not raw[4][1]
    ):
        return None
    (_, _, x0, y0), (_, _, x1, y1), (_, _, x2, y2), (_, _, x3, y3), (_, _, x4, y4) = raw
    if not (x4 == x0 and y4 == y0 and y1 == y0 and x2 == x1 and y3 == y2 and x3 == x0):
        return None
    x, y = _rec(x0), _rec(y0)
    w, h = _rec_at(x1 - x0, x1), _rec_at(y2 - y1, y2)
    return [
        (_MOVETO, 0, x, y),
        (_LINETO, 0, x + w, y),
        (_LINETO, 0, x + w, y + h),
        (_LINETO, 0, x, y + h),
        (_LINETO, 1, x, y),
    ]


def _subpaths(ops: list[tuple[str, tuple[float, float]]]) -> Iterator[list[tuple[str, tuple[float, float]]]]:
    shape = "".join(op for op, _ in ops)
    if shape[:1] != "m":
        return
    if shape.count("m") == 1:
        yield ops
        return
    for _, grp in itertools.groupby(range(len(ops)), key=lambda j: shape[: j + 1].count("m")):
        idx = list(grp)
        sub = [ops[j] for j in idx]
        if len(sub) > 1:
            yield sub


def _paint(path: list[tuple[str, tuple[float, float]]], walk: _Walk, height: float, doctop0: float) -> None:
    """pdfminer's classification of one subpath: a line, a rectangle, or a curve."""
    shape = "".join(op for op, _ in path)
    pts = [pt for _, pt in path]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        (x0, y0), (x1, y1) = pts[0], pts[1]
        attrs = _bbox_attrs(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), height, doctop0)
        attrs["object_type"] = "line"
        walk.lines.append(attrs)
        return
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
            y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
        )
        if pts[0] == pts[4] and square:
            xs = (x0, x2)
            ys = (y0, y2)
            attrs = _bbox_attrs(min(xs), min(ys), max(xs), max(ys), height, doctop0)
            attrs["object_type"] = "rect"
            walk.rects.append(attrs)
            return
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    attrs = _bbox_attrs(min(xs), min(ys), max(xs), max(ys), height, doctop0)
    attrs["object_type"] = "curve"
    attrs["pts"] = [(px, height - py) for px, py in pts]
    walk.curves.append(attrs)


def _image(obj: int, m: tuple[float, ...], walk: _Walk, height: float, doctop0: float) -> None:
    a, b, c, d, e, f = m
    corners = [(a * x + c * y + e, b * x + d * y + f) for x, y in ((0, 0), (1, 0), (1, 1), (0, 1))]
    xs = [p[0] for p in corners]
    ys = [p[1] for p in corners]
    w, h = ctypes.c_uint(), ctypes.c_uint()
    if not _ImageGetPixelSize(obj, ctypes.byref(w), ctypes.byref(h)) or not w.value or not h.value:
        return  # an image whose stream is missing: nothing to see, as for pdfminer
    attrs = _bbox_attrs(min(xs), min(ys), max(xs), max(ys), height, doctop0)
    attrs["object_type"] = "image"
    attrs["srcsize"] = (w.value, h.value)
    walk.images.append(attrs)


# --------------------------------------------------------------------------------------------------
# pdfplumber's dedupe_chars, without its quadratic ``list.index``


def _clusters(members: list[int], values: list[float], tolerance: float) -> list[list[int]]:
    """pdfplumber's ``cluster_objects``: members grouped by chains of values within ``tolerance``
    (over the sorted distinct values), groups in value order, members in their given order."""
    distinct = sorted(set(values[i] for i in members))
    if len(distinct) == 1:
        return [members]
    cid: dict[float, int] = {}
    c = 0
    last = distinct[0]
    for v in distinct:
        if v > last + tolerance:
            c += 1
        cid[v] = c
        last = v
    groups: list[list[int]] = [[] for _ in range(c + 1)]
    for i in members:
        groups[cid[values[i]]].append(i)
    return groups


def dedupe_chars(chars: list[dict[str, Any]], tolerance: float = 1) -> list[dict[str, Any]]:
    """``pdfplumber.utils.dedupe_chars(chars, tolerance)`` with its default ``extra_attrs``: of the chars
    sharing text, font name, size and uprightness whose ``doctop`` and ``x0`` cluster within
    ``tolerance``, the first by (doctop, x0) is kept; the kept chars stay in their original order
    (pdfplumber sorts them back with ``list.index``, quadratic in the chars of a page)."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, c in enumerate(chars):
        groups.setdefault((c["upright"], c["text"], c["fontname"], c["size"]), []).append(i)
    doctop = [c["doctop"] for c in chars]
    x0 = [c["x0"] for c in chars]
    kept: list[int] = []
    for members in groups.values():
        if len(members) == 1:
            kept.append(members[0])
            continue
        for y_cluster in _clusters(members, doctop, tolerance):
            for x_cluster in _clusters(y_cluster, x0, tolerance) if len(y_cluster) > 1 else (y_cluster,):
                kept.append(min(x_cluster, key=lambda i: (doctop[i], x0[i])))
    kept.sort()
    return [chars[i] for i in kept]
