"""Worker side of the ingest: one file in, one plain picklable outcome out.

Runs inside ``ProcessPoolExecutor`` workers, so it must import neither Prefect nor DuckDB: workers are
forked from a small forkserver that has only this module (and extract/transform) loaded, which keeps
worker start-up and memory small. Every way a file can fail becomes a *rejected* outcome with a
stable ``reason_code``; nothing raised here may stop the run.
"""

from __future__ import annotations

import gc
import hashlib
import os
import signal
import stat
import time
import traceback
from importlib import metadata
from pathlib import Path

import extract
import extract.docx
import extract.html
import extract.pdf
import extract.resources
import extract.txt
import transform
from extract.errors import ExtractError
from extract.sniff import sniff_format
from flows.ingest.limits import (
    FileTimeout,
    Limits,
    MemoryCapHit,
    allow_ocr,
    apply_memory_cap,
    caused_by_memory,
    file_limits,
    memory_reason,
    release_memory,
    timeout_reason,
)
from flows.records import CHANGED_DURING_READ, ParsedReport, ParseOutcome
from transform import NotAReport

_CHUNK = 1 << 20
FAULT_ENV = "XXGK_FAULT_INJECT"
"""Test-only fault injection: ``crash:<substring>`` makes the worker process die (``os._exit``) while
parsing a file whose path contains the substring, ``raise:<substring>`` raises an unexpected error,
``hang:<substring>`` sleeps until the file's time cap stops it, ``stuck:<substring>`` sleeps with the
timer's signal blocked (like C code that never returns) until the parent kills it; several specs are
separated by commas. This is how the tests exercise BrokenProcessPool recovery with real processes."""


def _parser_version() -> str:
    """Package version + a digest of the parser code and its data (extract/, transform/).

    A rejected file is re-parsed when this changes, so fixing a reader gives earlier rejections a
    second chance without re-parsing everything that already loaded."""
    try:
        version = metadata.version("xxgk")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        version = "dev"
    digest = hashlib.sha256()
    for package in (extract, transform):
        root = Path(package.__file__).parent
        for source in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".csv", ".json")):
            digest.update(source.relative_to(root).as_posix().encode())
            digest.update(source.read_bytes())
    return f"{version}+{digest.hexdigest()[:10]}"


PARSER_VERSION = _parser_version()


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a regular file's bytes, read in 1 MiB chunks (opened read-only).

    Opened non-blocking and checked with ``fstat`` before any read, so that an entry replaced by a FIFO
    or a device after the directory walk raises instead of blocking or reading forever."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"not a regular file: {path}")
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def parser_version(ocr: bool) -> str:
    """The parser identity recorded with each document: ``--no-ocr`` runs record a different one, so a
    scan they rejected is read again (with OCR) by the next run that has OCR on."""
    return PARSER_VERSION if ocr else f"{PARSER_VERSION}+no-ocr"


def _flatten(report: transform.Report, ocr_pages: list[int]) -> ParsedReport:
    facts = [
        (
            f.table_id,
            f.code,
            f.party,
            None if f.value is None else float(f.value),
            f.state,
            f.unit,
            f.raw_label,
            f.raw_value,
            f.position,
            f.page,
            f.generation,
            f.provenance,
            f.confidence,
        )
        for f in report.facts
    ]
    narratives = [(s.ordinal, s.section, s.heading, s.text) for s in report.sections]
    checks = [
        (c.rule_id, c.party, c.severity, c.status, c.lhs, c.rhs, c.detail, c.imputes) for c in report.checks
    ]
    info = report.agency_info
    agency_id = None
    fields: dict[str, object] = {}
    if info is not None:
        agency_id = info.agency_key or f"name:{info.name}"
        fields = {
            "agency_name": info.canonical_name,
            "agency_type": info.agency_type,
            "province": info.province,
            "city": info.city,
            "county": info.county,
            "division_code": info.division_code,
            "admin_level": info.admin_level,
            "report_scope": info.scope,
            "agency_ambiguous": info.ambiguous,
            "agency_candidates": [d.label for d in info.candidates] if info.ambiguous else [],
            "predecessor_ids": [
                f"{info.division_code}:{info.local_name.removesuffix(info.type_suffix or '')}{old}"
                for old in info.predecessor_suffixes
            ]
            if info.agency_key
            else [],
        }
    return ParsedReport(
        title=report.title,
        agency=report.agency,
        year=report.year,
        generations=dict(report.generations),
        warnings=list(report.warnings),
        facts=facts,
        narratives=narratives,
        checks=checks,
        agency_id=agency_id,
        agency_fields=fields,
        narrative_only=report.narrative_only,
        ocr_pages=ocr_pages,
    )


_fault_spec = ""
_limits: Limits | None = None


def init_worker(fault_spec: str, limits: Limits | None = None) -> None:
    """Worker initializer: the fault spec and the per-file limits, and the memory cap applied to this
    process. Both are passed explicitly because forkserver workers inherit the environment of the
    forkserver (started once), not the pool creator's current one.

    SIGINT is ignored: a Ctrl-C on the terminal reaches every process of the command, and stopping is
    the command's decision (it lets the run close cleanly and then ends the workers itself)."""
    global _fault_spec, _limits  # noqa: PLW0603
    _fault_spec = fault_spec
    _limits = limits
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if limits is not None:
        apply_memory_cap(limits.memory_mb)
        extract.resources.set_before_ocr(lambda: allow_ocr(limits))


