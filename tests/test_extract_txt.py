"""Plain-text reader against the real corpus: every number survives, layouts and encodings are told apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract import txt
from extract.errors import EmptyFile
from extract.model import Table
from tests.corpus_index import numeric_cells, truth_of

CORPUS = Path(__file__).parent / "corpus"
TXT_FILES = sorted([*(CORPUS / "seeds").glob("*.txt"), *(CORPUS / "synthetic").glob("*.txt")])
ORIGINALS = sorted((CORPUS / "original").glob("*.original.txt"))


@pytest.mark.parametrize("path", TXT_FILES, ids=lambda p: p.name)
def test_every_truth_number_is_a_cell(path: Path) -> None:
    truth = truth_of(path)
    doc = txt.read(path)
    numbers = [float(f["value"]) for f in truth["facts"] if f["state"] == "number"]
    cells = numeric_cells(doc)
    missing = [v for v in numbers if v not in cells]
    assert missing == []
    if truth["metadata"]["generation"] != "legacy":
        assert len(cells) == len(numbers)


@pytest.mark.parametrize("path", TXT_FILES, ids=lambda p: p.name)
def test_layout_mode_gives_grid_kind(path: Path) -> None:
    mode = truth_of(path)["layout"]["txt_mode"]
    expected = {"cells": "sequential", "tsv": "positional"}[mode]
    doc = txt.read(path)
    assert doc.tables
    assert {t.grid for t in doc.tables} == {expected}
    assert [t.index for t in doc.tables] == list(range(len(doc.tables)))


@pytest.mark.parametrize("path", TXT_FILES, ids=lambda p: p.name)
def test_encoding_is_recorded(path: Path) -> None:
    truth = truth_of(path)
    doc = txt.read(path)
    assert doc.meta["encoding"] == truth["layout"]["txt_encoding"]


@pytest.mark.parametrize("name", ["s0018-nansha-wlj-2024.txt", "s0057-licheng-zf-2018.txt"])
def test_gb18030_file_decodes(name: str) -> None:
    path = CORPUS / "synthetic" / name
    truth = truth_of(path)
    doc = txt.read(path)
    assert doc.meta["encoding"] == "gb18030"
    assert doc.paragraphs[0].text == truth["metadata"]["title"]
    assert any(truth["metadata"]["agency"] in p.text for p in doc.paragraphs)


def test_cells_layout_yinzhou() -> None:
    doc = txt.read(CORPUS / "seeds" / "yinzhou-2023.txt")
    assert [t.grid for t in doc.tables] == ["sequential"] * 3
    t2, t3, t4 = doc.tables
    assert t2.texts()[:4] == [
        ["第二十条第（一）项"],
        ["信息内容", "本年制作件数量", "本年废止件数", "现行有效件数量"],
        ["规章", "0", "0", "0"],
        ["规范性文件", "0", "0", "25"],
    ]
    # A vertically merged continuation is an empty cell, kept in place.
    assert t3.texts()[6] == [
        "",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "3",
        "0",
        "0",
        "0",
        "0",
        "0",
        "3",
    ]
    # A line break inside a cell ("\t结果", "", "维持") stays inside the cell.
    assert t4.rows[1][0].text == "结果\n维持"
    assert (t4.rows[1][0].row, t4.rows[1][0].col) == (1, 0)
    assert len(t4.rows[3]) == 15
    # Text around the tables stays paragraphs, in order.
    texts = [b.text if not isinstance(b, Table) else "<table>" for b in doc.blocks]
    assert texts[texts.index("二、主动公开政府信息情况") + 1] == "<table>"
    assert "维持" not in texts


def test_tsv_layout_longwan() -> None:
    doc = txt.read(CORPUS / "seeds" / "longwan-2023.txt")
    assert [t.grid for t in doc.tables] == ["positional"] * 3
    t2 = doc.tables[0]
    # Spanned columns stay as empty slots.
    assert t2.texts()[0] == ["第二十条第（一）项", "", "", ""]
    assert t2.texts()[6] == ["行政许可", "2518", "", ""]
    t3 = doc.tables[1]
    assert t3.texts()[3][:4] == ["一、本年新收政府信息公开申请数量", "", "", "0"]


def test_tsv_table_split_by_blank_line() -> None:
    # weibin-2023 prints table 二 as two tables (blank line between them).
    doc = txt.read(CORPUS / "seeds" / "weibin-2023.txt")
    assert len(doc.tables) == 4
    assert doc.tables[1].texts()[0] == ["第二十条第（八）项", "", "", ""]


def test_cells_table_split_by_blank_lines() -> None:
    # s0031 splits table 二 with three blank lines and wraps one header label over two lines.
    doc = txt.read(CORPUS / "synthetic" / "s0031-zhaoxian-fgj-2024.txt")
    assert len(doc.tables) == 4
    assert doc.tables[0].texts()[1] == ["信息内容", "本年\n制发件数", "本年废止件数", "现行有效件数"]
    assert doc.tables[1].texts()[0] == ["第二十条第（五）项"]


@pytest.mark.parametrize("path", ORIGINALS, ids=lambda p: p.name)
def test_raw_originals_do_not_crash(path: Path) -> None:
    doc = txt.read(path)
    assert doc.tables
    assert doc.paragraphs


def test_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff标题\r\n\r\n\t甲\r\n\t乙\r\n\r\n\t1\r\n\t\r\n\r\n\r\n结尾\r\n".encode())
    doc = txt.read(path)
    assert doc.meta["encoding"] == "utf-8-sig"
    assert [p.text for p in doc.paragraphs] == ["标题", "结尾"]
    assert doc.tables[0].texts() == [["甲", "乙"], ["1", ""]]


def test_whitespace_only_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text(" \n\n", encoding="utf-8")
    with pytest.raises(EmptyFile):
        txt.read(path)
