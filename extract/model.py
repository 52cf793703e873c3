"""The neutral document model every reader produces.

A document is an ordered list of blocks: paragraphs and tables. Tables are grids of *origin* cells
(a merged cell appears once, at its top-left position, with its spans). Readers that cannot know the
real grid (plain text) say so in ``Table.grid`` so that consumers do not trust column indexes more than
the source allows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

GridKind = Literal["exact", "positional", "sequential", "aligned"]
"""How trustworthy ``Cell.col`` is.

- ``exact``: real grid columns with spans (DOCX gridSpan/vMerge, HTML colspan/rowspan, PDF ruling lines).
- ``positional``: every grid column has a slot but spans are unknown; a spanned area is an empty cell
  (tab-separated text).
- ``sequential``: cells are listed in reading order; a horizontally merged cell is one cell and a
  vertically merged continuation is an empty cell (Word "save as text").
- ``aligned``: ``col`` is the character column where the cell's text starts (space-aligned text such as
  ``pdftotext -layout``); header words and values line up by position, not by index.
"""


@dataclass(slots=True)
class Cell:
    text: str
    """Cell text; line breaks inside the cell are kept as ``\\n``."""
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    page: int | None = None
    confidence: float | None = None
    """Where the text came from: None when it was read from the file's own text (exact); otherwise it
    was read by OCR from a page image and this is the lowest recognition score (0–1) of its glyphs —
    1.0 for a cell OCR found empty with no ink in it, 0.0 for a cell with ink OCR could not read."""


@dataclass(slots=True)
class Table:
    rows: list[list[Cell]]
    """Rows of origin cells, left to right. Continuation positions of merged cells are omitted
    (``exact`` grids) or appear as empty cells (``positional``/``sequential``)."""
    grid: GridKind = "exact"
    pages: tuple[int, ...] = ()
    """Pages the table covers (PDF only; empty elsewhere)."""
    index: int = 0
    """Ordinal of the table in the document (0-based)."""

    @property
    def page(self) -> int | None:
        return self.pages[0] if self.pages else None

    def texts(self) -> list[list[str]]:
        return [[c.text for c in row] for row in self.rows]


@dataclass(slots=True)
class Paragraph:
    text: str
    page: int | None = None
    style: str | None = None
    """Style or tag name when the source has one (``Heading 1``, ``h2``, ``Title``)."""
    confidence: float | None = None
    """None for text from the file; the lowest OCR score of its glyphs when read from a page image."""


Block = Paragraph | Table


@dataclass(slots=True)
class Document:
    blocks: list[Block]
    format: str
    """``pdf``, ``docx``, ``html``, ``md`` or ``txt``."""
    meta: dict[str, str] = field(default_factory=dict)
    """Source metadata worth keeping (HTML <title>, publication date meta, declared charset, page count;
    ``ocr_pages``: the pages read by OCR, comma-separated, when there are any)."""

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]
