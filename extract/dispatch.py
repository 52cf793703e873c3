"""Route a file to its reader after sniffing."""

from __future__ import annotations

from pathlib import Path

from extract.model import Document
from extract.sniff import sniff_format


def extract_file(
    path: str | Path, fmt: str | None = None, *, html_max_bytes: int | None = None, ocr: bool = True
) -> Document:
    """The file's document model; ``html_max_bytes`` overrides ``extract.html.MAX_BYTES``; ``ocr``: read
    page images of PDFs by OCR (the other formats carry their text)."""
    path = Path(path)
    fmt = fmt or sniff_format(path)
    if fmt == "pdf":
        from extract import pdf

        return pdf.read(path, ocr=ocr)
    if fmt == "docx":
        from extract import docx as reader
    elif fmt == "html":
        from extract import html

        return html.read(path, max_bytes=html_max_bytes)
    elif fmt == "md":
        from extract import markdown as reader
    else:
        from extract import txt as reader
    return reader.read(path)
