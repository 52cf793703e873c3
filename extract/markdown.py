"""Markdown reader: what PDF-to-Markdown converters write, as paragraphs, headings and table grids.

The block structure (headings, paragraphs, lists, pipe tables, raw HTML blocks) comes from markdown-it-py
(CommonMark with the GFM table rule), so escapes, emphasis and entities are read as the spec says. What
converters do on top of the spec is repaired here, at the level of the table and without knowing what
the document is about:

- a pipe table has one header row, so converters either spread a merged header over several rows (the
  first is Markdown's header, the others body rows, a spanned slot left empty) or flatten it into one
  row whose cells print the header path (``申请人情况/法人或其他组织/商业企业``). The flattened form is
  unfolded into one header row per level (``unflatten_header``), so both read the same.
- a row whose label and numbers the converter put on two rows (the label wrapped, the numbers centred
  below) is joined again (``join_split_rows``).
- a table kept as ``<table>`` HTML (converters do that for merged cells) is read by the HTML reader, with
  its spans: ``Table(grid="exact")``. Pipe tables know their columns but not their spans:
  ``Table(grid="positional")``, like TAB-separated text.

Every line of a paragraph is one ``Paragraph`` (converters break lines where the PDF did, and a heading
such as ``一、总体情况`` often sits on the line above its text); headings keep ``h1``…``h6`` as style.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from extract import html as html_reader
from extract.errors import EmptyFile
from extract.model import Block, Cell, Document, Paragraph, Table
from extract.textnorm import clean_cell, fix_cjk
from extract.txt import decode

_PIPE = re.compile(r"(?<!\\)\|")
_VALUE = re.compile(r"^[+-]?\d[\d,，]*(?:\.\d+)?%?$|^[—–\-－]+$")
_BREAK_TAG = re.compile(r"^<\s*br\s*/?\s*>$|^<\s*/?\s*(?:p|div)\b[^>]*>$", re.I)
_TABLE_OPEN = re.compile(r"<table\b", re.I)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.I)

PATH_SEPARATORS: tuple[str, ...] = ("/", "／", "_", ">", "＞", "-", "－", "—", "·", ".", "|")
"""Separators a converter joins a flattened header path with, tried in this order. Whitespace is not one:
a spaced-out label (``自 然 人``) is one header, not a path."""


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def read(path: Path) -> Document:
    """Read a Markdown file into paragraphs and tables."""
    text, encoding = decode(Path(path).read_bytes())
    if not text.strip():
        raise EmptyFile("the Markdown file contains no text")
    blocks = parse(text)
    for i, table in enumerate(b for b in blocks if isinstance(b, Table)):
        table.index = i
    return Document(blocks=blocks, format="md", meta={"encoding": encoding})


def parse(text: str) -> list[Block]:
    """Blocks of a Markdown text in document order."""
    md = _parser()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    tokens = md.parse(text)
    blocks: list[Block] = []
    ordered: list[bool] = []  # enclosing lists, innermost last: ordered lists print their numbers
    skip_until = -1  # source line up to which an HTML table already consumed the tokens
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.map and tok.map[0] < skip_until:
            i += 1
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            ordered.append(tok.type == "ordered_list_open")
        elif tok.type in ("bullet_list_close", "ordered_list_close") and ordered:
            ordered.pop()  # (its opening may lie inside an HTML table already read, then skipped)
        elif tok.type == "heading_open":
            text_ = _inline(md, tokens[i + 1])
            blocks += [Paragraph(text=ln, style=tok.tag) for ln in _lines(text_)]
            i += 3
            continue
        elif tok.type == "paragraph_open" and _is_pipe_run(lines, tok.map):
            # pipe rows without a delimiter row (a converter whose header row had one cell wrote it
            # as a heading or a line of its own): a table all the same, with no header row
            blocks.append(_table_from_lines(md, lines[tok.map[0] : tok.map[1]]))
            i += 3
            continue
        elif tok.type == "paragraph_open":
            text_ = _inline(md, tokens[i + 1])
            marker = _list_marker(tokens, i) if ordered and ordered[-1] else ""
            for n, ln in enumerate(_lines(text_)):
                blocks.append(Paragraph(text=f"{marker}{ln}" if n == 0 and marker else ln))
            i += 3
            continue
        elif tok.type == "table_open":
            j = i
            while tokens[j].type != "table_close":
                j += 1
            blocks.append(_pipe_table(md, lines, tokens[i : j + 1]))
            i = j + 1
            continue
        elif tok.type == "html_block" and tok.map:
            markup, end = _html_extent(lines, tok.map)
            skip_until = end
            blocks += html_reader.fragment_blocks(markup)
        elif tok.type in ("fence", "code_block"):
            # an indented paragraph (a converter keeping a PDF's first-line indent) is text, not code
            blocks += [Paragraph(text=ln) for ln in _lines(tok.content)]
        i += 1
    return blocks


def _lines(text: str) -> list[str]:
    return [ln for ln in (fix_cjk(line).strip() for line in text.split("\n")) if ln]


def _list_marker(tokens: list[Token], i: int) -> str:
    """``1.`` of the list item this paragraph opens (markdown-it keeps it in the item's ``info``)."""
    for j in range(i - 1, -1, -1):
        if tokens[j].type == "list_item_open":
            return f"{tokens[j].info}{tokens[j].markup}" if tokens[j].info else ""
        if tokens[j].type in ("paragraph_close", "list_item_close"):
            return ""  # a later paragraph of the same item
    return ""


def _inline(md: MarkdownIt, token: Token) -> str:
    """Plain text of an inline token: emphasis dropped, escapes and entities resolved, breaks kept."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "html_inline":
            if _BREAK_TAG.match(child.content.strip()):
                parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def _html_extent(lines: list[str], line_map: list[int]) -> tuple[str, int]:
    """The raw HTML of a block; a ``<table>`` runs on to its ``</table>`` even past blank lines (CommonMark
    ends an HTML block at a blank line, which would cut a table with blank lines inside)."""
    start, end = line_map
    markup = "\n".join(lines[start:end])
    depth = len(_TABLE_OPEN.findall(markup)) - len(_TABLE_CLOSE.findall(markup))
    while depth > 0 and end < len(lines):
        markup += "\n" + lines[end]
        depth += len(_TABLE_OPEN.findall(lines[end])) - len(_TABLE_CLOSE.findall(lines[end]))
        end += 1
    return markup, end


def split_row(line: str) -> list[str]:
    """Cells of a pipe-table source line: unescaped pipes split.

    Outer pipes come in pairs: a row written with a leading pipe has a closing one, which ends the row
    (GFM). A row written without outer pipes that still ends in one (``0 | 0 |``) printed an empty last
    cell after it: reading that pipe as a closing one, as GFM does, loses the cell.
    """
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
        if line.endswith("|") and not line.endswith("\\|"):
            line = line[:-1]
    return _PIPE.split(line)


def _pipe_table(md: MarkdownIt, lines: list[str], tokens: list[Token]) -> Table:
    """A pipe table read from its source lines.

    markdown-it drops the cells of a row beyond the header's count (GFM), and a converter that lost a
    header cell must not lose a printed number with it: each row is therefore split from its own source
    line and each cell rendered inline by markdown-it.
    """
    return _table_from_lines(md, [lines[t.map[0]] for t in tokens if t.type == "tr_open" and t.map])


def _is_pipe_run(lines: list[str], line_map: list[int] | None) -> bool:
    """A paragraph whose lines are mostly pipe-table rows (two at least): the lines without a pipe are
    rows of one cell, as a converter writes a caption row spanning the table."""
    if not line_map:
        return False
    piped = sum(1 for line in lines[line_map[0] : line_map[1]] if len(split_row(line)) > 1)
    return piped >= 2 and 2 * piped >= line_map[1] - line_map[0]


def _table_from_lines(md: MarkdownIt, source_rows: list[str]) -> Table:
    texts = [
        [clean_cell(_inline(md, _inline_token(md, cell))) for cell in split_row(line)] for line in source_rows
    ]
    if texts:
        texts = unflatten_header(texts[0]) + texts[1:]
    texts = join_split_rows(collapse_repeated_labels(texts))
    rows = [[Cell(text=t, row=r, col=c) for c, t in enumerate(row)] for r, row in enumerate(texts)]
    return Table(rows=rows, grid="positional")


def _inline_token(md: MarkdownIt, source: str) -> Token:
    tokens = md.parseInline(source.strip())
    return tokens[0] if tokens else Token("inline", "", 0)


def _split_path(text: str, sep: str) -> list[str]:
    return [p.strip() for p in text.split(sep)] if sep in text else [text]


def unflatten_header(header: list[str]) -> list[list[str]]:
    """A flattened header row as one row per level; an ordinary header row unchanged.

    A cell is a flattened path when it splits on a ``PATH_SEPARATORS`` separator into non-empty parts and
    a neighbouring cell split the same way shares its first part (the group both columns sit under):
    one label that merely contains a ``-`` or ``.`` does not qualify. A group part is printed once, over
    the first column of its run; the slots it spans and the levels below a short path stay empty, as a
    converter writes a merged header spread over rows.
    """
    for sep in PATH_SEPARATORS:
        parts = [_split_path(h, sep) for h in header]
        if any(len(p) > 1 and not all(p) for p in parts):
            continue
        paths = [p for p in parts if len(p) > 1]
        if len(paths) < 2 or not any(
            len(a) > 1 and len(b) > 1 and a[0] == b[0] for a, b in zip(parts, parts[1:], strict=False)
        ):
            continue
        depth = max(len(p) for p in parts)
        rows = [[""] * len(header) for _ in range(depth)]
        for c, path in enumerate(parts):
            for r, part in enumerate(path):
                prev = parts[c - 1] if c else []
                if r < len(path) - 1 and prev[: r + 1] == path[: r + 1]:
                    continue  # the group is already printed over the first column of its run
                rows[r][c] = part
        return rows
    return [header]


def _is_value(text: str) -> bool:
    return bool(_VALUE.match("".join(text.split())))


def join_split_rows(rows: list[list[str]]) -> list[list[str]]:
    """Join a labels-only row with the values-only row right below it.

    Values without a label are never a row of their own: what a converter did is put a wrapped label
    and the numbers centred beside it on two lines. The pair must interleave cleanly: the label row
    prints no value, the value row prints nothing but values, and every value sits right of every label.
    """
    out: list[list[str]] = []
    for row in rows:
        filled = [i for i, t in enumerate(row) if t]
        prev = out[-1] if out else None
        if prev is not None and filled and len(prev) == len(row) and all(_is_value(row[i]) for i in filled):
            labels = [i for i, t in enumerate(prev) if t]
            if labels and not any(_is_value(prev[i]) for i in labels) and max(labels) < min(filled):
                out[-1] = [a or b for a, b in zip(prev, row, strict=True)]
                continue
        out.append(row)
    return out


def collapse_repeated_labels(rows: list[list[str]]) -> list[list[str]]:
    """Empty the slots a converter filled by repeating a merged label cell's text.

    Pipe tables cannot span, so some converters print a merged cell's text in every slot it covers
    (``申请人情况 | 申请人情况 | …``; ``三、本年度办理结果`` at the start of each of its rows). Those slots
    are emptied, as a converter that leaves them empty writes them:

    - a label equal to its left neighbour as printed (a column span);
    - a label equal to the one above it, in the header (the leading rows that print no value) or where
      everything left of it in its row is empty once collapsed (a row span at the row's leading edge,
      where merged row labels sit). Elsewhere equal labels one above the other are separate cells (a
      unit column prints 条 in each row).

    Values are never collapsed: ``0 | 0 | 0`` are three cells, whatever they print. A table whose rows
    differ in length dropped its span slots instead of repeating them, and its columns do not line up
    for the comparison above: it is left alone.
    """
    if len({len(row) for row in rows}) != 1:
        return rows
    out = [list(row) for row in rows]
    header = next((r for r, row in enumerate(rows) if any(_is_value(t) for t in row)), len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if not text or _is_value(text):
                continue
            if c and text == row[c - 1]:
                out[r][c] = ""
            elif r and text == rows[r - 1][c] and (r < header or not any(out[r][:c])):
                out[r][c] = ""
    return out
