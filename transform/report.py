"""What transform hands to the loader: one report with its facts and narrative sections."""

from __future__ import annotations

from dataclasses import dataclass, field

from transform.agency import AgencyInfo

UNMAPPED_PREFIX = "unmapped:"
"""Code prefix of a printed cell whose row (or column) the dictionary does not know. The rest of the code
is the label path normalised as the dictionary normalises labels (transform.tables.common.label_key), so a
later dictionary entry can map the stored fact by a join on it, without re-parsing the document. Such
facts carry no metric: rules, the fact model (v_rep) and series never read them."""


def is_unmapped(code: str) -> bool:
    return code.startswith(UNMAPPED_PREFIX)


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
    """Canonical metric code (metrics.csv), or ``unmapped:<label path>`` for a row the dictionary does not
    know (``UNMAPPED_PREFIX``; the value is still loaded, never dropped)."""
    party: str
    """Applicant column (parties.csv) for t3, ``_`` elsewhere — except the value columns of the older
    local legacy forms: ``ytd`` (本年累计) and ``cumulative`` (历年累计) beside ``_`` (本期/本年度), so
    that nothing summing ``_`` ever adds a cumulative figure (transform/data/legacy_variants.csv)."""
    value: float | None
    state: str
    """``number`` | ``blank`` | ``dash`` | ``na_text`` | ``imputed`` | ``recovered`` | ``uncertain``. A blank
    is never a zero; an ``imputed`` value was absent from the document and filled by a rule (see
    ``Check.imputes``); a ``recovered`` value was printed, but glued to its neighbours without a cell
    separator, and the row and column identities admitted exactly one way to split the digits
    (transform.tables.glued); an ``uncertain`` cell was read by OCR below ``OCR_MIN_CONFIDENCE`` or as
    text that is not a clean number: its value is NULL and the OCR reading is in ``raw_value``."""
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
    provenance: str = "text"
    """``text`` (the file's own text) or ``ocr`` (read from a page image)."""
    confidence: float | None = None
    """OCR confidence of the cell (0–1, ``extract.model.Cell.confidence``); None for ``text``."""


@dataclass(slots=True)
class Check:
    """One evaluation of one rule of rules.csv on one report (and one applicant column for t3 rules)."""

    rule_id: str
    """``T3-A``, ``L-G``, ``N-1.g`` … (rules.csv)."""
    party: str
    """Applicant column for per-party t3 rules, the t3 code for T3-D (row rule), ``_`` otherwise."""
    severity: str
    """``hard`` | ``soft``."""
    status: str
    """``pass`` | ``fail`` | ``not_evaluable`` (a term is blank, dash or missing: unknown, never a failure)."""
    lhs: float | None
    rhs: float | None
    detail: str
    """The equation with the values used, or which term made it not evaluable."""
    imputes: str | None = None
    """``code[party]=value`` when this rule filled a missing cell (the fact's state is ``imputed``)."""


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
    checks: list[Check] = field(default_factory=list)
    """The report's own arithmetic (rules.csv, within-report rules), evaluated at ingest."""
    agency_info: AgencyInfo | None = None
    """Region, division code, type, scope and identity key resolved from ``agency`` (transform.agency)."""
    narrative_only: bool = False
    """The report has prose but no statistics table: it loads its narrative and says so."""
