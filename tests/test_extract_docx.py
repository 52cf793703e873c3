"""DOCX reader against the real corpus (merged cells, numbers) and hand-built packages (sdt, gridBefore, bombs)."""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path

import docx as python_docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from extract import docx
from extract.errors import CorruptFile, TooLarge
from extract.model import Paragraph, Table
from tests.corpus_index import numeric_cells, truth_of

CORPUS = Path(__file__).parent / "corpus"
DOCX_FILES = sorted([*(CORPUS / "seeds").glob("*.docx"), *(CORPUS / "synthetic").glob("*.docx")])
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _find(table: Table, text: str) -> list:
    return [c for row in table.rows for c in row if c.text == text]


@pytest.mark.parametrize("path", DOCX_FILES, ids=lambda p: p.name)
def test_every_truth_number_is_a_cell(path: Path) -> None:
    truth = truth_of(path)
    doc = docx.read(path)
    numbers = [float(f["value"]) for f in truth["facts"] if f["state"] == "number"]
    cells = numeric_cells(doc)
    assert [v for v in numbers if v not in cells] == []
    if truth["metadata"]["generation"] != "legacy":
        assert len(cells) == len(numbers)


@pytest.mark.parametrize("path", DOCX_FILES, ids=lambda p: p.name)
def test_grid_is_consistent(path: Path) -> None:
    """Origin cells never overlap and every row is covered up to the same width."""
    for table in docx.read(path).tables:
        assert table.grid == "exact"
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(table.rows):
            for cell in row:
                assert cell.row == r
                slots = {
                    (rr, cc)
                    for rr in range(cell.row, cell.row + cell.rowspan)
                    for cc in range(cell.col, cell.col + cell.colspan)
                }
                assert not slots & taken
                taken |= slots
        width = max(c for _, c in taken) + 1
        assert taken == {(r, c) for r in range(len(table.rows)) for c in range(width)}


def test_merged_cells_yinzhou() -> None:
    doc = docx.read(CORPUS / "seeds" / "yinzhou-2023.docx")
    assert len(doc.tables) == 3
    t2, t3, t4 = doc.tables
    # gridSpan: a block band across the whole table, once.
    (band,) = _find(t2, "第二十条第（一）项")
    assert (band.row, band.col, band.rowspan, band.colspan) == (0, 0, 1, 4)
    (header,) = _find(t3, "申请人情况")
    assert (header.row, header.col, header.rowspan, header.colspan) == (0, 3, 1, 7)
    (legal,) = _find(t3, "法人或其他组织")
    assert (legal.row, legal.col, legal.colspan) == (1, 4, 5)
    # vMerge: the row-group label appears once, spanning its rows; the continuations are omitted.
    (group,) = _find(t3, "三、本年度办理结果")
    assert (group.row, group.col, group.rowspan, group.colspan) == (5, 0, 20, 1)
    (refused,) = _find(t3, "（三）不予公开")
    assert (refused.row, refused.col, refused.rowspan) == (7, 1, 8)
    assert [c.col for c in t3.rows[8]] == list(range(2, 10))
    # Both kinds together: the note cell spans 3 header rows and 3 columns.
    note = t3.rows[0][0]
    assert note.text.startswith("（本列数据的勾稽关系为")
    assert (note.rowspan, note.colspan) == (3, 3)
    # A line break inside a cell is kept.
    assert t4.rows[1][0].text == "结果\n维持"
    assert (t4.rows[1][0].rowspan, t4.rows[1][0].col) == (2, 0)
    assert [c.col for c in t4.rows[3]] == list(range(15))
    assert [t.index for t in doc.tables] == [0, 1, 2]


def test_body_order() -> None:
    doc = docx.read(CORPUS / "seeds" / "yinzhou-2023.docx")
    kinds = ["T" if isinstance(b, Table) else b.text for b in doc.blocks]
    assert kinds[0] == "一、总体情况"
    i = kinds.index("二、主动公开政府信息情况")
    assert kinds[i + 1 : i + 4] == ["T", "三、收到和处理政府信息公开申请情况", "T"]
    assert all(p.text for p in doc.paragraphs)


