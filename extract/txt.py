"""Plain-text reader.

Plain text has no table markup, so tables are recognised from how tools lay them out when they turn a
table into text. Two layouts occur and both are handled without knowing what the document is about:

``cells`` (Word "save as text"): every cell on its own line, introduced by one TAB; a blank line ends a
row; two or more blank lines end the table. A line break inside a cell comes out as a blank line followed
by a line *without* the TAB, directly followed by the next cell line. A horizontally merged cell is one
line, a vertically merged continuation is an empty ``\\t`` line, so column indexes are only a reading
order: ``Table(grid="sequential")``.

``tsv`` (copy/paste, PDF extraction): one row per line, cells separated by TABs, spanned columns left
empty, so every grid column has a slot but spans are unknown: ``Table(grid="positional")``. A table is
a maximal run of consecutive lines that contain a TAB.

``aligned`` (``pdftotext -layout``, text copied from a PDF viewer, OCR exports): no TAB at all, columns set
with spaces; rows are recovered from the geometry of the text by extract.aligned:
``Table(grid="aligned")``, cells carry their character column. Used only for a text without TABs that has
space-aligned value rows, so the two TAB layouts are read exactly as before.

Every other non-empty line is one ``Paragraph``. Empty cells are kept as ``Cell(text="")``: downstream a
blank cell (unknown) and a merged one must stay distinguishable from a missing one.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from extract.aligned import is_footer, parse_aligned
from extract.errors import EmptyFile
from extract.model import Block, Cell, Document, Paragraph, Table
from extract.textnorm import clean_cell, fix_cjk

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes) -> tuple[str, str]:
    """Decode text bytes; return ``(text, encoding)``.

    A BOM wins. Otherwise strict UTF-8 is tried first because random GBK bytes almost never form valid
    UTF-8, while any UTF-8 text would decode (wrongly) as GB18030. GB18030 is a superset of GB2312 and
    GBK, so one fallback covers all Chinese legacy encodings. Bytes that fit neither are replaced rather
    than refused: a few damaged characters should not cost the whole document.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace"), "gb18030-lossy"


def read(path: Path) -> Document:
    """Read a plain-text file into paragraphs and tables."""
    data = Path(path).read_bytes()
    text, encoding = decode(data)
    if not text.strip():
        raise EmptyFile("the text file contains no text")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks = parse_lines(lines)
    return Document(blocks=blocks, format="txt", meta={"encoding": encoding})


def parse_lines(lines: list[str]) -> list[Block]:
    """Turn lines into blocks: table runs (any layout) and one paragraph per other non-empty line."""
    if not any("\t" in line for line in lines):
        aligned = parse_aligned(lines)
        if aligned is not None:
            return aligned
    blocks: list[Block] = []
    n_tables = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if "\t" in line:
            if _is_cell_line(line) and _block_is_cells(lines, i):
                table, i = _read_cells_table(lines, i)
            else:
                table, i = _read_tsv_table(lines, i)
            table.index = n_tables
            n_tables += 1
            blocks.append(table)
            continue
        if not _is_blank(line) and not is_footer(line.replace("\f", "")):
            blocks.append(Paragraph(text=fix_cjk(line.replace("\f", "")).strip()))
        i += 1
    return blocks


def _is_blank(line: str) -> bool:
    # A lone TAB is an empty cell, not a blank line: only tab-free whitespace counts as blank.
    return "\t" not in line and not line.strip()


def _is_cell_line(line: str) -> bool:
    """One cell of the ``cells`` layout: a leading TAB and no other TAB."""
    return line.startswith("\t") and "\t" not in line[1:]


def _block_is_cells(lines: list[str], start: int) -> bool:
    """Decide the layout of the table starting at ``start``.

    The consecutive TAB lines (up to the first line without a TAB) must all be single-cell lines. A TSV
    table can contain such a line (a two-column row with an empty first column) but not only such lines,
    unless it has one column of data, which reads the same either way.
    """
    j = start
    while j < len(lines) and "\t" in lines[j]:
        if not _is_cell_line(lines[j]):
            return False
        j += 1
    return True


def _read_cells_table(lines: list[str], start: int) -> tuple[Table, int]:
    """Read a ``cells``-layout table from ``start``; return it and the index of the first line after it."""
    rows: list[list[str]] = [[]]
    i = start
    n = len(lines)
    while i < n:
        line = lines[i]
        if _is_cell_line(line):
            rows[-1].append(line[1:])
            i += 1
            continue
        if not _is_blank(line):
            break  # a TSV row or plain text right after a cell line: the table is over
        # A blank line: end of row, continuation of a cell, or end of the table.
        nxt = lines[i + 1] if i + 1 < n else None
        if nxt is not None and _is_cell_line(nxt):
            if rows[-1]:
                rows.append([])
            i += 1
            continue
        if (
            nxt is not None
            and not _is_blank(nxt)
            and "\t" not in nxt
            and rows[-1]
            and _continues(lines, i + 2)
        ):
            # "\tfirst part" / "" / "second part" / "\tnext cell": a line break inside the cell.
            rows[-1][-1] += "\n" + nxt
            i += 2
            continue
        break
    non_empty = [row for row in rows if row]
    table_rows = [
        [Cell(text=clean_cell(text), row=r, col=c) for c, text in enumerate(row)]
        for r, row in enumerate(non_empty)
    ]
    return Table(rows=table_rows, grid="sequential"), i


def _continues(lines: list[str], j: int) -> bool:
    """True when line ``j`` keeps a ``cells`` table going right after a continuation line.

    Requiring the next cell line (or another continuation: blank + text) to follow immediately is what
    separates a wrapped cell from a paragraph after the table, which is preceded by two blank lines.
    """
    if j >= len(lines):
        return False
    if _is_cell_line(lines[j]):
        return True
    if _is_blank(lines[j]) and j + 1 < len(lines):
        nxt = lines[j + 1]
        if _is_cell_line(nxt):
            return True
        if not _is_blank(nxt) and "\t" not in nxt:
            return _continues(lines, j + 2)
    return False


def _read_tsv_table(lines: list[str], start: int) -> tuple[Table, int]:
    """Read consecutive TAB-separated lines from ``start`` as one positional table."""
    rows: list[list[Cell]] = []
    i = start
    while i < len(lines) and "\t" in lines[i]:
        r = len(rows)
        rows.append(
            [Cell(text=clean_cell(text), row=r, col=c) for c, text in enumerate(lines[i].split("\t"))]
        )
        i += 1
    return Table(rows=rows, grid="positional"), i
