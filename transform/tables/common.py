"""Fact construction shared by the table mappers."""

from __future__ import annotations

from extract.model import Cell, Table
from transform.report import Fact
from transform.values import convert_unit, ocr_state, parse_value
from transform.vocab import vocab


def make_fact(
    table_id: str, code: str, party: str, cell: Cell | None, table: Table, raw_label: str, generation: str
) -> Fact:
    metric = vocab().metrics[code]
    text = cell.text if cell is not None else ""
    cv = parse_value(text)
    value = cv.value
    unit = metric.unit
    if value is not None:
        value = convert_unit(value, cv.unit, metric.unit)
    if cell is None:
        position = f"table {table.index + 1}: cell missing"
        page = table.page
        # a cell lost from an OCR'd grid: the image may well print it
        confidence = 0.0 if is_ocr(table) else None
    else:
        position = f"table {table.index + 1}, row {cell.row + 1}, col {cell.col + 1}"
        page = cell.page if cell.page is not None else table.page
        confidence = cell.confidence
    state = ocr_state(text, cv, confidence) or cv.state
    if state == "uncertain":
        value = None
    return Fact(
        table_id=table_id,
        code=code,
        party=party,
        value=value,
        state=state,
        unit=unit,
        raw_label=raw_label,
        raw_value=text,
        position=position,
        page=page,
        generation=generation,
        provenance="text" if confidence is None else "ocr",
        confidence=confidence,
    )


def is_ocr(table: Table) -> bool:
    """Whether the table was read by OCR (its cells carry confidences)."""
    return any(c.confidence is not None for row in table.rows for c in row)


def printed(text: str) -> str:
    """A printed label on one line (line breaks inside a cell are layout, not content)."""
    return "".join(text.split("\n")).strip()