def parse_in_worker(path: str, sha256: str) -> ParseOutcome:
    """``parse_file`` as a parser worker runs it: the document's garbage is collected before the next.

    Why: python-docx's element proxies (and some of lxml's and pdfminer's objects) form reference
    cycles. A document's objects live long enough to be promoted to the collector's oldest generation,
    which CPython collects only when it has grown by a quarter, so a worker reading DOCX grew from 60 to
    ~260 MB over a few hundred files, close to the per-process memory cap. A full collection after each
    file keeps it flat; freezing what survives (the caches and tables the first files loaded, the
    outcome on its way out) keeps that collection cheap: 0.1-0.2 ms per HTML/TXT file, ~3 ms per DOCX.
    """
    try:
        return parse_file(path, sha256)
    finally:
        gc.collect()
        gc.freeze()


def _inject_fault(path: str) -> None:
    for spec in _fault_spec.split(","):
        _inject_one(spec, path)


def _inject_one(spec: str, path: str) -> None:
    kind, _, needle = spec.partition(":")
    if needle and needle in path:
        if kind == "crash":
            os._exit(70)
        if kind == "raise":
            raise RuntimeError(f"injected fault for {Path(path).name}")
        if kind in ("hang", "stuck"):
            if kind == "stuck":
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGUSR1})
            while True:
                time.sleep(60)


def _no_text_reason(message: str) -> str:
    """The operator must learn both facts: there is no text layer, and what OCR did (found nothing, was
    switched off, or cannot read this kind of page)."""
    reason = message
    if "text layer" not in reason.lower():
        reason = f"{reason} (the PDF has no text layer)"
    if "ocr" not in reason.lower():
        reason = f"{reason}; OCR does not read it"
    return reason


def parse_file(path: str, sha256: str, limits: Limits | None = None) -> ParseOutcome:
    """Sniff, extract and transform one file. Never raises for a bad file: returns a rejection.

    ``limits`` (default: the worker's, from ``init_worker``; none outside a worker) caps the parse's
    wall time and sizes and says whether page images are read by OCR (inside this worker, so the
    per-file caps and crash isolation cover OCR too); a file over a cap is rejected as ``timeout`` / ``resource_limit`` / ``too_large``
    with the figure. The memory cap itself is per process (``init_worker``).

    The file is re-hashed after parsing; if its bytes changed while we read it, the parse is
    discarded (``changed_during_read``) so that a report is never stored under the wrong hash.
    """
    started = time.perf_counter()
    limits = limits or _limits
    fmt: str | None = None
    outcome: ParseOutcome | None = None
    capped: str | None = None  # "memory" / "time": decided inside, reported after the frames are gone
    try:
        with file_limits(limits):
            _inject_fault(path)
            fmt = sniff_format(Path(path))
            document = extract.extract_file(
                path, fmt, html_max_bytes=limits.html_max_bytes if limits else None,
                ocr=limits.ocr if limits else True,
            )  # fmt: skip
            report = transform.build_report(document)
            ocr_pages = [int(p) for p in document.meta.get("ocr_pages", "").split(",") if p]
            del document
            outcome = ParseOutcome(
                path=path, sha256=sha256, ok=True, format=fmt, report=_flatten(report, ocr_pages)
            )
    except FileTimeout:
        capped = "time"
    except (MemoryError, MemoryCapHit):
        capped = "memory"
    except ExtractError as exc:
        if caused_by_memory(exc):
            capped = "memory"
        else:
            code = getattr(exc, "code", "unreadable")
            reason = _no_text_reason(str(exc)) if code == "no_text_layer" else str(exc)
            outcome = ParseOutcome.rejected(path, sha256, code, reason, fmt)
    except NotAReport as exc:
        outcome = ParseOutcome.rejected(path, sha256, getattr(exc, "code", "not_a_report"), str(exc), fmt)
    except Exception as exc:  # noqa: BLE001 - any parser bug must become a rejection, not a dead run
        if caused_by_memory(exc):
            capped = "memory"
        else:
            last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
            where = f" at {Path(last[0].filename).name}:{last[0].lineno}" if last else ""
            outcome = ParseOutcome.rejected(
                path, sha256, "parser_error", f"{type(exc).__name__}: {exc}{where}", fmt
            )
    if capped == "memory":
        release_memory()
        outcome = ParseOutcome.rejected(
            path, sha256, "resource_limit", memory_reason(limits and limits.memory_mb), fmt
        )
    elif capped == "time":
        outcome = ParseOutcome.rejected(
            path, sha256, "timeout", timeout_reason(limits and limits.file_seconds), fmt
        )
    assert outcome is not None
    try:
        if sha256_file(path) != sha256:
            outcome = ParseOutcome.rejected(
                path,
                sha256,
                CHANGED_DURING_READ,
                "the file changed while it was being read; it will be read again on the next run",
                fmt,
            )
    except OSError as exc:
        outcome = ParseOutcome.rejected(path, sha256, "unreadable", f"cannot re-read the file: {exc}", fmt)
    outcome.seconds = time.perf_counter() - started
    return outcome