def _build(path: Path) -> None:
    """A small document with a title, a heading, a merged table wrapped in a content control and gridBefore."""
    d = python_docx.Document()
    d.core_properties.title = "测试标题"
    d.add_heading("第一章", level=1)
    d.add_paragraph("正文一")
    table = d.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1))  # gridSpan 2
    table.cell(1, 0).merge(table.cell(2, 0))  # vMerge restart/continue
    table.cell(0, 0).text = "横向合并"
    table.cell(1, 0).text = "纵向合并"
    table.cell(0, 2).text = "甲"
    table.cell(1, 1).text = "1"
    table.cell(1, 2).text = "2"
    table.cell(2, 1).text = "3"
    table.cell(2, 2).paragraphs[0].text = "第一段"
    table.cell(2, 2).add_paragraph("第二段")
    nested = table.cell(2, 2).add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "内表A"
    nested.cell(0, 1).text = "内表B"
    d.add_paragraph("正文二")
    second = d.add_table(rows=2, cols=2)
    second.cell(0, 0).text = "左"
    second.cell(0, 1).text = "右"
    second.cell(1, 1).text = "只在右"
    d.add_paragraph("结尾")
    body = d.element.body
    # Wrap the first table in a content control: python-docx's iter_inner_content() cannot see it.
    tbl = table._tbl
    sdt = parse_xml(f'<w:sdt xmlns:w="{W_NS}"><w:sdtPr/><w:sdtContent/></w:sdt>')
    tbl.addprevious(sdt)
    sdt.find(qn("w:sdtContent")).append(tbl)
    # Second table, row 2: one cell preceded by one skipped grid column (w:gridBefore).
    tr = second._tbl.tr_lst[1]
    tr.remove(tr.tc_lst[0])
    tr_pr = parse_xml(f'<w:trPr xmlns:w="{W_NS}"><w:gridBefore w:val="1"/></w:trPr>')
    tr.insert(0, tr_pr)
    assert len(body.findall(qn("w:tbl"))) == 1
    d.save(str(path))


def test_built_document(tmp_path: Path) -> None:
    path = tmp_path / "built.docx"
    _build(path)
    # python-docx itself does not see the table inside the content control.
    assert len(python_docx.Document(str(path)).tables) == 1
    doc = docx.read(path)
    assert doc.meta == {"title": "测试标题"}
    kinds = [("T", b.index) if isinstance(b, Table) else (b.text, b.style) for b in doc.blocks]
    assert kinds == [
        ("第一章", "Heading 1"),
        ("正文一", "Normal"),
        ("T", 0),
        ("正文二", "Normal"),
        ("T", 1),
        ("结尾", "Normal"),
    ]
    first, second = doc.tables
    assert [[(c.text, c.row, c.col, c.rowspan, c.colspan) for c in row] for row in first.rows] == [
        [("横向合并", 0, 0, 1, 2), ("甲", 0, 2, 1, 1)],
        [("纵向合并", 1, 0, 2, 1), ("1", 1, 1, 1, 1), ("2", 1, 2, 1, 1)],
        [("3", 2, 1, 1, 1), ("第一段\n第二段\n内表A\n内表B", 2, 2, 1, 1)],
    ]
    assert [[(c.text, c.col) for c in row] for row in second.rows] == [
        [("左", 0), ("右", 1)],
        [("只在右", 1)],
    ]
    assert all(isinstance(b, Paragraph) or b.grid == "exact" for b in doc.blocks)


def test_truncated_docx_is_corrupt(tmp_path: Path) -> None:
    data = (CORPUS / "seeds" / "yinzhou-2023.docx").read_bytes()
    path = tmp_path / "truncated.docx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFile, match="truncated"):
        docx.read(path)


def test_package_without_document_part_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "hollow.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("docProps/app.xml", "<Properties/>")
    with pytest.raises(CorruptFile):
        docx.read(path)


def test_malformed_xml_is_corrupt(tmp_path: Path) -> None:
    source = CORPUS / "synthetic" / "s0046-xihu-fgj-2018.docx"
    path = tmp_path / "badxml.docx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    with pytest.raises(CorruptFile, match="XML"):
        docx.read(path)


def _copy_with_member(tmp_path: Path, name: str, size_mb: int) -> Path:
    path = tmp_path / "bomb.docx"
    shutil.copy(CORPUS / "synthetic" / "s0046-xihu-fgj-2018.docx", path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open(name, "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(size_mb):
                fh.write(chunk)
    return path


def test_zip_bomb_ratio_is_too_large(tmp_path: Path) -> None:
    path = _copy_with_member(tmp_path, "word/media/image1.bin", 20)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(TooLarge, match="compresses"):
        docx.read(path)


def test_zip_bomb_total_is_too_large(tmp_path: Path) -> None:
    path = _copy_with_member(tmp_path, "word/media/image1.bin", 201)
    with pytest.raises(TooLarge, match="200 MB"):
        docx.read(path)


def test_damaged_grid_spans_are_clipped_at_the_column_limit() -> None:
    """gridSpan / gridBefore of 99999999 (a damaged file) used to walk every grid slot: a hang."""
    from extract.docx import MAX_GRID_COLUMNS

    path = Path(__file__).parent / "fixtures" / "regressions" / "docx-huge-gridspan.docx"
    started = time.monotonic()
    table = docx.read(path).tables[0]
    assert time.monotonic() - started < 5
    assert [[(c.text, c.col, c.colspan) for c in row] for row in table.rows] == [
        [("收到申请数", 0, MAX_GRID_COLUMNS), ("3", MAX_GRID_COLUMNS, 1)],
        [("办结", MAX_GRID_COLUMNS, MAX_GRID_COLUMNS), ("2", 2 * MAX_GRID_COLUMNS, 1)],
    ]
