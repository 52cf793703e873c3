"""The records that cross from the ingest side (discovery, parser workers) to the warehouse writer.

They live in one small module that both sides import, so the writer never imports worker or
discovery code: plain, picklable dataclasses and constants only, no Prefect, no DuckDB, no parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CHANGED_DURING_READ = "changed_during_read"
"""Transient: the writer records no documents row for it, so the next run reads the file again."""


@dataclass(slots=True, frozen=True)
class FileStat:
    path: str
    """Absolute path."""
    size: int
    mtime_ns: int


@dataclass(slots=True, frozen=True)
class KnownFile:
    """The latest ``documents`` row of a path."""

    sha256: str
    size: int
    mtime_ns: int
    status: str
    parser_version: str


@dataclass(slots=True, frozen=True)
class KnownHash:
    """The most useful ``documents`` row of a content hash (a loaded one if any)."""

    sha256: str
    status: str
    report_id: str | None
    path: str
    reason_code: str | None
    reason: str | None
    parser_version: str


@dataclass(slots=True, frozen=True)
class Candidate:
    stat: FileStat
    sha256: str


@dataclass(slots=True)
class ParsedReport:
    """A transform.Report flattened to plain rows, ready for the writer (no model classes cross the pipe)."""

    title: str | None
    agency: str | None
    year: int | None
    generations: dict[str, str]
    warnings: list[str]
    facts: list[tuple]
    """(table_id, code, party, value, state, unit, raw_label, raw_value, position, page, generation,
    provenance, confidence)"""
    narratives: list[tuple]
    """(ordinal, section, heading, text)"""
    checks: list[tuple] = field(default_factory=list)
    """(rule_id, party, severity, status, lhs, rhs, detail, imputes)"""
    agency_id: str | None = None
    """transform.agency key (``330212:卫生健康局``), or ``name:<folded name>`` when the region is
    unknown or ambiguous: a stable identity that never merges two agencies."""
    agency_fields: dict[str, object] = field(default_factory=dict)
    """The reports columns resolved from the agency name (see sql/schema/002_reports.sql)."""
    narrative_only: bool = False
    ocr_pages: list[int] = field(default_factory=list)
    """Pages the document's text was read from by OCR (empty: a text layer throughout)."""


@dataclass(slots=True)
class ParseOutcome:
    """What a worker says about one file."""

    path: str
    sha256: str
    ok: bool
    format: str | None = None
    reason_code: str | None = None
    reason: str | None = None
    report: ParsedReport | None = None
    seconds: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def rejected(cls, path: str, sha256: str, code: str, reason: str, fmt: str | None = None) -> ParseOutcome:
        return cls(path=path, sha256=sha256, ok=False, format=fmt, reason_code=code, reason=reason)
