"""Recognise a file's format from its bytes, not its name (a PDF saved as ``.doc`` is a PDF)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from extract.errors import CorruptFile, EmptyFile, UnsupportedFormat

_HEAD = 4096


def sniff_format(path: Path) -> str:
    """Return ``pdf``, ``docx``, ``html`` or ``txt``; raise an ExtractError naming what the file is."""
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
