"""The ``aligned`` plain-text layout: tables laid out with spaces (``pdftotext -layout``, text copied from a
PDF viewer, OCR text exports).

Such text has no cell markup at all; only geometry is left. Everything here is about that geometry and
nothing about what the document says:

- A line is cut into *fragments* at runs of two or more spaces. A single space separates two fragments
  too (``自然人 商业企``), except inside letter-spaced text (``三 、本 年 度办 理 结果``: a run of pieces of
  one or two characters, or of single characters) and after a bare ordinal (``(二) 部分公开``), which
  belongs to the words after it.
- A *value line* ends in a run of numeric tokens (or dashes) set off from the text before it by at least
  two spaces: that run is the row's values, and every value line is one table row. A line without
  numbers is a row too when it ends in a short cell in the column where value rows print one right
  before their numbers (a unit such as 件 of a row whose value cell is empty).
- Lines without values between rows carry *label continuations* (a cell's text wrapped over several
  lines, vertically centred on its row, so the numbers may sit on the first, a middle or the line below
  the label). A label is the vertical run of fragments in one horizontal band: a fragment continues the
  label above whose columns it overlaps (the one starting nearest it) unless it starts with an ordinal
  (``3.``, ``（四）``) or that label's row is over; a label is attached to the row its span covers, else
  to the nearest one (ties go to the following row, where an ordinal-led label always belongs).
- Lines that print text starting over the value columns before a row are a *header block*; it starts a
  new table (a table's own header, or the header a page break repeats). Where the value columns start
  is read from the leftmost numbers of the table's rows on that page (a long label pushes one row's
  numbers right). Header cells wrapped over lines (``商业企`` / ``业``) are joined when the lower piece is
  centred within the upper one's columns and nothing else sits under it.
- Within one table and page, the positions most full rows share give the value columns; a row that
  prints fewer numbers is placed by the columns its numbers sit in, and left as printed (short) when
  they do not clearly fit or sit right after a long label, so the reader downstream refuses to guess.
- Form feeds are page breaks (they set ``Cell.page``), page-number footers (``-3-``, ``第 3 页``) are
  dropped.

Cells carry their character column in ``Cell.col`` (``Table(grid="aligned")``): downstream aligns header
words and values by position, never by their index in the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.model import Block, Cell, Paragraph, Table
from extract.textnorm import clean_cell, fix_cjk

_VALUE = re.compile(r"^(?:[+\-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?|[+\-]?\.\d+|[-—―─－/／]{1,4})$")
_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)][、.．]?|\d+[.．、](?!\d)|[①-⑩])"
)
_BARE_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)][、.．]?|\d+[.．、]|[①-⑩])$"
)
_FOOTER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?)\s*$"
)
_MIN_VALUE_LINES = 4
"""Fewer value lines than this are prose that happens to end in numbers, not a table."""
_MAX_GAP = 12
"""Non-blank lines without values after which a table has ended."""
_SLOT_TOLERANCE = 2.5
"""How far (in characters) a number may sit from a value column's centre and still belong to it."""


@dataclass(slots=True)
class Frag:
    x0: int
    x1: int
    """Last character column (inclusive)."""
    text: str

    @property
    def is_value(self) -> bool:
        return _VALUE.match(self.text) is not None

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class Line:
    index: int
    page: int
    text: str
    frags: list[Frag]
    values: list[Frag] = field(default_factory=list)
    """The trailing run of numeric tokens (empty: not a value line)."""
    unit_row: bool = False
    """A row that prints no number but a short cell in the column right before the values (a unit)."""
    unit: Frag | None = None
    """The fragment of this line that sits in the unit column (a short cell right before the values)."""

    @property
    def labels(self) -> list[Frag]:
        return self.frags[: len(self.frags) - len(self.values)]

    @property
    def blank(self) -> bool:
        return not self.frags


@dataclass(slots=True)
class Label:
    frags: list[tuple[int, Frag]]
    """(line index, fragment) top to bottom."""
    owner: int | None = None
    """Line index of the value line it belongs to, once known."""
    unit: bool = False
    """A short cell right of the line's label (a unit such as 件): it never wraps."""

    @property
    def first(self) -> int:
        return self.frags[0][0]

    @property
    def last(self) -> int:
        return self.frags[-1][0]

    @property
    def x0(self) -> int:
        return min(f.x0 for _, f in self.frags)

    @property
    def x1(self) -> int:
        return max(f.x1 for _, f in self.frags)

    def text(self) -> str:
        out: list[str] = []
        prev_line = None
        for line, frag in self.frags:
            if prev_line == line:
                out.append(" ")
            out.append(frag.text)
            prev_line = line
        return "".join(out)


