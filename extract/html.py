"""HTML reader: the article body of a web page as paragraphs and exact-grid tables.

A government portal page wraps one article in navigation, breadcrumbs, share links, footers and scripts,
and older sites lay the whole page out with nested ``<table>`` elements. The reader therefore:

1. decodes the bytes itself (BOM, then the charset declared in a ``<meta>`` within the first KBs, GB2312
   and GBK read as their superset GB18030, then UTF-8, then GB18030), because lxml guesses wrong on
   undeclared or mis-declared GBK pages;
2. removes elements that never hold article text (``JUNK_TAGS``, hidden elements);
3. picks the article container (see ``find_container``): an element whose id/class is a common
   content-container name (``CONTENT_HINTS``) holding a real share of the page's non-link text, else
   the block reached by walking down from ``<body>`` into the sub-block that keeps most of the non-link
   text, stopping where a block holds paragraphs of its own;
4. walks the container in document order: tables without nested tables and with at least two rows are
   data tables (``Table(grid="exact")`` with rowspan/colspan resolved to real grid columns); every other
   table is page layout and is walked like a ``<div>``. Text outside data tables becomes one paragraph
   per line of each block element (``<br>`` breaks lines); headings keep their tag as ``style``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html
from lxml import etree

from extract.errors import EmptyFile
from extract.jsstring import embedded_markup, embedded_title
from extract.model import Block, Cell, Document, Paragraph, Table
from extract.textnorm import clean_cell, fix_cjk

JUNK_TAGS: tuple[str, ...] = (
    "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "iframe", "template",
    "select", "button", "textarea", "object", "embed", "svg", "canvas", "link", "meta",
)  # fmt: skip
"""Elements removed before the container is chosen: they hold page furniture, never article text.
A ``<form>`` wrapping most of the page (ASP.NET WebForms portals) is unwrapped instead of removed."""

CONTENT_HINTS: tuple[str, ...] = (
    "zoom", "TRS_Editor", "Custom_UnionStyle", "article", "article-content", "article_content",
    "articleContent", "content", "contents", "main-content", "main_content", "con", "ccontent",
    "detail", "details", "detail-content", "news_content", "newsContent", "pages_content",
    "wzcon", "zw", "text", "BodyLabel", "mainText", "info_content", "xxgk_content",
)  # fmt: skip
"""Exact id or class tokens (case-insensitive) that CMSs commonly give the article body. ``<article>``
counts as a hint too. Used only when the element holds a real share of the page's text."""

HINT_MIN_SHARE = 0.3
"""A hinted container must hold at least this share of the page's non-link text (a tiny box classed
``content`` in a sidebar is not the article)."""
HINT_NARROW_SHARE = 0.9
"""Descend from a hinted container to a hinted descendant that still holds this share of its text
(``.article`` with title and share links → ``#zoom`` with the body)."""
STEP_SHARE = 0.8
"""Without hints: descend into a sub-block only if it keeps this share of the current block's text."""
OWN_SHARE = 0.1
"""Without hints: stop at a block holding this share of its text directly (its own paragraphs)."""
MIN_DATA_ROWS = 2

_CANDIDATE_TAGS = frozenset({"div", "td", "th", "article", "section", "main", "center", "blockquote"})
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LINE_BREAK = "\x00"  # stands for <br> while source whitespace is collapsed
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CJK_WRAP = re.compile(f"(?<=[{_CJK}])[ \t\r\n\f]*\n[ \t\r\n\f]*(?=[{_CJK}])")
_SPACES = re.compile("[ \t\r\n\f]+")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

_BODY_TAG = re.compile(r"<body[\s>]", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "windows-936": "gb18030",
    "gb_2312-80": "gb18030", "x-euc-cn": "gb18030", "euc-cn": "gb18030", "utf8": "utf-8",
}  # fmt: skip
_PUB_DATE_META = ("pubdate", "publishdate", "publish_date", "publishtime", "firstpublishedtime",
                  "article:published_time", "dcterms.issued", "dc.date", "date")  # fmt: skip
