"""File → neutral document model. Knows file formats; knows nothing of annual reports."""

from extract.errors import ExtractError
from extract.model import Cell, Document, Paragraph, Table

__all__ = ["Cell", "Document", "ExtractError", "Paragraph", "Table", "extract_file"]


def extract_file(
    path, fmt: str | None = None, *, html_max_bytes: int | None = None, ocr: bool = True
) -> Document:
    """Sniff the format from content and dispatch to the matching reader (``ocr``: read the page images
    of PDFs without a text layer, see ``extract.pdf.read``; ``html_max_bytes`` overrides
    ``extract.html.MAX_BYTES``)."""
    from extract.dispatch import extract_file as _extract

    return _extract(path, fmt, html_max_bytes=html_max_bytes, ocr=ocr)