def is_footer(line: str) -> bool:
    """A page-number line (``-3-``, ``— 12 —``, ``第 3 页 共 9 页``): page furniture, never content."""
    return _FOOTER.match(line) is not None


def fragments(line: str) -> list[Frag]:
    """Cut one line into fragments (see the module docstring for where a single space cuts)."""
    out: list[Frag] = []
    for chunk in re.finditer(r"\S+(?: \S+)*", line):
        pieces = [
            Frag(chunk.start() + m.start(), chunk.start() + m.end() - 1, m.group())
            for m in re.finditer(r"\S+", chunk.group())
        ]
        for frag in _merge_pieces(pieces):
            prev = out[-1] if out else None
            joins = prev is not None and frag.x0 - prev.x1 <= 4 and not frag.is_value and not prev.is_value
            if joins and (
                _BARE_ORDINAL.match(prev.text)
                and not _ORDINAL.match(frag.text)
                or frag.text[0] in "（("
                and not _ORDINAL.match(frag.text)  # a bracketed note of the words before
            ):
                out[-1] = Frag(prev.x0, frag.x1, prev.text + frag.text)  # '1.  属于…': the ordinal's words
            else:
                out.append(frag)
    return out


def _merge_pieces(pieces: list[Frag]) -> list[Frag]:
    """Join single-space-separated pieces that are one word: letter-spaced runs and a bare ordinal with
    the words after it. Numbers always stay their own fragment."""
    spaced = [len(p.text) <= 2 and not p.is_value for p in pieces]
    for k in range(1, len(pieces) - 1):  # '计 1 条': a short number between spaced letters is text
        if (
            pieces[k].is_value
            and len(pieces[k].text) <= 2
            and len(pieces[k - 1].text) == 1 == len(pieces[k + 1].text)
        ):
            spaced[k] = not pieces[k - 1].is_value and not pieces[k + 1].is_value
    join_next = [False] * len(pieces)
    i = 0
    while i < len(pieces):  # letter-spaced runs: >= 3 short pieces, at least two of one character
        j = i
        while j < len(pieces) and spaced[j]:
            j += 1
        run = pieces[i:j]
        singles = sum(len(p.text) == 1 for p in run)
        if len(run) >= 2 and singles == len(run) or len(run) >= 3 and singles >= 2:
            for k in range(i, j - 1):
                join_next[k] = True
        i = max(j, i + 1)
    for k, p in enumerate(pieces[:-1]):
        nxt = pieces[k + 1]
        if _BARE_ORDINAL.match(p.text) and not nxt.is_value and not _ORDINAL.match(nxt.text):
            join_next[k] = True
    out: list[Frag] = []
    glue = False
    for k, p in enumerate(pieces):
        if glue and out:
            prev = out[-1]
            out[-1] = Frag(prev.x0, p.x1, prev.text + p.text)
        else:
            out.append(Frag(p.x0, p.x1, p.text))
        glue = join_next[k] and (not p.is_value or spaced[k])
    return out


def _value_run(frags: list[Frag], line: str) -> list[Frag]:
    run: list[Frag] = []
    for frag in reversed(frags):
        if not frag.is_value:
            break
        run.append(frag)
    run.reverse()
    if not run:
        return []
    first = run[0]
    before = line[: first.x0]
    if before.strip() and not before.endswith("  "):
        return []  # '计 1 条' or '2023 年': a number inside text, not a cell
    if all(set(f.text) <= set("-—―─－/／") for f in run) and len(run) == len(frags):
        return []  # a rule line of dashes
    return run


def scan(lines: list[str]) -> list[Line]:
    """Lines with their page (form feeds counted) and fragments; footers become blank lines."""
    out: list[Line] = []
    page = 1
    for i, raw in enumerate(lines):
        page += raw.count("\f")
        text = raw.replace("\f", "").rstrip()
        if is_footer(text):
            text = ""
        frags = fragments(text)
        out.append(Line(i, page, text, frags, _value_run(frags, text)))
    return out


def has_aligned_tables(scanned: list[Line]) -> bool:
    return sum(1 for ln in scanned if ln.values) >= _MIN_VALUE_LINES