_ARTICLE_TITLE_META = ("articletitle", "og:title", "dc.title", "headline")
_DATE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
_PUB_DATE_TEXT = re.compile(rf"(?:发布|发文|成文|公开)(?:时间|日期)\s*[:：]\s*({_DATE})")


def decode(data: bytes) -> tuple[str, str | None, str]:
    """Decode HTML bytes; return ``(text, declared charset or None, encoding actually used)``."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name, errors="replace"), None, name
    m = _META_CHARSET.search(data[:4096])
    declared = m.group(1).decode("ascii").lower() if m else None
    tries: list[str] = []
    if declared:
        name = _CHARSET_ALIASES.get(declared, declared)
        try:
            tries.append(codecs.lookup(name).name)
        except LookupError:
            pass
    tries += ["utf-8", "gb18030"]
    for name in dict.fromkeys(tries):
        try:
            return data.decode(name), declared, name
        except UnicodeDecodeError:
            continue
    return data.decode(tries[0], errors="replace"), declared, tries[0] + "-lossy"


def read(path: Path) -> Document:
    """Read an HTML page into the blocks of its article body."""
    data = Path(path).read_bytes()
    text, declared, encoding = decode(data)
    # lxml refuses str input that carries an XML encoding declaration; the bytes are decoded already.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        raise EmptyFile("the HTML file contains no text")
    root = _parse(text)
    meta: dict[str, str] = {"encoding": encoding}
    embedded = embedded_markup(text)
    if embedded is not None:
        # the report is HTML inside a JS/JSON string: the file's own markup (if any) is the page shell
        # whose <title> and <meta> still describe it, the body comes from the string
        meta["embedded"] = "js-string"
        content_root = _parse(embedded)
        if root.findtext(".//title") is None and (js_title := embedded_title(text)):
            meta["title"] = js_title
    else:
        content_root = root
    if declared:
        meta["charset"] = declared
    title = root.findtext(".//title")
    if title and title.strip():
        meta["title"] = _SPACES.sub(" ", title).strip()
    article_title = _meta_value(root, _ARTICLE_TITLE_META)
    if article_title:
        meta["article_title"] = article_title
    pub_date = _meta_value(root, _PUB_DATE_META)  # before remove_junk, which drops <meta>
    remove_junk(content_root)
    pub_date = pub_date or _text_pub_date(content_root)
    if pub_date:
        meta["pub_date"] = pub_date

    body = content_root.find("body")
    if body is None:
        body = content_root
    # A fragment (no <body> in the source: a CMS export, a JS string) is the article someone cut out;
    # looking for a container inside it would drop what precedes the body box, such as its <h1> title.
    is_fragment = _BODY_TAG.search(embedded if embedded is not None else text) is None
    container = body if is_fragment else find_container(body)
    blocks = list(_blocks(container))
    for i, table in enumerate(b for b in blocks if isinstance(b, Table)):
        table.index = i
    return Document(blocks=blocks, format="html", meta=meta)


def _parse(text: str) -> lxml.html.HtmlElement:
    """A document tree; a fragment without ``<html>``/``<body>`` (a CMS export of the article body) gets
    both, as a browser would give them."""
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise EmptyFile(f"no HTML document could be parsed ({exc})") from exc


def fragment_blocks(markup: str) -> list[Block]:
    """Blocks of a piece of HTML embedded in another format (a ``<table>`` kept inside Markdown): read
    whole, with no article container to look for."""
    if not markup.strip():
        return []
    root = _parse(markup)
    remove_junk(root)
    body = root.find("body")
    return list(_blocks(body if body is not None else root))


def remove_junk(root: lxml.html.HtmlElement) -> None:
    """Drop furniture elements, comments and hidden elements (their tails, i.e. following text, stay)."""
    for el in list(root.iter(*(t for t in JUNK_TAGS if t != "form"))):
        if el.getparent() is not None:
            el.drop_tree()
    total = _text_len(root)
    for el in list(root.iter("form")):
        if el.getparent() is None:
            continue
        if _text_len(el) > total / 2:
            el.drop_tag()
        else:
            el.drop_tree()
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(root.iter()):
        if el.getparent() is None or not isinstance(el.tag, str):
            continue
        if el.get("hidden") is not None or _HIDDEN.search(el.get("style") or ""):
            el.drop_tree()


def _meta_value(root: lxml.html.HtmlElement, names: tuple[str, ...]) -> str | None:
    """Content of the first ``<meta>`` whose name, property or itemprop is in ``names``, raw."""
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or "").strip().lower()
        value = (el.get("content") or "").strip()
        if key in names and value:
            return value
    return None


def _text_pub_date(root: lxml.html.HtmlElement) -> str | None:
    """A publication date shown on the page ("发布时间：2024-01-26 08:47"), raw."""
    m = _PUB_DATE_TEXT.search(fix_cjk(root.text_content()))
    return m.group(1).strip() if m else None


def _tokens(el: lxml.html.HtmlElement) -> set[str]:
    return {t.lower() for t in ((el.get("class") or "").split() + (el.get("id") or "").split())}


_HINTS = frozenset(h.lower() for h in CONTENT_HINTS)


def _is_hinted(el: lxml.html.HtmlElement) -> bool:
    return el.tag == "article" or bool(_tokens(el) & _HINTS)


def _text_len(el: lxml.html.HtmlElement) -> int:
    return len(_SPACES.sub("", el.text_content()))


def _content_len(el: lxml.html.HtmlElement) -> int:
    """Text length outside links: navigation is mostly links, article text mostly is not."""
    link = sum(_text_len(a) for a in el.iter("a"))
    return max(_text_len(el) - link, 0)


def find_container(body: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """Choose the element holding the article.

    1. Hinted elements (``CONTENT_HINTS`` id/class tokens, ``<article>``) with at least
       ``HINT_MIN_SHARE`` of the page's non-link text: take the one with the most text, then narrow to
       a hinted descendant that keeps ``HINT_NARROW_SHARE`` of it.
    2. Otherwise descend by text density (``_densest``).
    """
    total = _content_len(body)
    if total == 0:
        return body
    hinted = [(el, _content_len(el)) for el in body.iter() if isinstance(el.tag, str) and _is_hinted(el)]
    hinted = [(el, n) for el, n in hinted if n >= HINT_MIN_SHARE * total]
    if hinted:
        best, best_len = max(hinted, key=lambda pair: pair[1])
        narrowed = [
            (el, n)
            for el, n in hinted
            if el is not best and _is_descendant(el, best) and n >= HINT_NARROW_SHARE * best_len
        ]
        if narrowed:
            best = max(narrowed, key=lambda pair: _depth(pair[0]))[0]
        return best
    return _densest(body)


def _densest(body: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """Walk down from ``<body>`` into the sub-block that holds the article's text.

    At each step the candidate sub-blocks (div, td, section… — the nearest ones, not inside data tables)
    are compared; the walk moves into the one with the most non-link text if it keeps ``STEP_SHARE`` of
    the current element's, so only furniture is left behind. It stops where the current element holds
    ``OWN_SHARE`` of its text itself (paragraphs, headings, data tables as direct content): that element
    is the article, and going deeper would drop its paragraphs. An article split into two similar
    sub-blocks stops above both, so the rule over-includes rather than loses text.
    """
    node = body
    while True:
        size = _content_len(node)
        subs = [(el, _content_len(el)) for el in _sub_blocks(node)]
        if not subs or size == 0:
            return node
        own = size - sum(n for _, n in subs)
        best, best_len = max(subs, key=lambda pair: pair[1])
        if own >= OWN_SHARE * size or best_len < STEP_SHARE * size:
            return node
        node = best


def _sub_blocks(el: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """Nearest candidate-block descendants of ``el``, not looking inside data tables."""
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _CANDIDATE_TAGS:
            yield child
        elif child.tag == "table" and is_data_table(child):
            continue
        else:
            yield from _sub_blocks(child)


def _depth(el: lxml.html.HtmlElement) -> int:
    return sum(1 for _ in el.iterancestors())


def _is_descendant(el: lxml.html.HtmlElement, ancestor: lxml.html.HtmlElement) -> bool:
    return any(a is ancestor for a in el.iterancestors())


def is_data_table(table: lxml.html.HtmlElement) -> bool:
    """A table holding data, not page layout: no nested table and at least ``MIN_DATA_ROWS`` rows."""
    if next(table.iterdescendants("table"), None) is not None:
        return False
    return len(_rows(table)) >= MIN_DATA_ROWS


def _rows(table: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def _blocks(container: lxml.html.HtmlElement) -> Iterator[Block]:
    """Blocks of the container in document order.

    Inline content is gathered until the next block-level boundary, then flushed as paragraphs (one per
    line). Text directly inside a ``<div>`` or a layout ``<td>`` is therefore kept as well.
    """
    buffer: list[str] = []

    def flush(style: str | None = None) -> Iterator[Paragraph]:
        text = _finish("".join(buffer))
        buffer.clear()
        for line in text.split("\n"):
            line = line.strip()
            if line:
                yield Paragraph(text=line, style=style)

    def walk(el: lxml.html.HtmlElement) -> Iterator[Block]:
        if el.text:
            buffer.append(el.text)
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _BLOCK_TAGS:
                yield from flush()
                if tag == "table" and is_data_table(child):
                    caption = child.find("caption")
                    if caption is not None:  # a caption titles the table: keep it, just before it
                        buffer.append(_inline_text(caption))
                        yield from flush()
                    yield table_from(child)
                elif tag in _HEADINGS:
                    buffer.append(_inline_text(child))
                    yield from flush(style=tag)
                elif tag == "hr":
                    pass
                else:
                    yield from walk(child)
                    yield from flush()
            elif tag == "br":
                buffer.append(_LINE_BREAK)
            elif tag:
                yield from walk(child)  # inline element: its text joins the current paragraph
            if child.tail:
                buffer.append(child.tail)

    yield from walk(container)
    yield from flush()


def _inline_text(el: lxml.html.HtmlElement) -> str:
    """Raw text of an element with ``<br>`` and block boundaries marked as line breaks."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "br":
                parts.append(_LINE_BREAK)
            elif tag in _BLOCK_TAGS:
                parts.append(_LINE_BREAK)
                walk(child)
                parts.append(_LINE_BREAK)
            elif tag:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts)


