"""Recognise a file's format from its bytes, not its name (a PDF saved as ``.doc`` is a PDF).

Text files are told apart by evidence in their content, because real reports arrive as fragments that
carry no ``<html>``/``<body>`` (a CMS export of the article body, the report HTML a portal keeps in a
JavaScript string) and as Markdown from PDF converters, under any name. The name only breaks ties
where the evidence is weak: a ``.html`` file with two tags is HTML, a ``.txt`` file that mentions
``<p>`` once is text.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from extract.errors import CorruptFile, EmptyFile, UnsupportedFormat

_HEAD = 4096


def sniff_format(path: Path) -> str:
    """Return ``pdf``, ``docx``, ``html``, ``md`` or ``txt``; raise an ExtractError naming what the file is."""
    size = path.stat().st_size
    if size == 0:
        raise EmptyFile("the file is empty (0 bytes)")
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise EmptyFile("the file contains only whitespace")
    if head[:1024].find(b"%PDF-") != -1:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(path)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UnsupportedFormat(
            "legacy binary Office file (.doc/.wps/.xls, OLE2): convert it to .docx or PDF first"
        )
    if head.startswith(b"{\\rtf"):
        raise UnsupportedFormat("RTF document: convert it to .docx or PDF first")
    for magic, name in _IMAGE_MAGIC:
        if head.startswith(magic):
            raise UnsupportedFormat(f"{name} image: no text to read (OCR is not available)")
    if _looks_binary(head):
        raise UnsupportedFormat("binary file of an unknown type")
    lowered = stripped[:2048].lower()
    if (
        lowered.startswith((b"<!doctype html", b"<html", b"<?xml"))
        or b"<html" in lowered
        or b"<body" in lowered
    ):
        return "html"
    with path.open("rb") as fh:
        sample = fh.read(_TEXT_SAMPLE)
    return sniff_text(_ascii_view(sample), path.suffix.lower())


_TEXT_SAMPLE = 256 * 1024
"""Bytes of a text file weighed for markup: a Markdown file may print narrative for pages before its
first table, and a whole report is rarely larger than this."""

HTML_EXTENSIONS = frozenset({".html", ".htm", ".shtml", ".xhtml", ".xht", ".asp", ".aspx", ".jsp", ".php"})
MD_EXTENSIONS = frozenset({".md", ".markdown", ".mdown", ".mkd"})

HTML_STRONG = 6
"""Tags and entities that make a text file HTML whatever its name (a fragment's first paragraph alone
prints ``<p …>``, ``<span>``, ``&nbsp;`` several times)."""
HTML_WEAK = 2
"""Below ``HTML_STRONG``: HTML only when the name says so."""

_TAG = re.compile(
    r"<(/?)(p|div|span|table|tbody|thead|tfoot|tr|td|th|br|strong|b|i|u|em|font|h[1-6]|ul|ol|li|img|a|"
    r"section|article|center|sup|sub|col|colgroup|caption|hr|blockquote|pre|o:p)(?=[\s>/])[^<>]{0,2000}>",
    re.I,
)
_TABLE_ELEMENT = re.compile(r"<table\b.*?</table\s*>", re.I | re.S)
_ENTITY = re.compile(r"&(?:nbsp|lt|gt|amp|quot|apos|ensp|emsp|ldquo|rdquo|lsquo|rsquo|mdash|hellip|middot|"
                     r"#\d{2,7}|#x[0-9a-f]{2,6});", re.I)  # fmt: skip
_JS_ESCAPES = re.compile(r"\\u003c|\\x3c|\\u003e|\\x3e|\\\"|\\/", re.I)
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.M)
_MD_DELIMITER = re.compile(r"^ {0,3}\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$", re.M)
_MD_EMPHASIS_LINE = re.compile(r"^ {0,3}\*\*[^*\n]+\*\*[ \t]*$", re.M)


def _ascii_view(sample: bytes) -> str:
    """The sample as text good enough for ASCII evidence: markup and Markdown syntax are ASCII, and no
    multi-byte character of UTF-8 or GBK contains an ASCII byte, so undecodable bytes can be dropped."""
    for bom, name in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if sample.startswith(bom):
            return sample[2:].decode(name, errors="ignore")
    return sample.decode("utf-8", errors="ignore")


def _unescape_js_markup(text: str) -> str:
    """Undo the escapes a JS/JSON string literal puts on markup (``\\u003cp``, ``\\"``, ``<\\/td>``)."""
    return _JS_ESCAPES.sub(lambda m: {"u003c": "<", "x3c": "<", "u003e": ">", "x3e": ">", '"': '"', "/": "/"}[
        m.group().lower().lstrip("\\")], text)  # fmt: skip


def markup_evidence(text: str) -> tuple[int, int, int]:
    """(tags and entities, of which outside ``<table>`` elements, tags alone): how much HTML the text
    carries. Entities alone are no markup: crawler text stripped of its tags often keeps ``&nbsp;``."""
    text = _unescape_js_markup(text)
    outside = _TABLE_ELEMENT.sub(" ", text)
    tags = len(_TAG.findall(text))
    return tags + len(_ENTITY.findall(text)), len(_TAG.findall(outside)) + len(_ENTITY.findall(outside)), tags


def markdown_evidence(text: str) -> tuple[int, int]:
    """(table delimiter rows, headings and bold heading lines) at line starts."""
    return len(_MD_DELIMITER.findall(text)), len(_MD_HEADING.findall(text)) + len(
        _MD_EMPHASIS_LINE.findall(text)
    )


def _bare_lines(text: str) -> int:
    """Lines of prose outside markup: Markdown keeps its paragraphs bare, an HTML fragment wraps them."""
    return sum(1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("<", "|")))


