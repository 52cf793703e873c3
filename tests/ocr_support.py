"""Helpers of the OCR tests: score a report read from a scan against its truth file, build image PDFs.

Scoring follows the rule the OCR path promises: every truth cell is either reproduced exactly, or the
loaded fact says it is in doubt (``uncertain``, or ``imputed`` from an uncertain reading to the right
value), or a failing hard check names it. Anything else is a *silent* error.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from tests.corpus_index import truth
from transform.report import Report
from transform.values import OCR_MIN_CONFIDENCE


@dataclass
class Score:
    doc_id: str
    total: int = 0
    exact: int = 0
    flagged: list[tuple] = field(default_factory=list)
    caught: list[tuple] = field(default_factory=list)
    silent: list[tuple] = field(default_factory=list)
    extra: list[tuple] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.exact / self.total if self.total else 0.0

    def line(self) -> str:
        return (
            f"{self.doc_id}: {self.exact}/{self.total} exact ({100 * self.accuracy:.2f} %), "
            f"{len(self.flagged)} flagged, {len(self.caught)} caught by a failing hard check, "
            f"{len(self.silent)} silent"
        )


def _was_blank(fact) -> bool:
    """An imputed fact whose cell OCR read as confidently empty (the document printed it blank)."""
    return fact.raw_value == "" and (fact.confidence is None or fact.confidence >= OCR_MIN_CONFIDENCE)


def score(report: Report, doc_id: str) -> Score:
    expected = {
        (f["code"], f["party"]): (None if f["value"] is None else float(f["value"]), f["state"])
        for f in truth(doc_id)["facts"]
    }
    got = {(f.code, f.party): f for f in report.facts if f.table_id != "text"}
    failing = [c for c in report.checks if c.status == "fail" and c.severity == "hard"]
    s = Score(doc_id, total=len(expected))
    for (code, party), (value, state) in sorted(expected.items()):
        fact = got.get((code, party))
        if fact is not None and (fact.state, fact.value) == (state, value):
            s.exact += 1
            continue
        if fact is not None and state == "blank" and fact.state == "imputed" and _was_blank(fact):
            s.exact += 1  # printed blank, filled by a rule: as printed it is the truth's blank
            continue
        row = (
            code,
            party,
            value,
            state,
            None if fact is None else (fact.state, fact.raw_value, fact.confidence),
        )
        if fact is not None and fact.state == "uncertain":
            s.flagged.append(row)
            continue
        if fact is not None and fact.state == "imputed" and fact.value == value and not _was_blank(fact):
            s.flagged.append(row)  # unreadable, determined by the rules to the right value
            continue
        name = code if party == "_" else f"{code}[{party}]"
        if fact is not None and any(re.search(re.escape(name) + r"(?![\w\[])", c.detail) for c in failing):
            s.caught.append(row)
            continue
        s.silent.append(row)
    s.extra = sorted((k, f.state, f.raw_value) for k, f in got.items() if k not in expected)
    return s


# ---- building image PDFs -----------------------------------------------------------------------------


def add_image_page(
    pdf: pdfium.PdfDocument, image: Image.Image, width: float, height: float, index: int
) -> None:
    """Insert a page at ``index`` that is only ``image`` (grey JPEG) scaled to width × height points."""
    buf = io.BytesIO()
    image.convert("L").save(buf, format="JPEG", quality=90)
    buf.seek(0)
    page = pdf.new_page(width, height, index=index)
    obj = pdfium.PdfImage.new(pdf)
    obj.load_jpeg(buf, inline=False, autoclose=True)
    obj.set_matrix(pdfium.PdfMatrix().scale(width, height))
    page.insert_obj(obj)
    page.gen_content()


def render(path: Path, index: int, dpi: float = 150) -> tuple[Image.Image, float, float]:
    """Page ``index`` of a PDF as a grey image (a scanner's view of it) and its size in points."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[index]
        width, height = page.get_size()
        return page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"), width, height
    finally:
        pdf.close()


def mixed_pdf(src: Path, image_page: int, out: Path) -> None:
    """``src`` with page ``image_page`` (0-based) replaced by a 150 dpi picture of itself: a text PDF
    whose statistics page is a scan."""
    image, width, height = render(src, image_page)
    pdf = pdfium.PdfDocument(str(src))
    new = pdfium.PdfDocument.new()
    new.import_pages(pdf, list(range(len(pdf))))
    new.del_page(image_page)
    add_image_page(new, image, width, height, image_page)
    new.save(str(out))
    new.close()
    pdf.close()


def image_pdf(images: list[Image.Image], out: Path, width: float = 595.68, height: float = 841.92) -> None:
    new = pdfium.PdfDocument.new()
    for i, image in enumerate(images):
        add_image_page(new, image, width, height, i)
    new.save(str(out))
    new.close()


def blank_scan(seed: int = 7) -> Image.Image:
    """A grey A4 page at 150 dpi with scanner specks and nothing printed on it."""
    rng = np.random.default_rng(seed)
    page = np.full((1754, 1241), 245, dtype=np.uint8)
    for y, x in zip(rng.integers(0, 1754, 60), rng.integers(0, 1241, 60), strict=True):
        page[y : y + 2, x : x + 2] = 40
    return Image.fromarray(page)


def image_region_pdf(src: Path, index: int, top: float, out: Path) -> None:
    """``src`` with everything on page ``index`` (0-based) below ``top`` (points from the top) replaced by
    a 150 dpi picture of it: a text page with a scanned table pasted in."""
    image, width, height = render(src, index)
    pdf = pdfium.PdfDocument(str(src))
    page = pdf[index]
    cut = height - top  # PDF y of the region's upper edge
    for obj in list(page.get_objects()):
        if obj.get_bounds()[3] <= cut + 1:
            page.remove_obj(obj)
    scale = image.height / height
    crop = image.crop((0, int(top * scale), image.width, image.height))
    buf = io.BytesIO()
    crop.save(buf, format="JPEG", quality=90)
    buf.seek(0)
    obj = pdfium.PdfImage.new(pdf)
    obj.load_jpeg(buf, inline=False, autoclose=True)
    obj.set_matrix(pdfium.PdfMatrix().scale(width, cut))
    page.insert_obj(obj)
    page.gen_content()
    pdf.save(str(out))
    pdf.close()
