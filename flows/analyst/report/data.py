"""The report page's data access: which agency or region a user means, and rows from the views.

Ambiguity is an error that lists the candidates, never a guess: a page about the wrong agency is
worse than none."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb


class ReportError(RuntimeError):
    """The agency or region cannot be found, or is ambiguous (the message lists the candidates)."""


def has_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a view or table exists (older warehouses lack the newer views until the next ingest)."""
    sql = (
        "SELECT (SELECT count(*) FROM duckdb_views() WHERE view_name = $1 AND NOT internal)"
        " + (SELECT count(*) FROM duckdb_tables() WHERE table_name = $1)"
    )
    return bool(con.execute(sql, [name]).fetchall()[0][0])


def fetch_rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def resolve_agency(con: duckdb.DuckDBPyConnection, key: str) -> dict[str, Any]:
    """agency_id, exact name (canonical or as printed), six-digit division code, or a unique substring."""
    agencies = fetch_rows(
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
    rows = fetch_rows(
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
