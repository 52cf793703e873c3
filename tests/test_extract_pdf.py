"""Tests for the PDF reader, on the real corpus PDFs and on tiny PDFs written by hand below.

The hand-written PDFs cover what the corpus lacks (running headers and page numbers, Latin text, radical
code points, undecodable ``(cid:NNN)`` text, encryption, the blank-cell guard of the row-split rule).
They are built by ``_pdf`` from raw PDF syntax, so no PDF writer library is needed; encryption is the
Standard security handler, revision 2 (RC4, 40-bit), which pdfminer decrypts natively.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from collections import Counter
from functools import cache
from pathlib import Path

import docx as python_docx
import pdfplumber
import pytest

from extract import docx as docx_reader
from extract import pdf
from extract.dispatch import extract_file
from extract.errors import CorruptFile, EmptyFile, EncryptedFile, NoTextLayer
from extract.model import Document, Table

CORPUS = Path(__file__).parent / "corpus"
SEEDS = CORPUS / "seeds"
TEXT_PDFS = sorted(
    p for d in (SEEDS, CORPUS / "synthetic") for p in d.glob("*.pdf") if not p.name.endswith(".scanned.pdf")
)
SEED_NAMES = sorted(p.stem for p in SEEDS.glob("*.docx"))


@cache
def _read(path: Path) -> Document:
    return pdf.read(path)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _truth(path: Path) -> dict:
    return json.loads(path.with_name(path.name.removesuffix(".pdf") + ".truth.json").read_text("utf-8"))


def _canonical(table: Table) -> list[tuple[int, int, int, int, str]]:
    """Origin cells with whitespace-free text, on a grid that keeps only the column lines some cell uses.

    A DOCX grid can hold columns no cell boundary uses (invisible in print); the PDF cannot know them.
    """
    lines = sorted(
        {c.col for r in table.rows for c in r} | {c.col + c.colspan for r in table.rows for c in r}
    )
    at = {x: i for i, x in enumerate(lines)}
    return [
        (c.row, at[c.col], c.rowspan, at[c.col + c.colspan] - at[c.col], _squash(c.text))
        for r in table.rows
        for c in r
    ]


def _number(text: str) -> float | None:
    try:
        return float(_squash(text).replace(",", ""))
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------------
# Corpus


def test_longwan_table_three_is_joined_across_three_pages() -> None:
    doc = _read(SEEDS / "longwan-2023.pdf")
    [table] = [
        t for t in doc.tables if any(_squash(c.text) == "四、结转下年度继续办理" for r in t.rows for c in r)
    ]
    texts = {_squash(c.text) for r in table.rows for c in r}
    assert "申请人情况" in texts
    assert table.pages == (3, 4, 5)
    docx_table = python_docx.Document(str(SEEDS / "longwan-2023.docx")).tables[1]
    assert len(table.rows) == len(docx_table.rows) == 28
    # The repeated header rows of pages 4 and 5 are gone: 申请人情况 appears once.
    assert sum(_squash(c.text) == "申请人情况" for r in table.rows for c in r) == 1
    # Rows cut by the page breaks are whole again, and 三、本年度办理结果 spans all its rows across pages.
    assert "(二)部分公开（区分处理的，只计这一情形，不计其他情形）" in texts
    assert "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请" in texts
    [group] = [c for r in table.rows for c in r if _squash(c.text) == "三、本年度办理结果"]
    assert (group.row, group.col, group.rowspan, group.page) == (5, 0, 22, 3)
    last = table.rows[-1]
    assert [c.page for c in last] == [5] * 8
    assert [c.text for c in last[1:]] == ["0"] * 7


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_tables_equal_the_docx_tables(name: str) -> None:
    """Same tables, same origin cells and spans, same text as the DOCX the PDF was printed from."""
    pdf_tables = _read(SEEDS / f"{name}.pdf").tables
    docx_tables = docx_reader.read(SEEDS / f"{name}.docx").tables
    assert [_canonical(t) for t in pdf_tables] == [_canonical(t) for t in docx_tables]
    assert [t.index for t in pdf_tables] == list(range(len(pdf_tables)))


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_paragraphs_equal_the_docx_paragraphs(name: str) -> None:
    """Line groups become the DOCX paragraphs: titles over two lines joined, headings separate."""
    doc = _read(SEEDS / f"{name}.pdf")
    expected = [_squash(p.text) for p in python_docx.Document(str(SEEDS / f"{name}.docx")).paragraphs]
    assert [_squash(p.text) for p in doc.paragraphs] == [t for t in expected if t]
    assert all(p.page is not None for p in doc.paragraphs)


@pytest.mark.parametrize("path", TEXT_PDFS, ids=lambda p: p.stem)
def test_every_number_of_the_truth_is_one_table_cell(path: Path) -> None:
    """The numeric cells of all tables are exactly the truth's numbers (as a multiset): no cell lost,
    none duplicated by a repeated header or a badly joined row."""
    doc = _read(path)
    cells = Counter(v for t in doc.tables for r in t.rows for c in r if (v := _number(c.text)) is not None)
    facts = Counter(float(f["value"]) for f in _truth(path)["facts"] if f["state"] == "number")
    assert cells == facts


@pytest.mark.parametrize("path", TEXT_PDFS, ids=lambda p: p.stem)
def test_tables_are_exact_grids(path: Path) -> None:
    """Origin cells tile each grid without overlap or hole; rows, pages and indexes are consistent."""
    doc = _read(path)
    for n, table in enumerate(doc.tables):
        assert table.grid == "exact" and table.index == n
        width = max(c.col + c.colspan for r in table.rows for c in r)
        covered: Counter[tuple[int, int]] = Counter()
        for i, row in enumerate(table.rows):
            assert [c.col for c in row] == sorted(c.col for c in row)
            for c in row:
                assert c.row == i and c.page in table.pages
                covered.update(
                    (y, x) for y in range(i, i + c.rowspan) for x in range(c.col, c.col + c.colspan)
                )
        assert set(covered) == {(y, x) for y in range(len(table.rows)) for x in range(width)}
        assert max(covered.values()) == 1


def test_table_continued_from_a_lone_band_row() -> None:
    """s0053: page 1 ends with a single ruled box (a full-width band row pdfplumber does not report as
    a table); it starts the table continued on page 2 instead of becoming a paragraph."""
    doc = _read(CORPUS / "synthetic" / "s0053-qixia-jtj-2022.pdf")
    first = doc.tables[0]
    assert first.pages == (1, 2)
    assert [(c.text, c.colspan, c.page) for c in first.rows[0]] == [("第二十条第（一）项", 4, 1)]
    assert first.rows[1][0].text == "信息内容"
    assert not any(p.text == "第二十条第（一）项" for p in doc.paragraphs)


def test_tables_of_different_columns_are_not_joined() -> None:
    """weibin: table 二 and table 三 meet at nothing but a heading; table 三 and 四 differ in columns."""
    doc = _read(SEEDS / "weibin-2023.pdf")
    assert [(len(t.rows), t.pages) for t in doc.tables] == [(11, (2,)), (3, (2,)), (28, (2, 3, 4)), (4, (4,))]


@pytest.mark.parametrize("path", TEXT_PDFS, ids=lambda p: p.stem)
def test_no_paragraph_is_a_page_number_and_order_is_top_down(path: Path) -> None:
    doc = _read(path)
    assert not [p.text for p in doc.paragraphs if pdf._PAGE_NUMBER.match(p.text)]
    pages = [b.page for b in doc.blocks]
    assert pages == sorted(pages)


def test_title_lines_are_one_paragraph_and_meta() -> None:
    doc = _read(SEEDS / "longwan-2023.pdf")
    assert doc.format == "pdf"
    assert doc.paragraphs[1].text == "温州市龙湾区卫生健康局2023年度政府信息公开工作报告"
    assert doc.meta == {"pages": "6", "creation_date": "2026-11-22T11:41:40Z"}


def test_dispatch_routes_pdf_here() -> None:
    assert extract_file(SEEDS / "yinzhou-2023.pdf").format == "pdf"


def test_scanned_pdf_without_ocr_has_no_text_layer() -> None:
    with pytest.raises(NoTextLayer, match=r"no text layer \(scanned images\); OCR is switched off"):
        pdf.read(SEEDS / "weibin-2023.scanned.pdf", ocr=False)


def test_truncated_pdf_is_corrupt(tmp_path: Path) -> None:
    data = (SEEDS / "longwan-2023.pdf").read_bytes()
    half = tmp_path / "half.pdf"
    half.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFile, match="truncated"):
        pdf.read(half)


def test_not_a_pdf_and_empty_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\nthis is not a PDF body at all\n")
    with pytest.raises(CorruptFile):
        pdf.read(junk)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFile):
        pdf.read(empty)


# --------------------------------------------------------------------------------------------------
# Hand-written PDFs

PAGE_H = 842
_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_ID = bytes(range(16))


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _text(x: float, baseline: float, s: str, size: float = 12, font: str = "F1") -> str:
    """A text-showing operation; ``baseline`` counts from the top of the page like pdfplumber's ``top``."""
    if font == "F2":  # UCS-2 CJK font
        shown = "<" + s.encode("utf-16-be").hex() + ">"
    elif font == "F4":  # glyph ids without a Unicode mapping
        shown = "<" + "".join(f"{i:04x}" for i in range(1, len(s) + 1)) + ">"
    else:
        shown = "(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"
    return f"BT /{font} {size} Tf {x} {PAGE_H - baseline} Td {shown} Tj ET\n"


