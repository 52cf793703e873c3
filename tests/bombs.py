"""Hostile PDFs built byte by byte for the resource-limit tests (no PDF library needed to write them)."""

from __future__ import annotations

import zlib
from pathlib import Path


def _pdf(content: bytes, filters: str = "") -> bytes:
    """A one-page PDF (A4, Helvetica) whose page content stream is ``content`` (already encoded)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(content), filters.encode()) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream_bomb(path: Path, inflated_mb: int = 500) -> Path:
    """A page whose Flate content stream inflates to ``inflated_mb`` MB (of spaces: harmless to draw,
    costly only to hold) from well under a megabyte on disk."""
    z = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    packed = b"".join(z.compress(chunk) for _ in range(inflated_mb)) + z.flush()
    path.write_bytes(_pdf(packed, " /Filter /FlateDecode"))
    return path


def glyph_bomb(path: Path, glyphs: int = 1_000_000) -> Path:
    """A page showing ``glyphs`` characters (tiny text, so they fit): each becomes an object in pdfminer."""
    line = b"(" + b"0123456789" * 100 + b") Tj T* "
    lines = glyphs // 1000
    content = b"BT /F1 0.5 Tf 0.6 TL 10 830 Td " + line * lines + b"ET"
    z = zlib.compress(content, 9)
    path.write_bytes(_pdf(z, " /Filter /FlateDecode"))
    return path
