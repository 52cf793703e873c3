"""Fact construction shared by the table mappers."""

from __future__ import annotations

from extract.model import Cell, Table
from transform.report import Fact
from transform.values import convert_unit, parse_value
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
    else:
        position = f"table {table.index + 1}, row {cell.row + 1}, col {cell.col + 1}"
        page = cell.page if cell.page is not None else table.page
    return Fact(
        table_id=table_id,
        code=code,
        party=party,
        value=value,
        state=cv.state,
        unit=unit,
        raw_label=raw_label,
        raw_value=text,
        position=position,
        page=page,
        generation=generation,
    )


def printed(text: str) -> str:
    """A printed label on one line (line breaks inside a cell are layout, not content)."""
    return "".join(text.split("\n")).strip()
