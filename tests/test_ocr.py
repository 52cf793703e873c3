"""Scanned reports through offline OCR (extract.ocr, extract.raster_tables): real scans of the corpus,
read into the same neutral model as text PDFs and scored cell by cell against their truth files.

CI reads the two committed scans; the test over all twelve corpus scans runs when ../shared is there.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from extract import extract_file, raster_tables
from extract.errors import NoTextLayer
from extract.model import Document, Table
from tests.conftest import SHARED_CORPUS, scanned_documents
from tests.corpus_index import CORPUS, as_printed, doc_id_of, expected_facts
from tests.ocr_support import blank_scan, image_pdf, image_region_pdf, mixed_pdf, render, score
from transform import NotAReport, build_report
from transform.labels import fold, norm
from transform.values import OCR_MIN_CONFIDENCE

COMMITTED = [
    CORPUS / "seeds" / "weibin-2023.scanned.pdf",
    CORPUS / "synthetic" / "s0022-huyi-scjgj-2022.scanned.pdf",
]
REQUIRED_ACCURACY = 0.995


@cache
def read(path: Path) -> Document:
    return extract_file(path)


def _read_and_build(path: Path) -> tuple[Document, object]:
    doc = extract_file(path)
    return doc, build_report(doc)


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_committed_scan_loads_its_truth_cells(path: Path) -> None:
    doc = read(path)
    assert doc.meta["ocr_pages"] == ",".join(str(i) for i in range(1, int(doc.meta["pages"]) + 1))
    s = score(build_report(doc), doc_id_of(path))
    assert s.silent == [], f"{s.line()}: wrong or missing cells nothing flags: {s.silent}"
    assert s.accuracy >= REQUIRED_ACCURACY, s.line()
    assert s.extra == []


def test_scan_facts_say_they_come_from_ocr() -> None:
    report = build_report(read(COMMITTED[0]))
    table = [f for f in report.facts if f.table_id != "text"]
    assert table and all(f.provenance == "ocr" for f in table)
    assert all(f.confidence is not None and 0.0 <= f.confidence <= 1.0 for f in table)
    for f in table:
        if f.state == "uncertain":
            assert f.value is None
        if f.state == "number":
            assert f.confidence >= OCR_MIN_CONFIDENCE


def test_scan_sections_and_metadata_read_like_the_text_pdf() -> None:
    scan = build_report(read(COMMITTED[0]))
    text = build_report(extract_file(CORPUS / "seeds" / "weibin-2023.pdf"))
    assert (scan.year, scan.agency, scan.title) == (text.year, text.agency, text.title)
    assert [s.section for s in scan.sections] == [s.section for s in text.sections]


def _with_cell(doc: Document, code_cell: tuple[int, int, int], **changes: object) -> Document:
    """A copy of ``doc`` with one cell (table index, row, col) changed."""
    t_index, row, col = code_cell
    blocks = []
    for b in doc.blocks:
        if isinstance(b, Table) and b.index == t_index:
            rows = [
                [dataclasses.replace(c, **changes) if (c.row, c.col) == (row, col) else c for c in r]
                for r in b.rows
            ]
            b = dataclasses.replace(b, rows=rows)
        blocks.append(b)
    return dataclasses.replace(doc, blocks=blocks)


def _cell_of(report, code: str, party: str) -> tuple[int, int, int]:
    fact = next(f for f in report.facts if (f.code, f.party) == (code, party))
    # position: "table 3, row 7, col 4" (1-based)
    parts = [int(p.split()[-1]) - 1 for p in fact.position.split(",")]
    return parts[0], parts[1], parts[2]


def test_low_confidence_cell_loads_uncertain_with_its_reading() -> None:
    doc = read(COMMITTED[0])
    where = _cell_of(build_report(doc), "lic_decisions", "_")
    report = build_report(_with_cell(doc, where, confidence=0.42))
    fact = next(f for f in report.facts if f.code == "lic_decisions")
    assert (fact.state, fact.value, fact.raw_value, fact.confidence) == ("uncertain", None, "858", 0.42)


def test_unclean_reading_loads_uncertain() -> None:
    doc = read(COMMITTED[0])
    where = _cell_of(build_report(doc), "pen_decisions", "_")
    report = build_report(_with_cell(doc, where, text="5O"))
    fact = next(f for f in report.facts if f.code == "pen_decisions")
    assert (fact.state, fact.value, fact.raw_value) == ("uncertain", None, "5O")


def test_uncertain_t3_cell_is_imputed_where_the_rules_determine_it() -> None:
    doc = read(COMMITTED[0])
    where = _cell_of(build_report(doc), "req_new", "natural_person")
    report = build_report(_with_cell(doc, where, confidence=0.3))
    fact = next(f for f in report.facts if (f.code, f.party) == ("req_new", "natural_person"))
    assert (fact.state, fact.value, fact.raw_value) == ("imputed", 0.0, "0")


def test_confident_misreading_fails_a_hard_check_that_names_the_ocr_cell() -> None:
    doc = read(COMMITTED[0])
    where = _cell_of(build_report(doc), "req_new", "total")
    report = build_report(_with_cell(doc, where, text="8"))
    failed = [c for c in report.checks if c.status == "fail" and c.severity == "hard"]
    assert failed
    named = [c for c in failed if "OCR cells:" in c.detail and "req_new[total] '8'" in c.detail]
    assert named, [c.detail for c in failed]
    assert f"page 2, table {where[0] + 1}, row {where[1] + 1}, col {where[2] + 1}" in named[0].detail


def test_mixed_pdf_with_a_scanned_statistics_page_loads_exactly(tmp_path: Path) -> None:
    src = CORPUS / "seeds" / "weibin-2023.pdf"
    mixed = tmp_path / "weibin-2023.mixed.pdf"
    mixed_pdf(src, 1, mixed)  # page 2: table 二 and the start of table 三, as a picture
    doc = extract_file(mixed)
    assert doc.meta["ocr_pages"] == "2"
    report = build_report(doc)
    got = as_printed(
        (f.table_id, f.code, f.party, f.value, f.state) for f in report.facts if f.table_id != "text"
    )
    assert got == expected_facts("weibin-2023")
    by_code = {(f.code, f.party): f for f in report.facts}
    assert by_code[("lic_decisions", "_")].provenance == "ocr"  # printed on the pictured page
    assert by_code[("rev_total", "_")].provenance == "text"  # table 四, page 4


def test_text_page_with_a_pasted_in_table_image_loads_exactly(tmp_path: Path) -> None:
    src = CORPUS / "seeds" / "weibin-2023.pdf"
    path = tmp_path / "weibin-2023.pasted.pdf"
    image_region_pdf(src, 1, 610.0, path)  # page 2 below table 二: heading 三 and the start of table 三
    doc = extract_file(path)
    assert doc.meta["ocr_pages"] == "2"
    report = build_report(doc)
    got = as_printed(
        (f.table_id, f.code, f.party, f.value, f.state) for f in report.facts if f.table_id != "text"
    )
    assert got == expected_facts("weibin-2023")
    by_code = {(f.code, f.party): f for f in report.facts}
    assert by_code[("req_new", "total")].provenance == "ocr"  # the pictured first row of table 三
    assert by_code[("lic_decisions", "_")].provenance == "text"  # table 二, above the picture
    assert by_code[("out_granted", "total")].provenance == "text"  # table 三 continues as text on page 3


def test_scan_that_is_not_a_report_is_rejected_as_not_a_report(tmp_path: Path) -> None:
    page, _, _ = render(COMMITTED[0], 1)
    prose = np.full((1754, 1241), 245, dtype=np.uint8)
    prose[200:520] = np.asarray(page)[200:520]  # two paragraphs of prose, no title, no heading, no table
    path = tmp_path / "letter.pdf"
    image_pdf([Image.fromarray(prose)], path)
    doc = extract_file(path)
    assert doc.tables == [] and doc.paragraphs
    with pytest.raises(NotAReport):
        build_report(doc)


def test_blank_scan_is_no_text_layer_because_ocr_found_no_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    image_pdf([blank_scan(), blank_scan(8)], path)
    with pytest.raises(NoTextLayer, match="OCR found no text on its 2 image pages"):
        extract_file(path)


def test_no_ocr_rejects_a_scan() -> None:
    with pytest.raises(NoTextLayer, match="OCR is switched off"):
        extract_file(COMMITTED[0], ocr=False)


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="the 12 corpus scans are in ../shared/corpus")
def test_every_corpus_scan_loads_with_no_silent_error() -> None:
    paths = [p for p in scanned_documents() if SHARED_CORPUS in p.parents or p in COMMITTED]
    assert len(paths) >= 12
    with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        built = list(pool.map(_read_and_build, paths))
    scores = [score(report, doc_id_of(p)) for p, (_, report) in zip(paths, built, strict=True)]
    lines = "\n".join(s.line() for s in scores)
    exact, total = sum(s.exact for s in scores), sum(s.total for s in scores)
    assert [(s.doc_id, s.silent) for s in scores if s.silent] == [], lines
    assert exact / total >= REQUIRED_ACCURACY, f"{exact}/{total}\n{lines}"


# ---- regression fixtures: each misreading the corpus scans showed, at the level of its rule -----------


def _ruled_page() -> np.ndarray:
    """A tiny ruled table drawn at 150 dpi: 3 × 3 cells, the first row one merged cell, a dash in one
    cell, a speck beside a digit, the whole page turned by 0.6°."""
    page = np.full((700, 900), 245, dtype=np.uint8)
    xs, ys = [100, 400, 600, 800], [100, 160, 220, 280]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 20, 2)
    cv2.line(page, (xs[0], ys[0]), (xs[0], ys[-1]), 20, 2)
    cv2.line(page, (xs[-1], ys[0]), (xs[-1], ys[-1]), 20, 2)
    for x in xs[1:-1]:
        cv2.line(page, (x, ys[1]), (x, ys[-1]), 20, 2)  # row 0 is one merged cell
    cv2.line(page, (470, 250), (530, 250), 20, 2)  # the printed dash ——, inside cell (2, 1)
    cv2.putText(page, "12", (680, 200), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2)
    page[198:201, 720:723] = 20  # a speck right of the digits
    m = cv2.getRotationMatrix2D((450, 350), 0.6, 1.0)
    return cv2.warpAffine(page, m, (900, 700), borderValue=245)


def test_deskew_then_grid_with_spans_from_the_rulings() -> None:
    gray = _ruled_page()
    ink = raster_tables.binarise(gray)
    angle = raster_tables.skew_angle(ink)
    assert abs(abs(angle) - 0.6) < 0.15
    gray = raster_tables.rotate(gray, angle)
    tables = raster_tables.find_tables(raster_tables.binarise(gray))
    assert len(tables) == 1
    cells = {(c.row, c.col): (c.rowspan, c.colspan) for c in tables[0].cells}
    assert cells == {(0, 0): (1, 3), **{(r, c): (1, 1) for r in (1, 2) for c in range(3)}}


def test_a_dash_printed_in_a_cell_is_not_a_rule() -> None:
    gray = raster_tables.rotate(
        _ruled_page(), raster_tables.skew_angle(raster_tables.binarise(_ruled_page()))
    )
    ink = raster_tables.binarise(gray)
    tables = raster_tables.find_tables(ink)
    clean = raster_tables.erase_rules(gray, ink, tables)
    cell = next(c for c in tables[0].cells if (c.row, c.col) == (2, 1))
    found = raster_tables.marks(raster_tables.binarise(clean), cell.box, 10)
    assert raster_tables.is_dash(found, 25)


def test_dust_beside_a_number_is_wiped_and_a_decimal_point_kept() -> None:
    page = np.full((80, 300), 245, dtype=np.uint8)
    cv2.putText(page, "5.6", (20, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 20, 2)
    page[47:50, 120:123] = 20  # dust after the number
    ink = raster_tables.binarise(page)
    out = raster_tables.remove_dust(page, ink)
    assert out[48, 121] > 200  # the speck is gone
    assert (out[30:52, 15:110] < 128).sum() == (page[30:52, 15:110] < 128).sum()  # "5.6" untouched


def test_label_with_a_lost_closing_bracket_matches() -> None:
    assert norm("（二）部分公开（区分处理的，只计这一情形，不计其他情形") == norm("部分公开")


def test_ocr_look_alike_glyphs_fold_together() -> None:
    assert fold("尚末审结") == fold("尚未审结")


def test_stray_mark_and_misread_colon_before_a_label() -> None:
    assert norm("·其他\n结果") == norm("其他结果")
    assert norm("其中。主要负责同志参加新闻发布会次数") == norm("其中：主要负责同志参加新闻发布会次数")


def test_legacy_row_whose_ordinal_lost_its_comma_keeps_its_group() -> None:
    """OCR read 五、行政诉讼数量 as 五行政诉讼数量: the row still matches, and the 被依法纠错数 under it
    is the lawsuits' one, not the reconsiderations' (the repeated label is told apart by its group)."""
    from extract.model import Cell
    from transform.tables.legacy import map_legacy

    labels = [
        ("统计指标", "单位", "统计数"),
        ("四、行政复议数量", "件", "3"),
        ("（二）被依法纠错数", "件", "1"),
        ("五行政诉讼数量", "件", "4"),
        ("（二）被依法纠错数", "件", "2"),
    ]
    rows = [[Cell(text=t, row=r, col=c) for c, t in enumerate(texts)] for r, texts in enumerate(labels)]
    facts, _ = map_legacy([Table(rows=rows)], [])
    got = {f.code: f.value for f in facts}
    assert got == {"l_rev_total": 3.0, "l_rev_corrected": 1.0, "l_lit_total": 4.0, "l_lit_corrected": 2.0}
