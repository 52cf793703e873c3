"""The PDF reader's fast path (``extract.pdfium_layer``) against pdfplumber, which it replaces page by page.

The reader's rules must see the same characters and ruling lines whichever library parsed a page, so the
layer's records are compared with pdfplumber's field by field and bit for bit: on every corpus page (none
may be left to pdfplumber), and on hand-written pages for what the corpus lacks (several ``Tj`` on one
line, a scaled CTM, a CID font, curves and rectangles, images). Where pdfium's text page cannot give
pdfminer's characters (fake bold, a hyphen it rewrites, ``/ActualText``, rotated text, a standard font
whose widths pdfminer takes from its own tables, unmapped glyphs, a text object pdfium leaves out, a page
too large for pdfium to parse safely) the page must go to pdfplumber, and the document must come out
exactly as with ``engine="pdfminer"``. The reimplemented pdfplumber steps (``dedupe_chars``,
``intersections_to_cells``) are checked against pdfplumber's own on randomised inputs.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pdfplumber.table import edges_to_intersections, intersections_to_cells
from pdfplumber.utils import dedupe_chars as plumber_dedupe

from extract import pdf, pdfium_layer
from tests import ocr_support
from tests.test_extract_pdf import _XS, PAGE_H, TEXT_PDFS, _pdf, _table, _text

CHAR_KEYS = ("text", "fontname", "size", "upright", "x0", "x1", "top", "bottom", "doctop")
EDGE_KEYS = ("object_type", "orientation", "x0", "x1", "top", "bottom", "doctop", "width", "height")
IMAGE_KEYS = ("x0", "x1", "top", "bottom", "srcsize")


def _rows(records: list[dict[str, Any]], keys: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return [tuple(tuple(r[k]) if isinstance(r[k], list) else r[k] for k in keys) for r in records]


def _close(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]], tol: float) -> bool:
    return len(a) == len(b) and all(
        x == y or (isinstance(x, float) and abs(x - y) <= tol)
        for r, s in zip(a, b, strict=True)
        for x, y in zip(r, s, strict=True)
    )


def _compare(path: Path, image_tol: float = 0.0) -> tuple[list[int], dict[str, int]]:
    """Pages (1-based) whose chars, edges and images equal pdfplumber's exactly (images within
    ``image_tol``); the layer's fallbacks."""
    exact = []
    with pdfplumber.open(path) as plumb, pdfium_layer.Layer(path) as layer:
        assert layer.agrees(len(plumb.pages))
        for i, page in enumerate(plumb.pages):
            objs = layer.page(i, page)
            if objs is None:
                continue
            assert _rows(pdfium_layer.dedupe_chars(objs.chars), CHAR_KEYS) == _rows(
                page.dedupe_chars(tolerance=1).chars, CHAR_KEYS
            ), f"chars of page {i + 1}"
            assert _rows(objs.edges, EDGE_KEYS) == _rows(page.edges, EDGE_KEYS), f"edges of page {i + 1}"
            assert _close(_rows(objs.images, IMAGE_KEYS), _rows(page.images, IMAGE_KEYS), image_tol), i + 1
            exact.append(i + 1)
        return exact, dict(layer.fallbacks)


def _outcome(path: Path, ocr: bool, engine: str | None) -> str:
    try:
        return repr(pdf.read(path, ocr=ocr, engine=engine))
    except Exception as exc:  # noqa: BLE001 - a rejection is an outcome to compare too
        return f"{type(exc).__name__}: {exc}"


def _same_document(path: Path, ocr: bool = False) -> None:
    fast = _outcome(path, ocr, None)
    assert fast == _outcome(path, ocr, "pdfminer")
    assert fast.startswith("Document(")


@pytest.mark.parametrize("path", TEXT_PDFS, ids=lambda p: p.stem)
def test_every_corpus_page_is_read_by_pdfium_exactly_as_pdfplumber_reads_it(path: Path) -> None:
    exact, fallbacks = _compare(path)
    assert fallbacks == {}
    with pdfplumber.open(path) as plumb:
        assert exact == list(range(1, len(plumb.pages) + 1))
    _same_document(path)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# Hand-written pages the layer reads itself: pdfminer's arithmetic must be reproduced to the last bit.
