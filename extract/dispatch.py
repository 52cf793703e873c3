"""Route a file to its reader after sniffing."""

from __future__ import annotations

from pathlib import Path

from extract.model import Document
from extract.sniff import sniff_format


def extract_file(path: str | Path, fmt: str | None = None) -> Document:
    path = Path(path)
    fmt = fmt or sniff_format(path)
    if fmt == "pdf":
        from extract import pdf as reader
    elif fmt == "docx":
        from extract import docx as reader
    elif fmt == "html":
        from extract import html as reader
    elif fmt == "md":
        from extract import markdown as reader
    else:
        from extract import txt as reader
    return reader.read(path)
