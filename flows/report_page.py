"""``xxgk report``: one self-contained HTML page per agency (or region), built from the analyst views.

Self-contained means one file that renders offline: inline CSS, charts as inline SVG drawn here (no
JavaScript, no CDN, no fonts to fetch), and a Content-Security-Policy that forbids every network load,
so a stray external reference would show up as a console error instead of a silent request.
Numbers come from the views (v_series for the harmonised multi-year charts, v_agency_year,
v_disputes, v_enforcement, v_quality, v_region_year); each chart has its data table below it, so the
page is also readable as text. A view missing from an older warehouse leaves its section with a note
(the views are created by ``xxgk ingest``).
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

FORM_CHANGE_YEAR = 2019
"""First report year of the 2019 条例 forms (G19); legacy 统计表 before. Series cross it only as graded."""
PALETTE = ("#2b6cb0", "#dd6b20", "#38a169", "#d53f8c", "#805ad5", "#718096", "#b7791f")


class ReportError(RuntimeError):
    """The agency or region cannot be found, or is ambiguous (the message lists the candidates)."""


@dataclass(slots=True)
class Chart:
    """A grouped bar chart: one group per year, one bar per series."""

    title: str
    years: list[int]
    series: list[tuple[str, str]]  # (key, label)
    values: dict[tuple[str, int], float | None]
    notes: dict[str, str] = field(default_factory=dict)  # key -> grade / caveat shown in the legend
    break_before: set[int] = field(default_factory=set)
    reported: set[int] | None = None  # years with a report (None: every year with a value)


# ---- queries ---------------------------------------------------------------------------------------


def _has(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a view or table exists (older warehouses lack the newer views until the next ingest)."""
    sql = (
        "SELECT (SELECT count(*) FROM duckdb_views() WHERE view_name = $1 AND NOT internal)"
        " + (SELECT count(*) FROM duckdb_tables() WHERE table_name = $1)"
    )
    return bool(con.execute(sql, [name]).fetchall()[0][0])


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def resolve_agency(con: duckdb.DuckDBPyConnection, key: str) -> dict[str, Any]:
    """agency_id, exact name (canonical or as printed), six-digit division code, or a unique substring."""
    agencies = _rows(
        con,
        """
        SELECT agency_id, any_value(agency_name) AS agency_name, any_value(division_code) AS division_code,
               any_value(province) AS province, any_value(city) AS city, any_value(county) AS county,
               list(DISTINCT agency) AS names
        FROM reports WHERE is_current AND agency_id IS NOT NULL
        GROUP BY agency_id ORDER BY agency_id
        """,
    )
    tests = (
        lambda a: a["agency_id"] == key,
        lambda a: a["agency_name"] == key or key in (a["names"] or []),
        lambda a: a["division_code"] == key,
        lambda a: key in (a["agency_name"] or "") or any(key in (n or "") for n in a["names"] or []),
    )
    for test in tests:
        found = [a for a in agencies if test(a)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            listing = "; ".join(f"{a['agency_id']} ({a['agency_name']})" for a in found)
            raise ReportError(
                f"--agency {key!r} matches {len(found)} agencies: {listing}. Pass an agency_id."
            )
    raise ReportError(
        f"no agency matches {key!r} (agency_id, name or division code); "
        'list them with: xxgk query "SELECT DISTINCT agency_id, agency_name FROM reports"'
    )


def resolve_region(con: duckdb.DuckDBPyConnection, code: str) -> dict[str, Any]:
    """A six-digit division code → its level and names, from the reports of agencies inside it."""
    if not (len(code) == 6 and code.isdigit()):
        raise ReportError(f"--region needs a six-digit division code (行政区划代码), not {code!r}")
    if code.endswith("0000"):
        level, prefix = "province", code[:2]
    elif code.endswith("00"):
        level, prefix = "city", code[:4]
    else:
        level, prefix = "county", code
    rows = _rows(
        con,
        "SELECT province, city, county FROM reports WHERE is_current AND starts_with(division_code, ?) "
        "LIMIT 1",
        [prefix],
    )
    if not rows:
        raise ReportError(f"no report in the warehouse comes from division {code}")
    names = rows[0]
    keep = {"province": ["province"], "city": ["province", "city"], "county": ["province", "city", "county"]}
    return {"code": code, "level": level, **{k: names[k] for k in keep[level]}}


# ---- page ------------------------------------------------------------------------------------------


def render_report(
    con: duckdb.DuckDBPyConnection, *, agency: str | None = None, region: str | None = None
) -> tuple[str, str]:
    """The page and a one-line name of its subject."""
    if agency is not None:
        return _agency_page(con, resolve_agency(con, agency))
    assert region is not None
    return _region_page(con, resolve_region(con, region))


SERIES_CHARTS = (
    (
        "依申请公开：收到与办理 · Requests and outcomes",
        (
            "h_requests_new",
            "h_requests_decided",
            "h_granted",
            "h_partial",
            "h_denied_statutory",
            "h_not_held",
        ),
    ),
    (
        "行政复议与行政诉讼 · Disputes",
        ("h_rev_total", "h_rev_corrected", "h_lit_total", "h_lit_corrected"),
    ),
    ("行政执法决定 · Enforcement decisions", ("h_lic_decisions", "h_pen_decisions", "h_coe_decisions")),
)
SERIES_LABELS = {
    "h_requests_new": "新收申请 new requests",
    "h_requests_decided": "办结 decided",
    "h_granted": "予以公开 granted",
    "h_partial": "部分公开 partial",
    "h_denied_statutory": "不予公开 denied",
    "h_not_held": "无法提供 not held",
    "h_rev_total": "行政复议 reviews",
    "h_rev_corrected": "复议纠错 review corrected",
    "h_lit_total": "行政诉讼 lawsuits",
    "h_lit_corrected": "诉讼纠错 lawsuit corrected",
    "h_lic_decisions": "行政许可 licensing",
    "h_pen_decisions": "行政处罚 penalties",
    "h_coe_decisions": "行政强制 coercive measures",
}


def _agency_page(con: duckdb.DuckDBPyConnection, agency: dict[str, Any]) -> tuple[str, str]:
    aid = agency["agency_id"]
    name = agency["agency_name"] or aid
    reports = _rows(
        con,
        "SELECT year, report_id, format, title, version, gen_t2, gen_t3, gen_t4, gen_legacy FROM reports "
        "WHERE is_current AND agency_id = ? ORDER BY year",
        [aid],
    )
    years = sorted({r["year"] for r in reports if r["year"] is not None})
    body: list[str] = []
    region = " · ".join(x for x in (agency["province"], agency["city"], agency["county"]) if x)
    body.append(
        f"<header><h1>{_e(name)}</h1><p class='sub'>政府信息公开工作年度报告 · agency_id <code>{_e(aid)}</code>"
        f" · {_e(region)} · 行政区划代码 {_e(agency['division_code'] or '—')} · "
        f"{len(reports)} report(s), {', '.join(map(str, years)) or 'no year'}</p></header>"
    )
    body.append(
        _table(
            "报告 · Reports",
            ["year", "report_id", "format", "generation", "version", "title"],
            [
                [
                    r["year"],
                    r["report_id"],
                    r["format"],
                    " ".join(g for g in (r["gen_t2"], r["gen_t3"], r["gen_t4"], r["gen_legacy"]) if g) or "—",
                    r["version"],
                    r["title"],
                ]
                for r in reports
            ],
        )
    )
    if _has(con, "v_series"):
        series = _rows(
            con,
            "SELECT year, series, value, grade, break_before, caveat FROM v_series WHERE agency_id = ?",
            [aid],
        )
        for title, keys in SERIES_CHARTS:
            body.append(_series_section(title, keys, series, years))
    else:
        body.append(_missing("v_series"))
    if _has(con, "v_agency_year"):
        rows = _rows(
            con,
            "SELECT year, requests_new, requests_new_yoy, requests_decided, req_carried_in, req_carried_out, "
            "carry_gap FROM v_agency_year WHERE agency_id = ? ORDER BY year",
            [aid],
        )
        body.append(_dict_table("申请量与结转 · Requests year on year (v_agency_year)", rows))
    if _has(con, "v_disputes"):
        rows = _rows(
            con,
            "SELECT year, rev_total, lit_total, overall_correction_rate, overall_correction_rate_n, "
            "disputes_per_100_decisions, correction_per_1000_requests FROM v_disputes WHERE agency_id = ? "
            "ORDER BY year",
            [aid],
        )
        body.append(_dict_table("争议比率 · Dispute rates (v_disputes)", rows))
    if _has(con, "v_enforcement"):
        rows = _rows(
            con,
            "SELECT year, lic_decisions, pen_decisions, coe_decisions, service_enforcement_ratio, nd_made, "
            "nd_in_force FROM v_enforcement WHERE agency_id = ? ORDER BY year",
            [aid],
        )
        body.append(
            _dict_table("执法与规范性文件 · Enforcement and normative documents (v_enforcement)", rows)
        )
    body.append(_quality_section(con, "r.agency_id = ?", [aid]))
    return _page(f"{name} · 政府信息公开年报", body), f"{name} ({aid})"


def _region_page(con: duckdb.DuckDBPyConnection, region: dict[str, Any]) -> tuple[str, str]:
    level = region["level"]
    names = [region[k] for k in ("province", "city", "county") if k in region]
    label = "".join(n for n in names if n)
    body = [
        f"<header><h1>{_e(label)}</h1><p class='sub'>政府信息公开工作年度报告 · region {_e(region['code'])} "
        f"({_e(level)} level, agency_self reports aggregated; v_region_year)</p></header>"
    ]
    cond = " AND ".join(f"{k} IS NOT DISTINCT FROM ?" for k in ("province", "city", "county") if k in region)
    params = [region[k] for k in ("province", "city", "county") if k in region]
    if not _has(con, "v_region_year"):
        body.append(_missing("v_region_year"))
        return _page(label, body), label
    rows = _rows(
        con,
        f"SELECT * FROM v_region_year WHERE grouping_level = ? AND {cond} ORDER BY year",
        [level, *params],
    )
    years = _span([r["year"] for r in rows if r["year"] is not None])
    by_year = {r["year"]: r for r in rows}
    for title, keys in (
        ("依申请公开 · Requests", ("req_new", "out_total")),
        ("行政复议与行政诉讼 · Disputes", ("rev_total", "lit_total")),
        ("行政执法决定 · Enforcement decisions", ("lic_decisions", "pen_decisions", "coe_decisions")),
    ):
        chart = Chart(
            title,
            years,
            [(k, k) for k in keys],
            {(k, y): by_year[y][k] for k in keys for y in years if y in by_year},
        )
        body.append(_chart_section(chart))
    body.append(
        _dict_table(
            "比率 · Rates (ratio of sums over the region's agencies)",
            [
                {
                    k: r[k]
                    for k in (
                        "year",
                        "reports",
                        "agencies",
                        "disclosure_rate",
                        "statutory_denial_rate",
                        "overall_correction_rate",
                        "disputes_per_100_decisions",
                        "service_enforcement_ratio",
                    )
                }
                for r in rows
            ],
        )
    )
    where = " AND ".join(
        f"r.{k} IS NOT DISTINCT FROM ?" for k in ("province", "city", "county") if k in region
    )
    body.append(_quality_section(con, where, params, by_agency=True))
    return _page(f"{label} · 政府信息公开年报", body), f"{label} ({region['code']})"


def _series_section(title: str, keys: Sequence[str], series: list[dict[str, Any]], years: list[int]) -> str:
    values = {(s["series"], s["year"]): s["value"] for s in series if s["series"] in keys}
    notes = {}
    for s in series:
        if s["series"] in keys and s["grade"]:
            notes[s["series"]] = f"grade {s['grade']}"
    flagged = {s["year"] for s in series if s["break_before"] and s["series"] in keys}
    # The form changed with the 2019 reports: draw the line there when the chart shows 2019, otherwise
    # before the first value v_series flags as crossing the break.
    breaks = (
        {FORM_CHANGE_YEAR} if flagged and min(years, default=FORM_CHANGE_YEAR) < FORM_CHANGE_YEAR else flagged
    )
    chart = Chart(
        title,
        _span(years),
        [(k, SERIES_LABELS.get(k, k)) for k in keys],
        values,
        notes=notes,
        break_before=breaks,
        reported=set(years),
    )
    return _chart_section(chart)


def _chart_section(chart: Chart) -> str:
    head = ["series", *map(str, chart.years)]
    rows = [
        [
            label + (f" ({chart.notes[key]})" if key in chart.notes else ""),
            *(chart.values.get((key, y)) for y in chart.years),
        ]
        for key, label in chart.series
    ]
    return (
        f"<section><h2>{_e(chart.title)}</h2>{bar_chart_svg(chart)}"
        f"{_table_html(head, rows, numeric_from=1)}</section>"
    )


def _quality_section(
    con: duckdb.DuckDBPyConnection, where: str, params: Sequence[Any], by_agency: bool = False
) -> str:
    parts = ["<section><h2>数据质量 · Quality flags</h2>"]
    if _has(con, "v_quality"):
        rows = _rows(
            con,
            f"""
            SELECT q.year, {"q.agency_name, " if by_agency else ""}q.hard_fail, q.soft_fail, q.hard_evaluated, q.rule_pass_rate,
                   q.completeness, q.imputed_cells, q.narrative_mismatches, q.format_compliance,
                   q.parser_warnings
            FROM v_quality AS q JOIN reports AS r USING (report_id)
            WHERE {where} ORDER BY q.year, q.agency_name
            """,
            params,
        )
        parts.append(_dict_table("每份报告 · Per report (v_quality)", rows, wrap=False))
    else:
        parts.append(_missing("v_quality"))
    describe = "LEFT JOIN rule_dictionary AS d USING (rule_id)" if _has(con, "rule_dictionary") else ""
    desc_col = "d.description" if describe else "NULL"
    failed = _rows(
        con,
        f"""
        SELECT r.year, c.rule_id, c.party, c.severity, c.detail, {desc_col} AS rule
        FROM checks AS c JOIN reports AS r USING (report_id) {describe}
        WHERE r.is_current AND c.status = 'fail' AND {where}
        ORDER BY r.year, c.severity, c.rule_id, c.party
        """,
        params,
    )
    parts.append(
        _dict_table(
            "未通过的校验 · Failed checks", failed, empty="没有未通过的校验 · no failed checks", wrap=False
        )
    )
    if _has(con, "v_checks_cross_year"):
        cross = _rows(
            con,
            f"""
            SELECT x.year_from, x.year_to, x.rule_id, x.party, x.severity, x.lhs, x.rhs
            FROM v_checks_cross_year AS x JOIN reports AS r ON r.report_id = x.report_id_to
            WHERE x.status = 'fail' AND {where}
            ORDER BY x.year_to, x.rule_id, x.party
            """,
            params,
        )
        parts.append(
            _dict_table(
                "跨年度校验未通过 · Failed cross-year checks (v_checks_cross_year)",
                cross,
                empty="没有未通过的跨年度校验 · no failed cross-year checks",
                wrap=False,
            )
        )
    imputed = _rows(
        con,
        f"""
        SELECT r.year, f.table_id, f.code, f.party, f.value, f.raw_value, c.rule_id AS imputed_by
        FROM facts AS f JOIN reports AS r USING (report_id)
        LEFT JOIN checks AS c ON c.report_id = f.report_id AND c.imputes LIKE f.code || '[' || f.party || ']=%'
        WHERE r.is_current AND f.state = 'imputed' AND {where}
        ORDER BY r.year, f.table_id, f.code, f.party
        """,
        params,
    )
    parts.append(
        _dict_table(
            "推算的单元格 · Imputed cells (blank in the report, filled by a consistency rule)",
            imputed,
            empty="没有推算的单元格 · no imputed cells",
            wrap=False,
        )
    )
    parts.append("</section>")
    return "".join(parts)


# ---- SVG -------------------------------------------------------------------------------------------


def bar_chart_svg(chart: Chart, width: int = 760, height: int = 280) -> str:
    """Grouped bars with value labels, a y grid, a legend, and a dashed line where the report form
    changed (break_before: values on both sides are comparable only as graded in the legend)."""
    left, right, top, bottom = 56, 16, 56, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    present = [v for v in chart.values.values() if v is not None and not math.isnan(v)]
    vmax = _nice_max(max(present) if present else 1.0)
    n_years = max(len(chart.years), 1)
    group_w = plot_w / n_years
    n_series = max(len(chart.series), 1)
    bar_w = min(36.0, group_w * 0.8 / n_series)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{_e(chart.title)}" class="chart">'
    ]
    for i in range(5):  # y grid and labels
        v = vmax * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">{_fmt(v)}</text>')
    for gi, year in enumerate(chart.years):
        gx = left + gi * group_w
        x0 = gx + (group_w - bar_w * n_series) / 2
        if year in chart.break_before and gi > 0:
            out.append(
                f'<line x1="{gx:.1f}" y1="{top - 6}" x2="{gx:.1f}" y2="{top + plot_h}" class="break"/>'
                f'<text x="{gx + 4:.1f}" y="{height - 2}" class="note">← 口径变化 form changed</text>'
            )
        if all(chart.values.get((key, year)) is None for key, _ in chart.series):
            out.append(
                f'<text x="{gx + group_w / 2:.1f}" y="{top + plot_h - 6}" class="na" text-anchor="middle">'
                f"{'无报告 no report' if chart.reported is None or year not in chart.reported else '表式无此项 n/a'}</text>"
            )
            out.append(
                f'<text x="{gx + group_w / 2:.1f}" y="{height - 12}" class="year" text-anchor="middle">{year}</text>'
            )
            continue
        for si, (key, label) in enumerate(chart.series):
            value = chart.values.get((key, year))
            x = x0 + si * bar_w
            color = PALETTE[si % len(PALETTE)]
            if value is None or math.isnan(value):
                out.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - 4}" class="na" '
                    f'text-anchor="middle">–<title>{_e(label)} {year}: not reported</title></text>'
                )
                continue
            h = plot_h * value / vmax if vmax else 0
            y = top + plot_h - h
            out.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" '
                f'fill="{color}"><title>{_e(label)} {year}: {_fmt(value)}</title></rect>'
            )
            out.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" class="val" text-anchor="middle">{_fmt(value)}</text>'
            )
        out.append(
            f'<text x="{gx + group_w / 2:.1f}" y="{height - 12}" class="year" text-anchor="middle">{year}</text>'
        )
    lx, ly = left, 16
    for si, (key, label) in enumerate(chart.series):  # legend, wrapping to a second row
        text = label + (f" · {chart.notes[key]}" if key in chart.notes else "")
        w = 18 + 7.2 * _display_len(text)
        if lx + w > width - right:
            lx, ly = left, ly + 16
        out.append(
            f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{PALETTE[si % len(PALETTE)]}"/>'
        )
        out.append(f'<text x="{lx + 14}" y="{ly}" class="legend">{_e(text)}</text>')
        lx += int(w)
    out.append("</svg>")
    return "".join(out)