EXACT_PAGES = {
    # two Tj on one line (pdfminer's walk goes on), then a Td to the next line
    "several-tj": [f"BT /F1 12 Tf 72 {PAGE_H - 100} Td (first) Tj ( second) Tj 0 -14 Td (next line) Tj ET\n"],
    # TJ kerning with a decimal, a font size change within the line
    "kerning": [
        f"BT /F1 10 Tf 72 {PAGE_H - 100} Td [(Kern)-120(ed) 33.5 (text)] TJ /F1 14 Tf (bigger) Tj ET\n"
        + _text(72, 140, "Alpha beta gamma delta")
    ],
    # text and lines under a scaling/translating CTM; a rectangle (re), a closed path, a curve; and a
    # path that is only a clip (n): no edge
    "ctm-and-shapes": [
        f"q 0.5 0 0 0.5 36 0 cm BT /F1 24 Tf 72 {PAGE_H - 100} Td (scaled by cm) Tj ET Q\n"
        "q 1 0 0 1 0.25 0.125 cm 0.5 w 72 600 m 300 600 l S 72 580 200 15.5 re S "
        "80 500 m 100 520 120 480 140 500 c S Q\n"
        "72 700 m 300 700 l 300 650 l 72 650 l h S 72 450 228 30.25 re f 72 400 m 300 400 l 300 380 l h f "
        "0 0 m 10 10 l n\n" + _text(72, 60, "Shapes page")
    ],
    # a CID font (UCS-2 CMap, no ToUnicode) and a ruled table
    "cid-table": [
        _text(72, 100, "中文标题", font="F2")
        + _text(72, 120, "正文第一行", font="F2")
        + _table(_XS, 200, [["Item", "A", "B"], ["x", "5", ""], ["y", "", "3"]])
    ],
}


@pytest.mark.parametrize("name", sorted(EXACT_PAGES))
def test_hand_written_pages_are_read_by_pdfium_exactly(name: str, tmp_path: Path) -> None:
    path = _write(tmp_path, f"{name}.pdf", _pdf(EXACT_PAGES[name]))
    exact, fallbacks = _compare(path)
    assert (exact, fallbacks) == ([1], {})
    _same_document(path)


# Pages pdfium's text page cannot give pdfminer's characters for: left to pdfplumber, for the reason given.
FALLBACK_PAGES = {
    # the same text twice 0.3 pt apart (fake bold): pdfium drops the copy, pdfplumber's dedupe decides
    "fake-bold": (
        [_text(72, 100, "Bold title") + _text(72.3, 100, "Bold title") + _text(72, 130, "Normal line")],
        "a text object pdfium left out",
    ),
    # a space shown by itself: pdfium's text page has no room for an object with no width
    "lone-space": (
        [f"BT /F1 12 Tf 72 {PAGE_H - 100} Td (Hello) Tj ( ) Tj (world) Tj ET\n"],
        "a text object pdfium left out",
    ),
    # a hyphen at a line end, which pdfium turns into a soft-hyphen marker
    "hyphen": ([_text(72, 100, "inter-") + _text(72, 114, "national law")], "a character pdfium rewrote"),
    # /ActualText: pdfium would put "XYZ" where pdfminer reads the glyphs
    "actual-text": (
        ["/Span <</ActualText (XYZ)>> BDC " + _text(72, 100, "abc") + " EMC\n" + _text(72, 130, "plain")],
        "marked content with ActualText",
    ),
    # text turned by 90 degrees
    "rotated-text": (
        ["BT /F1 12 Tf 0 1 -1 0 100 400 Tm (Sideways) Tj ET\n" + _text(72, 130, "plain")],
        "text that is not upright",
    ),
    # Helvetica whose ToUnicode maps A/B to radicals: pdfminer looks the width up by the radical (none)
    "standard-font": ([_text(72, 100, "AB", font="F3") + _text(72, 120, "AB", font="F3")], "a standard font"),
    # glyphs without any Unicode mapping: pdfminer's (cid:N)
    "unmapped": (
        [_text(72, 100, "xxxxxxxxxx", font="F4") + _text(72, 200, "mostly readable text, " * 3)],
        "a glyph without Unicode mapping",
    ),
    # more content than pdfium may parse under the workers' memory cap
    "huge-content": (
        [" " * (pdfium_layer.MAX_CONTENT + 1) + _text(72, 100, "After a lot of nothing")],
        "streams too large",
    ),
}