def parse_aligned(lines: list[str]) -> list[Block] | None:
    """Blocks of a text whose tables are space-aligned, or None when it has no such table."""
    scanned = scan(lines)
    if not has_aligned_tables(scanned):
        return None
    _mark_unit_rows(scanned)
    tables = _tables(scanned)
    used: set[int] = set()
    starts: dict[int, Table] = {}
    for first, table, owned in tables:
        starts[first] = table
        used |= owned
    blocks: list[Block] = []
    n = 0
    for ln in scanned:
        if ln.index in starts:
            table = starts[ln.index]
            table.index = n
            n += 1
            blocks.append(table)
        if ln.index in used or ln.blank:
            continue
        blocks.append(Paragraph(text=fix_cjk(ln.text).strip(), page=ln.page))
    return blocks


# ---- rows without numbers that still are rows: a short trailing cell in a value line's column --------


def _mark_unit_rows(scanned: list[Line]) -> None:
    """A row whose value cell is empty still prints its short trailing cell (a unit such as 件 in a
    label · unit · value form). Such a line is a row when value rows print a short cell in the same
    columns right before their numbers (on the row's line, or on the line above when the numbers sit
    below their label); it is marked ``unit_row``. A line right above a line of numbers is that row's
    label line, not a row of its own."""
    columns: list[Frag] = []
    numbers_below: set[int] = set()
    previous: Line | None = None
    for ln in scanned:
        if ln.blank:
            continue
        if ln.values and len(ln.labels) >= 2 and len(ln.labels[-1].text) <= 2:
            columns.append(ln.labels[-1])
        elif ln.values and not ln.labels and previous is not None and not previous.values:
            numbers_below.add(previous.index)
            if len(previous.frags) >= 2 and len(previous.frags[-1].text) <= 2:
                columns.append(previous.frags[-1])
        previous = ln
    if len(columns) < 3:
        return

    def in_column(frag: Frag) -> bool:
        return len(frag.text) <= 2 and sum(1 for c in columns if c.x0 <= frag.x1 and frag.x0 <= c.x1) >= 3

    for ln in scanned:
        if ln.values and ln.labels and in_column(ln.labels[-1]) and not _ORDINAL.match(ln.labels[-1].text):
            ln.unit = ln.labels[-1]
        if ln.values or not ln.frags or ln.index in numbers_below:
            continue
        last = ln.frags[-1]
        if len(last.text) > 2 or _ORDINAL.match(last.text) or not ln.text[: last.x0].endswith("  "):
            continue
        hits = sum(1 for c in columns if c.x0 <= last.x1 and last.x0 <= c.x1)
        if hits >= 3:
            ln.unit_row = True


def _is_row(ln: Line) -> bool:
    return bool(ln.values) or ln.unit_row


# ---- tables ------------------------------------------------------------------------------------------------


def _tables(scanned: list[Line]) -> list[tuple[int, Table, set[int]]]:
    """(first line, table, lines it owns) for every aligned table, in order."""
    rows = [ln for ln in scanned if _is_row(ln)]
    out: list[tuple[int, Table, set[int]]] = []
    i = 0
    while i < len(rows):
        # one table: consecutive rows until a big gap or a header block between two rows
        group = [rows[i]]
        j = i + 1
        limit = len(scanned)
        while j < len(rows):
            gap = [ln for ln in scanned[group[-1].index + 1 : rows[j].index] if not ln.blank]
            if len(gap) > _MAX_GAP:
                break
            same_page = [r for r in group if r.page == rows[j].page and r.values]
            for r in rows[j + 1 :]:  # and the rows after it on the page with as many numbers
                if r.page != rows[j].page or len(r.values) != len(rows[j].values):
                    break
                same_page.append(r)
            header = _header_block(scanned, group[-1].index, rows[j], same_page)
            if header:
                limit = header[0].index  # the next table's header ends this table's trailing labels
                break
            group.append(rows[j])
            j += 1
        prev_end = out[-1][2] if out else set()
        start_floor = max(prev_end) + 1 if prev_end else 0
        out.append(_build(scanned, group, start_floor, limit))
        i = j
    return out


def _value_left(ln: Line) -> int:
    return min((f.x0 for f in ln.values), default=ln.frags[-1].x0 if ln.frags else 0)


