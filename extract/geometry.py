"""Plane geometry both table readers share: the PDF reader (ruling lines and glyph boxes in points) and
the raster reader (ruling lines found on a page image, in pixels) group nearly equal coordinates the same
way."""

from __future__ import annotations

from collections.abc import Iterable


def cluster(values: Iterable[float], tol: float) -> list[float]:
    """Sorted representatives (means) of values that lie within ``tol`` of their neighbour."""
    out: list[float] = []
    group: list[float] = []
    for v in sorted(values):
        if group and v - group[-1] > tol:
            out.append(sum(group) / len(group))
            group = []
        group.append(v)
    if group:
        out.append(sum(group) / len(group))
    return out
