"""DOCX reader (python-docx for the package, styles and core properties; the body XML walked directly).

Why walk the XML instead of ``Document.iter_inner_content()``: python-docx does not see paragraphs and
tables wrapped in content controls (``w:sdt``) or custom-XML wrappers, and ``row.cells`` repeats a merged
cell once per grid slot it covers (so a 3-wide merged header would read as three headers). Here each ``w:tc`` is read once, and its grid
position is computed from ``w:gridBefore`` and the ``w:gridSpan`` of the cells to its left, so a table
comes out as an ``exact`` grid of *origin* cells: ``gridSpan`` → ``colspan``; a ``vMerge`` restart
gets the ``rowspan`` of its chain and the continuation cells are omitted (their text is not repeated).

Safety: python-docx reads every part fully into memory, so the ZIP directory is checked *before* it is
opened (declared sizes are binding: ``zipfile`` never inflates a member beyond its declared size).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from extract.errors import CorruptFile, TooLarge
from extract.model import Block, Cell, Document, Paragraph, Table
from extract.textnorm import clean_cell, fix_cjk

MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
"""Refuse packages that would inflate beyond this (a real report DOCX is a few MB at most)."""
MAX_RATIO = 100
"""Refuse members compressing better than this: XML compresses 5–20x, zip bombs ~1000x."""
RATIO_MIN_SIZE = 1024 * 1024
"""Members smaller than this are not ratio-checked: a tiny part can compress absurdly well and do no harm."""
MAX_MEMBERS = 10_000

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_P, _TBL, _TR, _TC = _w("p"), _w("tbl"), _w("tr"), _w("tc")
_SDT, _SDT_CONTENT = _w("sdt"), _w("sdtContent")
# Elements that only wrap content: their children are read as if they stood in the parent.
_TRANSPARENT = frozenset(
    {
        _SDT_CONTENT,
        _w("customXml"),
        _w("smartTag"),
        _w("ins"),
        _w("moveTo"),
        _w("hyperlink"),
        _w("fldSimple"),
        _w("r"),
        _w("dir"),
        _w("bdo"),
    }
)
# Subtrees whose text is not part of the visible paragraph text.
_SKIP = frozenset(
    {
        _w("del"),
        _w("moveFrom"),
        _w("pPr"),
        _w("rPr"),
        _w("sdtPr"),
        _w("sdtEndPr"),
        _w("instrText"),
        _w("delText"),
        f"{{{_MC}}}Fallback",
        _w("txbxContent"),
    }
)
_TEXT_BOX = _w("txbxContent")


def read(path: Path) -> Document:
    """Read a DOCX file into paragraphs and exact-grid tables, in body order."""
    path = Path(path)
    check_package(path)
    import docx  # deferred: python-docx is only needed once the package is known to be safe
    from docx.opc.exceptions import PackageNotFoundError

    try:
        # python-docx parses every XML part here; nothing after this touches the ZIP again.
        doc = docx.Document(str(path))
        title = (doc.core_properties.title or "").strip()
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise CorruptFile(f"damaged ZIP member ({exc})") from exc
    except PackageNotFoundError as exc:
        raise CorruptFile(f"not a Word package ({exc})") from exc
    except KeyError as exc:
        raise CorruptFile(f"missing package part {exc}") from exc
    except etree.XMLSyntaxError as exc:
        raise CorruptFile(f"malformed XML ({exc})") from exc
    except ValueError as exc:
        raise CorruptFile(f"invalid package ({exc})") from exc
    except (AttributeError, TypeError, IndexError) as exc:
        # python-docx does not validate package structure (e.g. an empty [Content_Types].xml surfaces as
        # AttributeError deep inside it); any such failure while *loading* means the package is broken.
        raise CorruptFile(f"invalid package structure ({type(exc).__name__}: {exc})") from exc
    body = doc.element.body
    if body is None:
        raise CorruptFile("word/document.xml has no w:body")
    blocks = list(_blocks(body, _style_names(doc)))
    n = 0
    for block in blocks:
        if isinstance(block, Table):
            block.index = n
            n += 1
    meta = {"title": title} if title else {}
    return Document(blocks=blocks, format="docx", meta=meta)


def check_package(path: Path) -> None:
    """Raise ``TooLarge`` for zip bombs and ``CorruptFile`` for unreadable ZIPs, reading only the directory."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CorruptFile(f"damaged ZIP container ({exc}); the file may be truncated") from exc
    if len(infos) > MAX_MEMBERS:
        raise TooLarge(f"ZIP package has {len(infos)} members (limit {MAX_MEMBERS})")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise TooLarge(
            f"package inflates to {total / 2**20:.0f} MB (limit {MAX_TOTAL_UNCOMPRESSED / 2**20:.0f} MB)"
        )
    for info in infos:
        if info.file_size >= RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise TooLarge(
                f"member {info.filename} compresses {ratio:.0f}x (limit {MAX_RATIO}x): likely a zip bomb"
            )


def _style_names(doc: object) -> dict[str, str]:
    """Paragraph style id → name, plus the default under key ``""`` (python-docx's ``Paragraph.style``)."""
    from docx.enum.style import WD_STYLE_TYPE

    names: dict[str, str] = {}
    for style in doc.styles:  # type: ignore[attr-defined]
        if style.type == WD_STYLE_TYPE.PARAGRAPH and style.style_id and style.name:
            names[style.style_id] = style.name
    default = doc.styles.default(WD_STYLE_TYPE.PARAGRAPH)  # type: ignore[attr-defined]
    if default is not None and default.name:
        names[""] = default.name
    return names