def _header_block(scanned: list[Line], after: int, row: Line, peers: list[Line] | None = None) -> list[Line]:
    """The header lines right above ``row`` (after line ``after``): walking up from the row, lines printing
    text over the value columns, and single lines without such text between two of them (the label
    column's own header wraps beside the column headers). The walk stops at a section heading (a line
    led by an ordinal), a line of prose, or two lines in a row outside the value columns once a header
    line was seen. Empty when only label continuations precede the row."""
    # where the value columns start: the leftmost numbers of this row and of the table's rows on its page
    # (a long label pushes one row's numbers right)
    numeric = [r for r in peers or [] if any(any(ch.isdigit() for ch in f.text) for f in r.values)]
    left = min(_value_left(r) for r in [row, *numeric])  # a lone dash may stand in the unit column
    label_end = max((f.x1 for f in row.labels), default=None) if row.values else None
    if label_end is None and row.values:  # numbers on the line below their label
        above = next((ln for ln in reversed(scanned[after + 1 : row.index]) if not ln.blank), None)
        if above is not None and not _is_row(above) and len(above.frags) == 1:
            label_end = above.frags[0].x1

    def over_values(ln: Line) -> bool:
        # header text starts over the value columns (a long label only runs into them)
        if any(f.x0 >= left - 2 and not f.is_value for f in ln.frags):
            return True
        # a one-value column's header may end left of its number but starts right of the row's label
        return label_end is not None and any(
            f.x0 > label_end + 2 and len(f.text) >= 4 and not f.is_value and not _ORDINAL.match(f.text)
            for f in ln.frags[1:]
        )

    block: list[Line] = []
    top: int | None = None
    outside = 0
    for ln in reversed(scanned[after + 1 : row.index]):
        if ln.blank:
            continue
        if _is_row(ln) or len(block) >= 16 or (top is not None and _ORDINAL.match(ln.frags[0].text)):
            break
        if len(ln.frags) == 1 and len(ln.frags[0].text) >= 20 and ln.frags[0].x0 <= 8:
            break
        block.append(ln)
        if over_values(ln):
            top = len(block) - 1
            outside = 0
        else:
            outside += 1
            # below the header: the rest of a label wrapped across a page break may hang under the
            # repeated header; inside the header: one label-column line between column lines
            if outside >= (2 if top is not None else 7):
                break
    if top is None:
        return []
    block = block[: top + 1]
    block.reverse()
    bottom = max(k for k, ln in enumerate(block) if over_values(ln))
    return block[: bottom + 1]


def _build(scanned: list[Line], group: list[Line], floor: int, limit: int) -> tuple[int, Table, set[int]]:
    first_row = group[0]
    header = _header_block(scanned, floor - 1, first_row)
    header_idx = {ln.index for ln in header}
    owned: set[int] = set(header_idx)
    lo = header[0].index if header else first_row.index
    hi = group[-1].index
    # label lines: between the first row (or the header) and the last row, plus a short tail
    body = [ln for ln in scanned[lo : hi + 1] if ln.index not in header_idx and not ln.blank]
    tail: list[Line] = []
    for ln in scanned[hi + 1 : min(hi + 4, limit)]:
        if ln.blank or _is_row(ln):
            break
        tail.append(ln)
    labels = _labels(body + tail, group, hi)
    row_lines = {ln.index for ln in group}
    for lab in labels:
        owned |= {line for line, _ in lab.frags}
    owned |= row_lines
    # continuation lines before the header of a following table: only those that joined a label are owned
    owned |= {ln.index for ln in body}
    header_rows = _header_rows(header)
    body_rows = _body_rows(group, labels)
    rows = header_rows + body_rows
    for r, row in enumerate(rows):
        for cell in row:
            cell.row = r
    pages = tuple(sorted({ln.page for ln in (*header, *group)}))
    return lo, Table(rows=rows, grid="aligned", pages=pages), owned