def _span(years: Sequence[int]) -> list[int]:
    """Every year from the first to the last: a year without a report is a visible gap, not skipped."""
    return list(range(min(years), max(years) + 1)) if years else []


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for step in (1, 2, 2.5, 5, 10):
        if v <= step * exp:
            return step * exp
    return 10 * exp


def _display_len(text: str) -> float:
    """Width in Latin characters: CJK glyphs are about twice as wide."""
    return sum(1.9 if ord(ch) > 0x2E80 else 1.0 for ch in text)


# ---- HTML helpers ----------------------------------------------------------------------------------

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


def _page(title: str, body: list[str]) -> str:
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        + "".join(body)
        + f"<footer>xxgk report · generated {generated} · values from the warehouse views; grades and the "
        "2019 form change as in v_series (A- comparable, B similar concept, C do not chain).</footer>"
        "</body></html>\n"
    )


def _missing(view: str) -> str:
    return (
        f"<section><p class='missing'>{_e(view)} is not in this warehouse yet: run <code>xxgk ingest</code> "
        "with this version of xxgk to create the views.</p></section>"
    )


def _dict_table(title: str, rows: list[dict[str, Any]], empty: str = "—", wrap: bool = True) -> str:
    inner = f"<h3>{_e(title)}</h3>"
    if not rows:
        inner += f"<p class='empty'>{_e(empty)}</p>"
    else:
        head = list(rows[0])
        inner += _table_html(head, [[r[h] for h in head] for r in rows])
    return f"<section>{inner}</section>" if wrap else inner


def _table(title: str, head: list[str], rows: list[list[Any]]) -> str:
    return f"<section><h2>{_e(title)}</h2>{_table_html(head, rows)}</section>"


def _table_html(head: Sequence[str], rows: Sequence[Sequence[Any]], numeric_from: int | None = None) -> str:
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>")
        for i, v in enumerate(row):
            numeric = isinstance(v, int | float) and not isinstance(v, bool)
            cls = "n" if numeric or (numeric_from is not None and i >= numeric_from) else "w"
            out.append(f"<td class='{cls}'>{_e(_fmt(v))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _fmt(v: Any) -> str:
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


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)
