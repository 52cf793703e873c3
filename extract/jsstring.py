"""HTML kept inside JavaScript or JSON string literals.

Portals often ship the report body in a script (``var content = "<p style=\\"…\\">…";``) or a JSON API
response (``{"data": {"content": "\\u003cp\\u003e…"}}``) that a crawler saves as ``.html``. The markup
is then escaped: ``\\"``, ``\\n``, ``<\\/td>``, ``\\uXXXX`` (surrogate pairs included), ``\\xHH``. The
literals are found with a small scanner rather than a JavaScript parser: the surrounding code is
irrelevant, only the strings matter, and a scanner also copes with a truncated or invalid script.
``json.loads`` alone does not do: JavaScript adds ``\\'``, ``\\xHH``, ``\\u{…}`` and line continuations.
"""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|.)", re.S)
_SIMPLE = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "0": "\0",
    "\n": "",
    "\r\n": "",
    "\r": "",
}
_MARKUP = re.compile(r"<\s*/?\s*(?:p|div|span|table|tr|td|th|br|h[1-6]|strong|b|font|li)\b", re.I)
MIN_TAGS = 3
"""Tags a literal must hold to count as markup (a ``"<br>"`` separator string is not a report)."""


def unescape(body: str) -> str:
    """The value of a JavaScript string literal's body (the text between its quotes)."""

    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc.startswith("u{"):
            return chr(int(esc[2:-1], 16))
        if esc[0] in "ux" and len(esc) > 1:
            return chr(int(esc[1:], 16))
        return _SIMPLE.get(esc, esc)

    text = _ESCAPE.sub(one, body)
    # \ud83d\ude00 arrives as two lone surrogates: pair them, replace any that stay lonely
    return text.encode("utf-16", "surrogatepass").decode("utf-16", errors="replace")


_LITERAL = re.compile(
    r'"((?:[^"\\\n]|\\.)*)"'  # "…": ends at its quote; an unterminated one ends at the line end
    r"|'((?:[^'\\\n]|\\.)*)'"
    r"|`((?:[^`\\]|\\.)*)`",  # template literals may span lines
    re.S,
)


def string_literals(text: str) -> list[tuple[int, int, str]]:
    """Every ``"…"``, ``'…'`` and template literal in ``text`` as (start, end, raw body).

    Quotes inside another literal are skipped, so ``'<p style="x">'`` is one literal, not two; a
    backslash escapes the next character, whatever it is. A quote with no closing quote before the line
    end (the end, for a template literal) starts no literal, and scanning goes on after it. Text
    outside literals is not interpreted (``//`` comments, regexes): a quote there would start a false
    literal, which only ever holds less markup than the real one. One regular expression, because a
    Python loop over every character of a page cost more than the rest of its reading.
    """
    return [(m.start(), m.end(), m.group(m.lastindex or 0)) for m in _LITERAL.finditer(text)]


def embedded_markup(text: str) -> str | None:
    """The markup a file keeps in string literals, joined in order; None when the file is markup itself.

    Literals qualify with ``MIN_TAGS`` tags once unescaped (the pieces of a concatenated string each
    carry their tags). They stand for the file only when they hold more markup than the text outside
    them: a JSON response or a script is all literals, a page that builds a snippet in a script is not.
    Inside a page, a literal must also show escapes, as every string holding a report's HTML does.
    """
    values: list[str] = []
    in_values = in_raw = 0
    escaped = False
    for _start, _end, raw in string_literals(text):
        if "<" not in raw and "\\u003" not in raw.lower() and "\\x3" not in raw.lower():
            continue
        value = unescape(raw)
        tags = len(_MARKUP.findall(value))
        if tags >= MIN_TAGS:
            values.append(value)
            in_values += tags
            in_raw += len(_MARKUP.findall(raw))
            escaped = escaped or value != raw
    outside = len(_MARKUP.findall(text)) - in_raw
    if not values or in_values <= outside or (outside and not escaped):
        return None  # markup in plain quotes amid markup is an attribute or a stray apostrophe's catch
    return "".join(values)


_TITLE_KEY = re.compile(r"""(?i)\b\w*title["']?\s*[:=]\s*$""")


def embedded_title(text: str) -> str | None:
    """The string a script or JSON response assigns to a ``…title`` name (``var title = "…"``,
    ``"docTitle": "…"``): the page's ``<title>`` for a report that arrives without its page."""
    for start, _end, raw in string_literals(text):
        if _TITLE_KEY.search(text[max(0, start - 40) : start]):
            value = " ".join(unescape(raw).split())
            if value and "<" not in value:
                return value
    return None
