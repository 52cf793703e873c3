"""The page's HTML building blocks: escaping, number formatting, tables, the inline CSS and the
shell with its Content-Security-Policy."""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence
from typing import Any

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:24px auto;max-width:980px;color:#1a202c;background:#fff;line-height:1.45}
header h1{margin:0 0 4px;font-size:26px} .sub{color:#4a5568;margin:0 0 18px}
section{margin:26px 0} h2{font-size:19px;border-bottom:2px solid #e2e8f0;padding-bottom:4px}
h3{font-size:15px;margin:14px 0 6px} code{font-size:90%;background:#edf2f7;padding:1px 4px;border-radius:3px}
table{border-collapse:collapse;font-size:13px;margin:6px 0 12px;display:block;overflow-x:auto} th,td{border:1px solid #e2e8f0;padding:3px 8px}
th{background:#f7fafc;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums}
td.w{max-width:420px} .empty{color:#2f855a} .missing{color:#c05621}
svg.chart{display:block;max-width:100%;height:auto} .grid{stroke:#e2e8f0} .axis,.year{font-size:11px;fill:#4a5568}
.val{font-size:10px;fill:#1a202c} .legend{font-size:12px;fill:#1a202c} .na{font-size:12px;fill:#a0aec0}
.break{stroke:#c05621;stroke-dasharray:4 3} .note{font-size:10px;fill:#c05621}
footer{color:#718096;font-size:12px;margin-top:30px}
"""


def page(title: str, body: list[str]) -> str:
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        + "".join(body)
        + f"<footer>xxgk report · generated {generated} · values from the warehouse views; grades and the "
        "2019 form change as in v_series (A- comparable, B similar concept, C do not chain).</footer>"
        "</body></html>\n"
    )


def missing(view: str) -> str:
    return (
        f"<section><p class='missing'>{esc(view)} is not in this warehouse yet: run <code>xxgk ingest</code> "
        "with this version of xxgk to create the views.</p></section>"
    )


def dict_table(title: str, rows: list[dict[str, Any]], empty: str = "—", wrap: bool = True) -> str:
    inner = f"<h3>{esc(title)}</h3>"
    if not rows:
        inner += f"<p class='empty'>{esc(empty)}</p>"
    else:
        head = list(rows[0])
        inner += table_html(head, [[r[h] for h in head] for r in rows])
    return f"<section>{inner}</section>" if wrap else inner


def table(title: str, head: list[str], rows: list[list[Any]]) -> str:
    return f"<section><h2>{esc(title)}</h2>{table_html(head, rows)}</section>"


def table_html(head: Sequence[str], rows: Sequence[Sequence[Any]], numeric_from: int | None = None) -> str:
    out = ["<table><thead><tr>", *(f"<th>{esc(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>")
        for i, v in enumerate(row):
            numeric = isinstance(v, int | float) and not isinstance(v, bool)
            cls = "n" if numeric or (numeric_from is not None and i >= numeric_from) else "w"
            out.append(f"<td class='{cls}'>{esc(fmt(v))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        if v.is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        return f"{v:,.3f}".rstrip("0").rstrip(".")
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10000 else str(v)
    return str(v)


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)
