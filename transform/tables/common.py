"""Fact construction shared by the table mappers."""

from __future__ import annotations

from collections.abc import Iterable

from extract.model import Cell, Table
from transform.labels import norm
from transform.report import UNMAPPED_PREFIX, Fact
from transform.values import NA_TEXT, convert_unit, ocr_state, parse_value
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


def label_key(segments: Iterable[str]) -> str:
    """The dictionary-join key of a printed label path: each level normalised exactly as the dictionary's
    own labels are (``norm``: width, spacing, ordinals, 其中：, trailing notes), empty levels dropped, levels
    joined with `` > `` (no level can hold a space after ``norm``; a printed ``>`` becomes ``〉``)."""
    levels = (norm(s).replace(">", "〉") for s in segments)
    return " > ".join(s for s in levels if s)


def prints_value(cell: Cell | None) -> bool:
    """A value cell that states something: a number, or a word such as 无. Blank and dash cells state
    nothing, so a row of only those (a heading, a repeated header's spacer) is no fact."""
    if cell is None:
        return False
    cv = parse_value(cell.text)
    return cv.state == "number" or (cv.state == "na_text" and cell.text.strip().lower() in NA_TEXT)


class UnmappedKeys:
    """Hands out the codes of unmapped rows of one table family, unique per report: a key printed twice
    (the same label under the same parents) gets ``#2``, ``#3`` in reading order, so the facts key
    (report, table, code, party) stays unique and the same document always yields the same codes."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def claim(self, key: str) -> str:
        n = self._seen.get(key, 0) + 1
        self._seen[key] = n
        return f"{UNMAPPED_PREFIX}{key}" if n == 1 else f"{UNMAPPED_PREFIX}{key} #{n}"


def make_unmapped_fact(
    table_id: str,
    code: str,
    party: str,
    cell: Cell | None,
    table: Table,
    raw_label: str,
    generation: str,
    unit: str = "",
) -> Fact:
    """A cell of a row (or column) the dictionary does not know, kept under its ``unmapped:`` code with
    its value and state exactly as printed. No unit conversion: without a metric there is no target unit,
    so ``unit`` is what the table prints for the row (or the cell itself, e.g. 万元)."""
    text = cell.text if cell is not None else ""
    cv = parse_value(text)
    if cell is None:
        position = f"table {table.index + 1}: cell missing"
        page = table.page
    else:
        position = f"table {table.index + 1}, row {cell.row + 1}, col {cell.col + 1}"
        page = cell.page if cell.page is not None else table.page
    return Fact(
        table_id=table_id,
        code=code,
        party=party,
        value=cv.value,
        state=cv.state,
        unit=cv.unit or unit,
        raw_label=raw_label,
        raw_value=text,
        position=position,
        page=page,
        generation=generation,
    )
