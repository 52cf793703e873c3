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

from collections.abc import Sequence
from typing import Any

import duckdb

from flows.analyst.report.charts import Chart, bar_chart_svg, year_span
from flows.analyst.report.data import fetch_rows, has_view, resolve_agency, resolve_region
from flows.analyst.report.html import dict_table, esc, missing, page, table, table_html

FORM_CHANGE_YEAR = 2019
"""First report year of the 2019 条例 forms (G19); legacy 统计表 before. Series cross it only as graded."""


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
    reports = fetch_rows(
        con,
        "SELECT year, report_id, format, title, version, gen_t2, gen_t3, gen_t4, gen_legacy FROM reports "
        "WHERE is_current AND agency_id = ? ORDER BY year",
        [aid],
    )
    years = sorted({r["year"] for r in reports if r["year"] is not None})
    body: list[str] = []
    region = " · ".join(x for x in (agency["province"], agency["city"], agency["county"]) if x)
    body.append(
        f"<header><h1>{esc(name)}</h1><p class='sub'>政府信息公开工作年度报告 · agency_id <code>{esc(aid)}</code>"
        f" · {esc(region)} · 行政区划代码 {esc(agency['division_code'] or '—')} · "
        f"{len(reports)} report(s), {', '.join(map(str, years)) or 'no year'}</p></header>"
    )
    body.append(
        table(
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
    if has_view(con, "v_series"):
        series = fetch_rows(
            con,
            "SELECT year, series, value, grade, break_before, caveat FROM v_series WHERE agency_id = ?",
            [aid],
        )
        for title, keys in SERIES_CHARTS:
            body.append(_series_section(title, keys, series, years))
    else:
        body.append(missing("v_series"))
    if has_view(con, "v_agency_year"):
        rows = fetch_rows(
            con,
            "SELECT year, requests_new, requests_new_yoy, requests_decided, req_carried_in, req_carried_out, "
            "carry_gap FROM v_agency_year WHERE agency_id = ? ORDER BY year",
            [aid],
        )
        body.append(dict_table("申请量与结转 · Requests year on year (v_agency_year)", rows))
    if has_view(con, "v_disputes"):
        rows = fetch_rows(
            con,
            "SELECT year, rev_total, lit_total, overall_correction_rate, overall_correction_rate_n, "
            "disputes_per_100_decisions, correction_per_1000_requests FROM v_disputes WHERE agency_id = ? "
            "ORDER BY year",
            [aid],
        )
        body.append(dict_table("争议比率 · Dispute rates (v_disputes)", rows))
    if has_view(con, "v_enforcement"):
        rows = fetch_rows(
            con,
            "SELECT year, lic_decisions, pen_decisions, coe_decisions, service_enforcement_ratio, nd_made, "
            "nd_in_force FROM v_enforcement WHERE agency_id = ? ORDER BY year",
            [aid],
        )
        body.append(
            dict_table("执法与规范性文件 · Enforcement and normative documents (v_enforcement)", rows)
        )
    body.append(_quality_section(con, "r.agency_id = ?", [aid]))
    return page(f"{name} · 政府信息公开年报", body), f"{name} ({aid})"


def _region_page(con: duckdb.DuckDBPyConnection, region: dict[str, Any]) -> tuple[str, str]:
    level = region["level"]
    names = [region[k] for k in ("province", "city", "county") if k in region]
    label = "".join(n for n in names if n)
    body = [
        f"<header><h1>{esc(label)}</h1><p class='sub'>政府信息公开工作年度报告 · region {esc(region['code'])} "
        f"({esc(level)} level, agency_self reports aggregated; v_region_year)</p></header>"
    ]
    cond = " AND ".join(f"{k} IS NOT DISTINCT FROM ?" for k in ("province", "city", "county") if k in region)
    params = [region[k] for k in ("province", "city", "county") if k in region]
    if not has_view(con, "v_region_year"):
        body.append(missing("v_region_year"))
        return page(label, body), label
    rows = fetch_rows(
        con,
        f"SELECT * FROM v_region_year WHERE grouping_level = ? AND {cond} ORDER BY year",
        [level, *params],
    )
    years = year_span([r["year"] for r in rows if r["year"] is not None])
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
        dict_table(
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
    return page(f"{label} · 政府信息公开年报", body), f"{label} ({region['code']})"


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
        year_span(years),
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
        f"<section><h2>{esc(chart.title)}</h2>{bar_chart_svg(chart)}"
        f"{table_html(head, rows, numeric_from=1)}</section>"
    )


def _quality_section(
    con: duckdb.DuckDBPyConnection, where: str, params: Sequence[Any], by_agency: bool = False
) -> str:
    parts = ["<section><h2>数据质量 · Quality flags</h2>"]
    if has_view(con, "v_quality"):
        rows = fetch_rows(
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
        parts.append(dict_table("每份报告 · Per report (v_quality)", rows, wrap=False))
    else:
        parts.append(missing("v_quality"))
    describe = "LEFT JOIN rule_dictionary AS d USING (rule_id)" if has_view(con, "rule_dictionary") else ""
    desc_col = "d.description" if describe else "NULL"
    failed = fetch_rows(
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
        dict_table(
            "未通过的校验 · Failed checks", failed, empty="没有未通过的校验 · no failed checks", wrap=False
        )
    )
    if has_view(con, "v_checks_cross_year"):
        cross = fetch_rows(
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
            dict_table(
                "跨年度校验未通过 · Failed cross-year checks (v_checks_cross_year)",
                cross,
                empty="没有未通过的跨年度校验 · no failed cross-year checks",
                wrap=False,
            )
        )
    imputed = fetch_rows(
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
        dict_table(
            "推算的单元格 · Imputed cells (blank in the report, filled by a consistency rule)",
            imputed,
            empty="没有推算的单元格 · no imputed cells",
            wrap=False,
        )
    )
    parts.append("</section>")
    return "".join(parts)
