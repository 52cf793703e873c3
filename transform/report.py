"""What transform hands to the loader: one report with its facts and narrative sections."""

from __future__ import annotations

from dataclasses import dataclass, field


class NotAReport(Exception):
    """The document was read but is not a 政府信息公开工作年度报告 (or has nothing we can load)."""

    code = "not_a_report"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class Fact:
    table_id: str
    """``t2``, ``t3``, ``t4`` or ``legacy``."""
    code: str
    """Canonical metric code (metrics.csv)."""
    party: str
    """Applicant column (parties.csv) for t3, ``_`` elsewhere."""
    value: float | None
    state: str
    """``number`` | ``blank`` | ``dash`` | ``na_text`` | ``imputed``. A blank is never a zero."""
    unit: str
    raw_label: str
    """Label path as printed, levels joined with `` > `` (column label last)."""
    raw_value: str
    """Cell text as printed."""
    position: str
    """Where the cell is: ``table 3, row 7, col 4`` (grid coordinates in the source table)."""
    page: int | None = None
    generation: str = ""
    """Layout generation of the table the value came from: ``g19``, ``g21``, ``legacy``."""


@dataclass(slots=True)
class Section:
    ordinal: int
    """Order in the report (0-based)."""
    section: str
    """Canonical key: ``overview``, ``overview.proactive``, ``proactive``, ``requests``, ``disputes``,
    ``problems``, ``other`` … or ``unclassified`` for headings outside the six-part skeleton."""
    heading: str
    """Heading as printed."""
    text: str


@dataclass(slots=True)
class Report:
    title: str | None
    agency: str | None
    year: int | None
    generations: dict[str, str] = field(default_factory=dict)
    """Per table: ``{"t2": "g21", "t3": "g19", "t4": "g21"}`` or ``{"legacy": "legacy"}``."""
    facts: list[Fact] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Things the parser noticed and worked around (unknown labels, column-count mismatches)."""
