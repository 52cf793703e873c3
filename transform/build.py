"""Document model → Report: metadata, sections, and the facts of tables 2, 3, 4."""

from __future__ import annotations

from extract.model import Document
from transform.agency import AgencyInfo, resolve_agency
from transform.checks import evaluate_report
from transform.metadata import find_agency, find_title, find_year
from transform.narrative_numbers import narrative_numbers
from transform.report import NotAReport, Report
from transform.sections import split_sections
from transform.tables.classify import group_tables
from transform.tables.glued import recover_glued
from transform.tables.legacy import map_legacy
from transform.tables.t2 import map_t2
from transform.tables.t3 import map_t3
from transform.tables.t4 import map_t4
from transform.unread import TABLES_UNREAD, tables_unread
from transform.values import OCR_MIN_CONFIDENCE


def build_report(doc: Document) -> Report:
    title = find_title(doc)
    sections = split_sections(doc.paragraphs)
    groups = group_tables(doc.tables)
    warnings: list[str] = []
    facts = []
    generations: dict[str, str] = {}
    for table_id, mapper in (("t2", map_t2), ("t3", map_t3), ("t4", map_t4), ("legacy", map_legacy)):
        if table_id in groups:
            table_facts, gen = mapper(groups[table_id], warnings)
            facts.extend(table_facts)
            if gen:
                generations[table_id] = gen
    # tables a crawler flattened into one run of text: recovered where the identities settle the digits
    glued_facts, glued_gens, glued_checks = recover_glued(
        doc.paragraphs, set(groups) | set(generations), warnings
    )
    facts.extend(glued_facts)
    generations.update(glued_gens)
    if "t4" in generations:
        generations["t4"] = generations.get("t3") or generations.get("t2") or generations["t4"]
        for f in facts:
            if f.table_id == "t4":
                f.generation = generations["t4"]
    is_report = title is not None or any(s.section != "unclassified" for s in sections)
    if not is_report and not facts:
        raise NotAReport(
            "no report title (…政府信息公开…报告), no six-part section headings and no statistics table found: "
            "not a 政府信息公开工作年度报告"
        )
    narrative_only = not facts and not groups and not glued_checks
    # one tables_unread per report: a glued table that could not be split already says so per table
    unread = (
        None if any(c.rule_id == TABLES_UNREAD for c in glued_checks) else tables_unread(doc, groups, facts)
    )
    if unread is not None:
        warnings.append(f"tables_unread: {unread.detail}")
    elif narrative_only:
        warnings.append("no statistics table found: narrative only")
    # figures the prose states (txt_* facts, table_id 'text') and rule N-2, read after the tables
    text_facts, text_checks = narrative_numbers(sections, facts)
    _mark_ocr_text(text_facts, doc)
    facts.extend(text_facts)
    agency = find_agency(title, doc)
    report = Report(
        title=title,
        agency=agency,
        year=find_year(title, doc),
        generations=generations,
        facts=facts,
        sections=sections,
        warnings=warnings,
        agency_info=_resolve(agency, title, doc),
        narrative_only=narrative_only,
        checks=[*glued_checks, *text_checks],
    )
    # the report's own arithmetic, last: on every fact (narrative ones too); fills what hard rules determine
    evaluate_report(report)
    if unread is not None:
        report.checks.append(unread)
    return report


def _mark_ocr_text(text_facts: list, doc: Document) -> None:
    """A number quoted from a paragraph that OCR read carries that paragraph's provenance and confidence,
    and is ``uncertain`` below the OCR threshold like a table cell."""
    ocr_paras = [p for p in doc.paragraphs if p.confidence is not None]
    if not ocr_paras:
        return
    for fact in text_facts:
        sentence = "".join(fact.raw_label.split())
        for p in ocr_paras:
            if sentence and sentence in "".join(p.text.split()):
                fact.provenance, fact.confidence = "ocr", p.confidence
                if p.confidence < OCR_MIN_CONFIDENCE:
                    fact.state, fact.value = "uncertain", None
                break


def _resolve(agency: str | None, title: str | None, doc: Document) -> AgencyInfo | None:
    """Hints are the title and the opening prose: they name the city a bare 区 belongs to, and carry
    the whole-region phrases (全市共收到…) that make a government report a region aggregate."""
    if not agency:
        return None
    hints = [title or "", *(p.text for p in doc.paragraphs[:40])]
    return resolve_agency(agency, hints=hints)
