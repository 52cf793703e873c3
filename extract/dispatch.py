"""Route a file to its reader after sniffing."""

from __future__ import annotations

from pathlib import Path

from extract.model import Document
from extract.sniff import sniff_format


def extract_file(path: str | Path, fmt: str | None = None, *, ocr: bool = True) -> Document:
    """``ocr``: read page images of PDFs by OCR (the other formats carry their text)."""
    path = Path(path)
    fmt = fmt or sniff_format(path)
    if fmt == "pdf":
        from extract import pdf

        return pdf.read(path, ocr=ocr)
    if fmt == "docx":
        from extract import docx as reader
    elif fmt == "html":
        from extract import html as reader
    else:
        from extract import txt as reader
    return reader.read(path)