def _table(
    xs: list[float], top: float, rows: list[list[str]], height: float = 20, open_bottom: bool = False
) -> str:
    """A ruled grid with one line of 10 pt text per cell; ``open_bottom`` leaves out the last rule."""
    ys = [top + i * height for i in range(len(rows) + 1)]
    ops = ["0.5 w"]
    ops += [f"{x} {PAGE_H - ys[0]} m {x} {PAGE_H - ys[-1]} l S" for x in xs]
    ops += [f"{xs[0]} {PAGE_H - y} m {xs[-1]} {PAGE_H - y} l S" for y in (ys[:-1] if open_bottom else ys)]
    body = "\n".join(ops) + "\n"
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell:
                body += _text(xs[c] + 4, ys[r] + 14, cell, size=10)
    return body


def _pdf(pages: list[str], *, user_password: str | None = None, owner_password: str = "owner") -> bytes:
    """A PDF with the given content streams. Fonts: F1 Courier, F2 STSong-Light (UCS-2, not embedded),
    F3 Helvetica whose ToUnicode maps A/B to Kangxi/supplement radicals, F4 a CID font without any
    Unicode mapping. ``user_password`` (even "") encrypts the file."""
    objs: list[bytes] = []

    def add(body: str | bytes) -> int:
        objs.append(body.encode("latin-1") if isinstance(body, str) else body)
        return len(objs)

    streams: dict[int, bytes] = {}  # object number → data, written once the encryption key is known
    catalog = add("<< /Type /Catalog /Pages 2 0 R >>")
    pages_obj = add("")
    f1 = add("<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>")
    cjk_desc = add(
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 >>"
    )
    f2 = add(
        f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        f"/DescendantFonts [{cjk_desc} 0 R] >>"
    )
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Radicals def "
        b"1 begincodespacerange <00> <FF> endcodespacerange "
        b"2 beginbfchar <41> <2F42> <42> <2EA0> endbfchar endcmap end end"
    )
    tounicode = add(b"")
    streams[tounicode] = cmap
    f3 = add(f"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode {tounicode} 0 R >>")
    cid_desc = add(
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Opaque "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>"
    )
    f4 = add(
        f"<< /Type /Font /Subtype /Type0 /BaseFont /Opaque /Encoding /Identity-H "
        f"/DescendantFonts [{cid_desc} 0 R] >>"
    )
    resources = f"<< /Font << /F1 {f1} 0 R /F2 {f2} 0 R /F3 {f3} 0 R /F4 {f4} 0 R >> >>"
    kids = []
    for content in pages:
        n = add(b"")
        streams[n] = content.encode("latin-1")
        kids.append(
            add(
                f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 595 {PAGE_H}] "
                f"/Resources {resources} /Contents {n} 0 R >>"
            )
        )
    objs[pages_obj - 1] = (
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    )

    trailer = f"/Root {catalog} 0 R /ID [<{_ID.hex()}> <{_ID.hex()}>]"
    key = None
    if user_password is not None:

        def pad(pw: str) -> bytes:
            return (pw.encode("latin-1") + _PAD)[:32]

        perms = -44
        owner = _rc4(hashlib.md5(pad(owner_password)).digest()[:5], pad(user_password))
        key = hashlib.md5(pad(user_password) + owner + struct.pack("<i", perms) + _ID).digest()[:5]
        user = _rc4(key, _PAD)
        enc = add(f"<< /Filter /Standard /V 1 /R 2 /O <{owner.hex()}> /U <{user.hex()}> /P {perms} >>")
        trailer += f" /Encrypt {enc} 0 R"
    for n, data in streams.items():
        if key is not None:
            data = _rc4(hashlib.md5(key + n.to_bytes(3, "little") + b"\0\0").digest()[:10], data)
        objs[n - 1] = b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} {trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# Courier 12 pt: every glyph is 7.2 pt wide, so 22-character lines end at the same x (the right margin).
_FULL = ["Alpha beta gamma delta", "epsilon zeta eta theta"]


def test_running_headers_page_numbers_and_latin_paragraphs(tmp_path: Path) -> None:
    footers = [_text(290, 815, "- 1 -"), _text(260, 815, "第2页 共3页", font="F2"), _text(290, 815, "3/3")]
    pages = []
    for n in range(3):
        body = _text(72, 40, "ACME Annual Report") + footers[n]  # running header, page number
        body += _text(72, 120, _FULL[0]) + _text(72, 140, _FULL[1]) + _text(72, 160, "the end.")
        body += _text(100, 200, "Indented start of") + _text(72, 220, _FULL[1]) + _text(72, 240, "short.")
        pages.append(body)
    # Page 2 ends with a full line and page 3 starts with a line that is not indented: one paragraph.
    pages[1] += _text(72, 760, _FULL[0])
    doc = pdf.read(_write(tmp_path, "report.pdf", _pdf(pages)))
    first = "Alpha beta gamma delta epsilon zeta eta theta the end."
    second = "Indented start of epsilon zeta eta theta short."
    assert [(p.text, p.page) for p in doc.paragraphs] == [
        (first, 1),
        (second, 1),
        (first, 2),
        (second, 2),
        ("Alpha beta gamma delta " + first, 2),
        (second, 3),
    ]
    assert doc.meta == {"pages": "3"}


def test_kangxi_and_supplement_radicals_become_unified_ideographs(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "radicals.pdf", _pdf([_text(72, 100, "AB", font="F3") + _text(72, 120, "AB", font="F3")])
    )
    with pdfplumber.open(path) as raw:
        assert "".join(c["text"] for c in raw.pages[0].chars) == "\u2f42\u2ea0\u2f42\u2ea0"  # ⽂⺠ as printed
    assert [p.text for p in pdf.read(path).paragraphs] == ["文民文民"]


def test_cid_placeholders_are_not_a_text_layer(tmp_path: Path) -> None:
    page = "".join(_text(72, 100 + 20 * i, "xxxxxxxxxx", font="F4") for i in range(5))
    with pytest.raises(NoTextLayer, match="not decodable"):
        pdf.read(_write(tmp_path, "cid.pdf", _pdf([page])))


def test_encrypted_pdf(tmp_path: Path) -> None:
    content = [_text(72, 100, "Secret text")]
    locked = _write(tmp_path, "locked.pdf", _pdf(content, user_password="open-sesame"))
    with pytest.raises(EncryptedFile, match="encrypted/password-protected"):
        pdf.read(locked)
    # Owner-password-only encryption (permissions) opens with the empty password: it is read normally.
    restricted = _write(tmp_path, "restricted.pdf", _pdf(content, user_password=""))
    assert [p.text for p in pdf.read(restricted).paragraphs] == ["Secret text"]


_XS = [72.0, 272.0, 372.0, 472.0]


def _split_table_pdf(
    continuation: list[list[str]], xs2: list[float] = _XS, open_bottom: bool = False
) -> bytes:
    """Page 1: a paragraph, then a table ending at the foot of the page; page 2: a table at the top
    (``continuation`` are its rows), then a paragraph."""
    rows = [["Item", "A", "B"], ["x", "5", ""]]
    page1 = _text(72, 80, "Table follows.") + _table(_XS, 700, rows, open_bottom=open_bottom)
    page2 = _table(xs2, 72, continuation) + _text(72, 200, "End.")
    return _pdf([page1, page2])


def test_blank_cells_at_the_top_of_a_page_start_a_new_row(tmp_path: Path) -> None:
    """Text below a blank cell of the row above is a new row with blank cells, not the rest of a row."""
    doc = pdf.read(_write(tmp_path, "t.pdf", _split_table_pdf([["Item", "A", "B"], ["y", "", "3"]])))
    [table] = doc.tables
    assert table.pages == (1, 2)
    assert table.texts() == [["Item", "A", "B"], ["x", "5", ""], ["y", "", "3"]]
    assert [c.page for c in table.rows[2]] == [2, 2, 2]
    assert [p.text for p in doc.paragraphs] == ["Table follows.", "End."]


def test_row_split_by_the_page_break_is_one_row(tmp_path: Path) -> None:
    doc = pdf.read(
        _write(
            tmp_path, "t.pdf", _split_table_pdf([["Item", "A", "B"], ["continued", "", ""], ["z", "1", "2"]])
        )
    )
    [table] = doc.tables
    assert table.texts() == [["Item", "A", "B"], ["x\ncontinued", "5", ""], ["z", "1", "2"]]


def test_tables_with_other_columns_stay_apart(tmp_path: Path) -> None:
    doc = pdf.read(
        _write(tmp_path, "t.pdf", _split_table_pdf([["P", "Q"], ["y", "3"]], xs2=[72.0, 200.0, 472.0]))
    )
    assert [t.pages for t in doc.tables] == [(1,), (2,)]


def test_row_left_open_at_the_page_foot_continues(tmp_path: Path) -> None:
    """No rule under the last row of page 1: the row is still a table row (closed where the side rules
    end), and it continues on page 2 even though the text rule alone would start a new row there."""
    data = _split_table_pdf([["rest of x", "", "7"], ["z", "1", "2"]], open_bottom=True)
    doc = pdf.read(_write(tmp_path, "t.pdf", data))
    [table] = doc.tables
    assert table.texts() == [["Item", "A", "B"], ["x\nrest of x", "5", "7"], ["z", "1", "2"]]
    assert [c.page for c in table.rows[1]] == [1, 1, 1]
    assert [p.text for p in doc.paragraphs] == ["Table follows.", "End."]