@pytest.mark.parametrize("name", sorted(FALLBACK_PAGES))
def test_pages_pdfium_cannot_reproduce_go_to_pdfplumber_and_read_the_same(name: str, tmp_path: Path) -> None:
    pages, reason = FALLBACK_PAGES[name]
    path = _write(tmp_path, f"{name}.pdf", _pdf(pages))
    exact, fallbacks = _compare(path)
    assert exact == []
    assert len(fallbacks) == 1 and next(iter(fallbacks)).startswith(reason), fallbacks
    _same_document(path)


def test_image_pages_give_pdfplumbers_images(tmp_path: Path) -> None:
    """A scanned page and a text page with a picture pasted in (pdfium's own content writer): same
    chars and edges as pdfplumber's, the same images, and the same document. pdfium writes the image
    matrix with 8 significant digits (595.30396), more than the 32-bit float it keeps (595.304 is the
    same float): there the boxes agree to 1e-4 pt, not to the bit."""
    src = TEXT_PDFS[0]
    mixed = tmp_path / "mixed.pdf"
    ocr_support.mixed_pdf(src, 1, mixed)
    region = tmp_path / "region.pdf"
    ocr_support.image_region_pdf(src, 2, 400.0, region)
    for path in (mixed, region):
        exact, fallbacks = _compare(path, image_tol=1e-4)
        assert fallbacks == {}
        with pdfplumber.open(path) as plumb:
            assert exact == list(range(1, len(plumb.pages) + 1))
            assert sum(len(p.images) for p in plumb.pages) == 1
        _same_document(path)


def test_the_old_path_is_one_setting_away(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``XXGK_PDF_ENGINE=pdfminer`` reads every page with pdfplumber (pdfium is never opened)."""
    path = _write(tmp_path, "t.pdf", _pdf(EXACT_PAGES["several-tj"]))
    expected = repr(pdf.read(path))

    def refuse(*_a: object) -> None:
        raise AssertionError("pdfium opened")

    monkeypatch.setattr(pdfium_layer, "Layer", refuse)
    monkeypatch.setenv(pdf.ENGINE_ENV, "pdfminer")
    assert repr(pdf.read(path)) == expected


def test_dedupe_chars_keeps_what_pdfplumber_keeps() -> None:
    """Chars of a corpus page plus jittered copies (within and beyond the 1 pt tolerance)."""
    with pdfplumber.open(TEXT_PDFS[1]) as plumb:
        chars = plumb.pages[1].chars
    rng = random.Random(3)
    for _ in range(5):
        extra = []
        for c in rng.sample(chars, 120):
            copy = dict(c)
            copy["x0"] += rng.uniform(-1.6, 1.6)
            copy["doctop"] += rng.uniform(-1.6, 1.6)
            extra.append(copy)
        mixed = chars + extra
        rng.shuffle(mixed)
        kept = pdfium_layer.dedupe_chars(mixed, 1)
        assert [id(c) for c in kept] == [id(c) for c in plumber_dedupe(mixed, tolerance=1)]
        assert len(chars) < len(kept) < len(mixed)


def test_intersections_to_cells_finds_pdfplumbers_cells() -> None:
    """Corpus rulings with random edges removed (irregular grids, merged cells, dangling rules)."""
    with pdfplumber.open(TEXT_PDFS[2]) as plumb:
        finders = [p.debug_tablefinder(pdf.TABLE_SETTINGS) for p in plumb.pages]
    rng = random.Random(5)
    compared = 0
    for finder in finders:
        for drop in (0.0, 0.1, 0.3):
            edges = [e for e in finder.edges if rng.random() >= drop]
            inter = edges_to_intersections(edges, 3, 3)
            cells = intersections_to_cells(inter)
            assert pdf._intersections_to_cells(inter) == cells
            compared += len(cells)
    assert compared > 100