def _content_children(el: etree._Element) -> Iterator[etree._Element]:
    """Children of ``el`` with block wrappers (``w:sdt``, ``w:customXml``…) flattened away."""
    for child in el:
        tag = child.tag
        if tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _content_children(content)
        elif tag in _TRANSPARENT:
            yield from _content_children(child)
        else:
            yield child


def _blocks(container: etree._Element, styles: dict[str, str]) -> Iterator[Block]:
    """Paragraphs and tables of a body-like container, in order. Empty paragraphs are dropped."""
    for el in _content_children(container):
        if el.tag == _P:
            boxes: list[etree._Element] = []
            text = fix_cjk(_paragraph_text(el, boxes)).strip()
            if text:
                yield Paragraph(text=text, style=_style_of(el, styles))
            for box in boxes:  # text boxes anchored in the paragraph follow it
                yield from _blocks(box, styles)
        elif el.tag == _TBL:
            yield _table(el)


def _style_of(p: etree._Element, styles: dict[str, str]) -> str | None:
    style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
    style_id = style.get(_w("val")) if style is not None else None
    if style_id:
        return styles.get(style_id, style_id)
    return styles.get("")


def _paragraph_text(el: etree._Element, boxes: list[etree._Element] | None = None) -> str:
    """Visible text of a paragraph: runs, hyperlinks, field results, insertions; not deletions or field codes.

    ``w:br``/``w:cr`` become ``\\n`` and ``w:tab`` a TAB, as python-docx does. Text boxes are collected in
    ``boxes`` rather than run into the paragraph's own text.
    """
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str):
                continue  # comments, processing instructions
            if tag == _TEXT_BOX:
                if boxes is not None:
                    boxes.append(child)
                continue
            if tag in _SKIP:
                continue
            if tag == _w("t"):
                parts.append(child.text or "")
            elif tag == _w("tab") or tag == _w("ptab"):
                parts.append("\t")
            elif tag == _w("br") or tag == _w("cr"):
                parts.append("\n")
            elif tag == _w("noBreakHyphen"):
                parts.append("-")
            else:
                walk(child)

    walk(el)
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    """Paragraphs of a cell joined with ``\\n``; a nested table contributes its cells' text in order."""
    lines: list[str] = []
    for el in _content_children(tc):
        if el.tag == _P:
            boxes: list[etree._Element] = []
            lines.append(_paragraph_text(el, boxes))
            lines.extend(_cell_text(box) for box in boxes)
        elif el.tag == _TBL:
            for tr in _rows_of(el):
                lines.extend(_cell_text(inner) for inner in _cells_of(tr))
    return "\n".join(lines)


def _rows_of(tbl: etree._Element) -> list[etree._Element]:
    return [el for el in _content_children(tbl) if el.tag == _TR]


def _cells_of(tr: etree._Element) -> list[etree._Element]:
    return [el for el in _content_children(tr) if el.tag == _TC]


def _int_val(parent: etree._Element | None, path: str, default: int) -> int:
    if parent is None:
        return default
    el = parent.find(path)
    if el is None:
        return default
    try:
        return max(int(el.get(_w("val"), default)), 0)
    except ValueError:
        return default


def _merge(tcpr: etree._Element | None, tag: str) -> str | None:
    """``restart``, ``continue`` or None for ``w:vMerge``/``w:hMerge`` (no ``w:val`` means continue)."""
    if tcpr is None:
        return None
    el = tcpr.find(_w(tag))
    if el is None:
        return None
    return el.get(_w("val")) or "continue"


def _table(tbl: etree._Element) -> Table:
    """Build an exact grid of origin cells.

    ``open_cells`` maps a grid column to the origin cell whose vertical merge could still be continued
    there; a ``vMerge`` continuation extends that cell's rowspan and is omitted. A continuation with
    nothing above it (malformed, but Word tolerates it) is kept as an ordinary cell so no text is lost.
    """
    rows: list[list[Cell]] = []
    open_cells: dict[int, Cell] = {}
    for r, tr in enumerate(_rows_of(tbl)):
        col = _int_val(tr.find(_w("trPr")), _w("gridBefore"), 0)
        row: list[Cell] = []
        for tc in _cells_of(tr):
            tcpr = tc.find(_w("tcPr"))
            span = max(_int_val(tcpr, _w("gridSpan"), 1), 1)
            if _merge(tcpr, "hMerge") == "continue" and row and row[-1].col + row[-1].colspan == col:
                row[-1].colspan += span  # legacy horizontal merge: widen the cell on the left
                col += span
                continue
            above = open_cells.get(col)
            if _merge(tcpr, "vMerge") == "continue" and above is not None and above.row + above.rowspan == r:
                above.rowspan += 1
                col += span
                continue
            cell = Cell(text=clean_cell(_cell_text(tc)), row=r, col=col, colspan=span)
            row.append(cell)
            for c in range(col, col + span):
                open_cells.pop(c, None)
            open_cells[col] = cell
            col += span
        rows.append(row)
    return Table(rows=rows, grid="exact")