def _labels(lines: list[Line], rows: list[Line], last_row: int) -> list[Label]:
    """Vertical runs of label fragments, each attached to one row (line index of its value line). After
    the last row only continuations of a label count (the rest is the text after the table).

    A fragment continues the open label whose columns it overlaps, except:

    - on a row line, a label whose row has already passed is finished (the row prints its own label);
    - on a line right above a row line that prints no label text left of the fragment, a label whose row
      has passed is finished too: the fragment is the top of the next row's label, centred on it;
    - a fragment overlapping no label continues the label just above it that starts further right (a
      wrapped cell whose later lines fall back to the left edge: ``…工作人员`` / ``数）``).
    """
    labels: list[Label] = []
    open_: list[Label] = []
    row_set = {ln.index for ln in rows}
    row_idx = sorted(row_set)
    by_index = {ln.index: ln for ln in lines}

    def row_passed(lab: Label, now: int) -> bool:
        return any(lab.first <= r < now for r in row_idx)

    def opens_next_row(ln: Line, frag: Frag) -> bool:
        if any(_ORDINAL.match(f.text) for f in ln.frags if f is not frag):
            return False  # the next row's label starts on this line with its ordinal
        nxt = by_index.get(ln.index + 1)
        if nxt is None or nxt.index not in row_set:
            return False
        own = nxt.labels if nxt.values else nxt.frags
        return not any(f.x0 <= frag.x1 + 1 and (len(f.text) > 2 or _ORDINAL.match(f.text)) for f in own)

    for ln in lines:
        is_row = ln.index in row_set
        frags = ln.frags if ln.unit_row or not ln.values else ln.labels
        prev_on_line: Label | None = None
        prev_x1 = -10
        for frag in frags:
            target: Label | None = None
            refused = False
            # the short last cell before a row's numbers is its unit column, never the end of a label
            unit_cell = is_row and frag is ln.unit
            if unit_cell:
                refused = True
            elif not _ORDINAL.match(frag.text):
                near = [
                    lab
                    for lab in open_
                    if lab.x0 - 1 <= frag.x1
                    and frag.x0 <= lab.x1 + 1
                    and ln.index - lab.last <= 3
                    and not lab.unit
                ]
                # of the labels it overlaps, the one starting nearest to it (then the latest)
                near.sort(key=lambda lab: (abs(lab.x0 - frag.x0), -lab.last))
                if near:
                    lab = near[0]
                    if row_passed(lab, ln.index) and (is_row or opens_next_row(ln, frag)):
                        refused = True
                    elif ln.index > last_row and not (lab.x0 - 2 <= frag.x0 and frag.x1 <= lab.x1 + 2):
                        refused = True  # after the table a wrapped label never sticks out of its cell
                    else:
                        target = lab
                if target is None and prev_on_line is not None and not is_row and frag.x0 - prev_x1 <= 2:
                    target = prev_on_line  # the rest of the same words ('计', '1', '条）')
                if target is None and not is_row and prev_on_line is None and not refused:
                    hanging = [
                        lab
                        for lab in open_
                        if lab.x0 > frag.x0 and 0 < ln.index - lab.last <= 2 and len(lab.text()) > 2
                    ]
                    if hanging:
                        target = max(hanging, key=lambda lab: lab.last)
            if target is None:
                if ln.index > last_row:
                    return _attach(labels, rows)
                target = Label([], unit=unit_cell or prev_on_line is not None and len(frag.text) <= 2)
                labels.append(target)
            # a new label in this band closes the labels it overlaps (a unit cell closes none)
            if not target.unit:
                open_ = [
                    lab for lab in open_ if lab is target or not (lab.x0 <= frag.x1 and frag.x0 <= lab.x1)
                ]
            if target not in open_:
                open_.append(target)
            target.frags.append((ln.index, frag))
            prev_on_line = target
            prev_x1 = frag.x1
    return _attach(labels, rows)


def _attach(labels: list[Label], rows: list[Line]) -> list[Label]:
    row_idx = sorted(ln.index for ln in rows)
    for lab in labels:
        inside = [r for r in row_idx if lab.first <= r <= lab.last]
        if inside:
            lab.owner = inside[0]
            continue
        before = [r for r in row_idx if r < lab.first]
        after = [r for r in row_idx if r > lab.last]
        db = lab.first - before[-1] if before else None
        da = after[0] - lab.last if after else None
        if da is not None and (db is None or da <= db):
            lab.owner = after[0]
        elif db is not None:
            lab.owner = before[-1]
    return [lab for lab in labels if lab.owner is not None]