def _finish(raw: str) -> str:
    """Collapse source whitespace like a browser, but keep ``<br>`` line breaks.

    A source line break between two CJK characters is dropped instead of becoming a space: CJK has no
    word spaces, and Word-exported HTML wraps its source lines mid-sentence.
    """
    raw = _CJK_WRAP.sub("", raw)
    raw = _SPACES.sub(" ", raw)
    return fix_cjk(raw.replace(_LINE_BREAK, "\n"))


def _span(el: lxml.html.HtmlElement, name: str) -> int:
    m = re.match(r"\s*(\d+)", el.get(name) or "")
    return int(m.group(1)) if m else 1


def table_from(table: lxml.html.HtmlElement) -> Table:
    """An exact grid of origin cells: each cell's column skips slots taken by rowspans from above.

    ``rowspan="0"`` (to the end of the table) and spans reaching past the last row are clipped to the
    table; ``colspan`` is capped at 1000 as in the HTML standard.
    """
    trs = _rows(table)
    taken: set[tuple[int, int]] = set()
    rows: list[list[Cell]] = []
    for r, tr in enumerate(trs):
        row: list[Cell] = []
        col = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, col) in taken:
                col += 1
            rowspan = _span(td, "rowspan")
            rowspan = len(trs) - r if rowspan == 0 else min(max(rowspan, 1), len(trs) - r)
            colspan = min(max(_span(td, "colspan"), 1), 1000)
            for rr in range(r, r + rowspan):
                for cc in range(col, col + colspan):
                    taken.add((rr, cc))
            text = clean_cell(_finish(_inline_text(td)))
            row.append(Cell(text=text, row=r, col=col, rowspan=rowspan, colspan=colspan))
            col += colspan
        rows.append(row)
    return Table(rows=rows, grid="exact")