def sniff_text(text: str, suffix: str = "") -> str:
    """``html``, ``md`` or ``txt`` for a text file, from its content; ``suffix`` only breaks ties.

    - A Markdown table delimiter row (``|---|---|``), or three headings, is Markdown: neither occurs at a
      line start in an HTML fragment or in a plain-text report.
    - ``HTML_STRONG`` tags/entities (``HTML_WEAK`` of them tags) are HTML, unless the only markup is tables amid bare prose lines: that
      is Markdown keeping its tables as ``<table>`` HTML (PDF-to-Markdown converters do).
    - Weaker evidence decides only together with the name.
    """
    delimiters, headings = markdown_evidence(text)
    markup, outside_tables, tags = markup_evidence(text)
    is_md_name, is_html_name = suffix in MD_EXTENSIONS, suffix in HTML_EXTENSIONS
    if delimiters or headings >= 3:
        return "md"
    if markup >= HTML_STRONG and tags >= HTML_WEAK:
        tables_in_prose = outside_tables < HTML_WEAK and _bare_lines(text) >= 3
        return "md" if tables_in_prose or (is_md_name and headings) else "html"
    if is_html_name and tags >= HTML_WEAK:
        return "html"
    if is_md_name and (headings or tags):
        return "md"
    return "txt"


_IMAGE_MAGIC = (
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        raise CorruptFile(f"damaged ZIP container ({exc}); a .docx may be truncated") from exc
    if "word/document.xml" in names:
        return "docx"
    if any(n.startswith("xl/") for n in names):
        raise UnsupportedFormat("Excel workbook (.xlsx): not a report document")
    if any(n.startswith("ppt/") for n in names):
        raise UnsupportedFormat("PowerPoint file (.pptx): not a report document")
    if "[Content_Types].xml" in names:
        raise CorruptFile("Office package without word/document.xml")
    raise UnsupportedFormat("ZIP archive: unpack it into the drop directory instead")


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        # UTF-16 text has many NULs too; accept it only with a BOM.
        return not head.startswith((b"\xff\xfe", b"\xfe\xff"))
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > len(head) * 0.05