def _header_rows(header: list[Line]) -> list[list[Cell]]:
    """One row per header line. A fragment that lies within the columns of the one cell above it (at most
    two lines up), where that cell overlaps nothing else on the fragment's line, is the wrapped rest of
    that cell (``商业企`` / ``业``) and is joined to it; a group cell over several sub-columns is not."""
    cells: list[list[tuple[Frag, list[str], int]]] = []
    for k, ln in enumerate(header):
        row: list[tuple[Frag, list[str], int]] = []
        for frag in ln.frags:
            owner = None
            for up in range(k - 1, max(-1, k - 3), -1):
                over = [c for c in cells[up] if c[0].x0 <= frag.x1 and frag.x0 <= c[0].x1]
                if not over:
                    continue
                a = over[0][0]
                siblings = [f for f in ln.frags if a.x0 <= f.x1 and f.x0 <= a.x1]
                within = a.x0 - 1 <= frag.x0 and frag.x1 <= a.x1 + 1 and frag.x1 - frag.x0 <= a.x1 - a.x0
                aligned = abs((frag.x0 + frag.x1) - (a.x0 + a.x1)) <= 2  # centred under it
                in_rows = len(header[up].frags) >= 2 and len(ln.frags) >= 2
                if len(over) == 1 and len(siblings) == 1 and within and aligned and in_rows:
                    owner = over[0]
                break
            if owner is not None:
                owner[1].append(frag.text)
                row.append((frag, owner[1], -1))  # the next line's pieces may continue it in turn
            else:
                row.append((frag, [frag.text], ln.page))
        cells.append(row)
    out = [
        [
            Cell(text=clean_cell("".join(parts)), row=k, col=frag.x0, page=page)
            for frag, parts, page in row
            if page != -1
        ]
        for k, row in enumerate(cells)
    ]
    return [r for r in out if r]


def _body_rows(rows: list[Line], labels: list[Label]) -> list[list[Cell]]:
    by_row: dict[int, list[Label]] = {}
    for lab in labels:
        by_row.setdefault(lab.owner, []).append(lab)  # type: ignore[arg-type]
    slots = _slots(rows)
    out: list[list[Cell]] = []
    for ln in rows:
        cells = [
            Cell(text=clean_cell(fix_cjk(lab.text())), row=0, col=lab.x0, page=ln.page)
            for lab in sorted(by_row.get(ln.index, []), key=lambda lab: (lab.x0, lab.first))
        ]
        values = ln.values
        pushed = (
            bool(ln.labels)
            and values
            and ln.text[: values[0].x0].endswith("  ")
            and not ln.text[: values[0].x0].endswith("   ")
        )
        # numbers right after the label with the narrowest gap may have been pushed out of their columns
        # by a long label: their positions prove nothing, so the row stays as printed
        placed = _place(values, slots.get(ln.page, [])) if values and not pushed else None
        if placed is None:
            cells += [Cell(text=f.text, row=0, col=f.x0, page=ln.page) for f in values]
        else:
            cells += placed
        out.append(cells)
    return out


def _slots(rows: list[Line]) -> dict[int, list[float]]:
    """Per page: the centres of the value columns, from the rows printing the most numbers."""
    out: dict[int, list[float]] = {}
    for page in {ln.page for ln in rows}:
        lines = [ln for ln in rows if ln.page == page and ln.values]
        if not lines:
            continue
        width = max(len(ln.values) for ln in lines)
        full = [tuple(round(f.centre) for f in ln.values) for ln in lines if len(ln.values) == width]
        if width < 2 or len(full) < 2:
            continue
        # the positions most full rows share (a long label may push one row's numbers to the right)
        best = max(set(full), key=lambda t: (full.count(t), -full.index(t)))
        if full.count(best) >= 2:
            out[page] = [float(c) for c in best]
    return out


def _place(values: list[Frag], slots: list[float]) -> list[Cell] | None:
    """The row's numbers in the value columns they sit in (missing columns as empty cells), or None when
    the row is full, no columns are known, or a number is not clearly in one column."""
    if not slots or len(values) >= len(slots):
        return None
    taken: list[int] = []
    for frag in values:
        k = min(range(len(slots)), key=lambda s: abs(slots[s] - frag.centre))
        if abs(slots[k] - frag.centre) > _SLOT_TOLERANCE or (taken and k <= taken[-1]):
            return None
        taken.append(k)
    out: list[Cell] = []
    by_slot = dict(zip(taken, values, strict=True))
    for k, centre in enumerate(slots):
        frag = by_slot.get(k)
        if frag is None:
            out.append(Cell(text="", row=0, col=round(centre)))
        else:
            out.append(Cell(text=frag.text, row=0, col=frag.x0))
    return out
