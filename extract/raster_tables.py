"""Ruled tables on a page image: deskew, ruling lines, cell grid with spans.

Scanned reports print their statistics tables with full rulings, so the grid is read from the lines, never
guessed from text alignment (the same rule as the text-PDF reader's ``lines`` strategy):

1. **Binarise** with Otsu's threshold (grey scans have an even background; the threshold adapts to it).
2. **Deskew**: the angle is the length-weighted median slope of the long horizontal strokes (rules and,
   on pages without tables, text lines dilated into bars). Only angles up to ``MAX_SKEW`` degrees are
   corrected; a scan rotated further is not a "slight skew" and is left alone.
3. **Rules**: morphological opening with a long thin kernel keeps horizontal (vertical) strokes at least
   ``MIN_RULE_PX`` long: glyph strokes are shorter than one character, cell rules are not. Collinear pieces
   with small gaps (scanner drop-outs, specks on the line) are joined.
4. **Tables** are groups of rules that cross each other. A horizontal segment is a rule of its table only
   when both of its ends reach a vertical rule (a ``——`` printed inside a cell touches none), and the same
   for vertical segments and horizontal rules.
5. **Grid**: column edges are the distinct x of the vertical rules, row edges the distinct y of the
   horizontal rules. Two neighbouring grid slots belong to one merged cell when no rule separates them
   (a rule "separates" when it covers most of the shared border); each merged area becomes one origin
   cell with its row/column spans.

Everything here is pixels; the caller scales to PDF points. Knows nothing of OCR or of reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from extract.geometry import cluster

MAX_SKEW = 3.0
"""Largest skew (degrees) that is corrected."""
MIN_RULE_PX = 40
"""Shortest stroke taken for a rule at the reference resolution (150 dpi): longer than any glyph stroke
of body or table text (a 12 pt character is 25 px), shorter than the narrowest cell."""
REFERENCE_DPI = 150.0
JOIN_GAP_PX = 12
"""Collinear rule pieces closer than this are one rule (a scanner drop-out)."""
LINE_TOL_PX = 6
"""Rules whose positions differ by less than this are the same grid line; also how far a rule's end may
stop short of the rule it meets."""
SEPARATES = 0.6
"""Fraction of a shared slot border a rule must cover to separate two slots."""


@dataclass(slots=True)
class Segment:
    """A straight rule piece: ``pos`` is its y (horizontal) or x (vertical), ``lo``..``hi`` its extent."""

    pos: float
    lo: float
    hi: float
    thick: float


@dataclass(slots=True)
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    box: tuple[float, float, float, float]
    """x0, top, x1, bottom in pixels."""


@dataclass(slots=True)
class RasterTable:
    xs: list[float]
    ys: list[float]
    cells: list[GridCell]
    bbox: tuple[float, float, float, float]
    rules_h: list[Segment] = field(default_factory=list)
    rules_v: list[Segment] = field(default_factory=list)


def binarise(gray: np.ndarray) -> np.ndarray:
    """Ink = 255, paper = 0."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def _scale(gray: np.ndarray, dpi: float) -> float:
    return dpi / REFERENCE_DPI


def skew_angle(ink: np.ndarray, dpi: float = REFERENCE_DPI) -> float:
    """Skew in degrees, as ``rotate`` takes it to straighten the page; 0 if unknown.

    Long horizontal rules give the angle directly. Without them, text lines smeared into bars by a wide
    closing do the same job (each bar's fitted slope is the line's slope). The opening that keeps the
    strokes is short: a thin rule skewed by 1° steps down every 57 px, so a long kernel would erase it.
    """
    k = _scale(ink, dpi)
    kernel = int(MIN_RULE_PX * k)
    angles, weights = _bar_angles(_open(ink, kernel, 1), int(MIN_RULE_PX * 3 * k))
    if len(angles) < 2:
        bars = cv2.morphologyEx(
            ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (int(25 * k), 1))
        )
        angles, weights = _bar_angles(_open(bars, kernel, 1), int(MIN_RULE_PX * 4 * k))
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights)[order])
    angle = float(np.asarray(angles)[order][np.searchsorted(cum, cum[-1] / 2)])
    return angle if abs(angle) <= MAX_SKEW else 0.0


def _bar_angles(mask: np.ndarray, min_len: int) -> tuple[list[float], list[float]]:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    angles: list[float] = []
    weights: list[float] = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if w < min_len or h > w * 0.1 + 8:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        if len(xs) < 10:
            continue
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        angles.append(math.degrees(math.atan(slope)))
        weights.append(float(w))
    return angles, weights


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by ``angle`` degrees around the centre, filling with the paper colour."""
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    paper = int(np.median(gray[::8, ::8]))
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=paper)


def _open(ink: np.ndarray, w: int, h: int) -> np.ndarray:
    return cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(w, 1), max(h, 1)))
    )


def _segments(mask: np.ndarray, horizontal: bool) -> list[Segment]:
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if horizontal:
            out.append(Segment(y + h / 2, float(x), float(x + w), float(h)))
        else:
            out.append(Segment(x + w / 2, float(y), float(y + h), float(w)))
    return _join(out)


def _join(segs: list[Segment]) -> list[Segment]:
    segs = sorted(segs, key=lambda s: (round(s.pos / LINE_TOL_PX), s.lo))
    out: list[Segment] = []
    for s in sorted(segs, key=lambda s: (s.pos, s.lo)):
        for o in out:
            if abs(o.pos - s.pos) <= 3 and s.lo <= o.hi + JOIN_GAP_PX and s.hi >= o.lo - JOIN_GAP_PX:
                o.lo, o.hi = min(o.lo, s.lo), max(o.hi, s.hi)
                o.thick = max(o.thick, s.thick)
                break
        else:
            out.append(Segment(s.pos, s.lo, s.hi, s.thick))
    return out


def rule_masks(ink: np.ndarray, dpi: float = REFERENCE_DPI) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical stroke masks (strokes at least ``MIN_RULE_PX`` long)."""
    k = _scale(ink, dpi)
    length = max(int(MIN_RULE_PX * k), 10)
    return _open(ink, length, 1), _open(ink, 1, length)


def find_tables(ink: np.ndarray, dpi: float = REFERENCE_DPI) -> list[RasterTable]:
    """The ruled tables of a deskewed page, top to bottom."""
    h_mask, v_mask = rule_masks(ink, dpi)
    hs = _segments(h_mask, True)
    vs = _segments(v_mask, False)
    tol = LINE_TOL_PX * _scale(ink, dpi)

    def meets(h: Segment, v: Segment) -> bool:
        return v.lo - tol <= h.pos <= v.hi + tol and h.lo - tol <= v.pos <= h.hi + tol

    # tables: connected groups of crossing segments
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if meets(h, v):
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    tables = []
    for g_h, g_v in groups.values():
        table = _table(g_h, g_v, tol)
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return tables


def _table(hs: list[Segment], vs: list[Segment], tol: float) -> RasterTable | None:
    if len(hs) < 2 or len(vs) < 2:
        return None
    # A rule reaches a crossing rule at both of its ends; a stroke that does not is text (a dash in a cell).
    for _ in range(2):
        hs = [h for h in hs if _ends_on(h, vs, tol)]
        vs = [v for v in vs if _ends_on(v, hs, tol)]
    if len(hs) < 2 or len(vs) < 2:
        return None
    ys = cluster([h.pos for h in hs], tol)
    xs = cluster([v.pos for v in vs], tol)
    if len(xs) < 2 or len(ys) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1

    def covered(segs: list[Segment], pos: float, lo: float, hi: float) -> bool:
        spans = sorted((max(s.lo, lo), min(s.hi, hi)) for s in segs if abs(s.pos - pos) <= tol)
        total, end = 0.0, lo
        for a, b in spans:
            if b <= end:
                continue
            total += b - max(a, end)
            end = b
        return total >= SEPARATES * (hi - lo)

    # union-find over the slots: neighbours not separated by a rule belong to one cell
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not covered(vs, xs[c + 1], ys[r], ys[r + 1]):
                parent[find(r * n_cols + c)] = find(r * n_cols + c + 1)
            if r + 1 < n_rows and not covered(hs, ys[r + 1], xs[c], xs[c + 1]):
                parent[find(r * n_cols + c)] = find((r + 1) * n_cols + c)
    areas: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            areas.setdefault(find(r * n_cols + c), []).append((r, c))
    cells = []
    taken: set[tuple[int, int]] = set()
    for slots in sorted(areas.values()):
        r0 = min(r for r, _ in slots)
        r1 = max(r for r, _ in slots) + 1
        c0 = min(c for _, c in slots)
        c1 = max(c for _, c in slots) + 1
        rect = {(r, c) for r in range(r0, r1) for c in range(c0, c1)}
        if rect & taken:
            # not a rectangle (a broken rule joined two cells into an L): keep its slots as single cells
            for r, c in slots:
                if (r, c) not in taken:
                    taken.add((r, c))
                    cells.append(GridCell(r, c, 1, 1, (xs[c], ys[r], xs[c + 1], ys[r + 1])))
            continue
        taken |= rect
        cells.append(GridCell(r0, c0, r1 - r0, c1 - c0, (xs[c0], ys[r0], xs[c1], ys[r1])))
    cells.sort(key=lambda c: (c.row, c.col))
    return RasterTable(xs, ys, cells, (xs[0], ys[0], xs[-1], ys[-1]), hs, vs)


def _ends_on(seg: Segment, cross: list[Segment], tol: float) -> bool:
    """Both ends of ``seg`` lie on (or within ``tol`` past) a crossing segment."""
    reach = tol * 2

    def hits(end: float) -> bool:
        return any(abs(c.pos - end) <= reach and c.lo - tol <= seg.pos <= c.hi + tol for c in cross)

    return hits(seg.lo) and hits(seg.hi)


def erase_rules(
    gray: np.ndarray, ink: np.ndarray, tables: list[RasterTable], dpi: float = REFERENCE_DPI
) -> np.ndarray:
    """The page with the table rules painted over in the paper colour, so that text detection never joins
    the text of two cells across the rule between them and recognition never reads a rule as 1 or 丨.
    Only the strokes of the rules themselves go: a ``——`` printed in a cell stays."""
    if not tables:
        return gray
    h_mask, v_mask = rule_masks(ink, dpi)
    strips = np.zeros_like(ink)
    pad = 2
    for t in tables:
        for seg in t.rules_h:
            half = seg.thick / 2 + pad
            y0, y1 = int(seg.pos - half), int(np.ceil(seg.pos + half)) + 1
            strips[max(y0, 0) : y1, max(int(seg.lo) - pad, 0) : int(seg.hi) + pad + 1] = 255
        for seg in t.rules_v:
            half = seg.thick / 2 + pad
            x0, x1 = int(seg.pos - half), int(np.ceil(seg.pos + half)) + 1
            strips[max(int(seg.lo) - pad, 0) : int(seg.hi) + pad + 1, max(x0, 0) : x1] = 255
    lines = cv2.bitwise_and(cv2.bitwise_or(h_mask, v_mask), strips)
    lines = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    out = gray.copy()
    out[lines > 0] = int(np.median(gray[::8, ::8]))
    return out


CELL_MARGIN_PX = 4
"""Pixels inside a cell's rules that are still the rules' blur, ignored when looking for ink."""


def _blobs(
    ink: np.ndarray, box: tuple[float, float, float, float], min_size: float
) -> list[tuple[int, int, int, int]]:
    """Ink components inside ``box`` (shrunk off its rules) at least ``min_size`` px tall or wide, as
    (x0, y0, x1, y1) page pixels. Components touching the shrunk box's edge are rule remnants."""
    x0, y0, x1, y1 = (int(v) for v in box)
    m = CELL_MARGIN_PX
    sub = ink[y0 + m : y1 - m, x0 + m : x1 - m]
    if sub.size == 0:
        return []
    n, _, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if max(w, h) < min_size:
            continue
        if x == 0 or y == 0 or x + w >= sub.shape[1] or y + h >= sub.shape[0]:
            continue
        out.append((x0 + m + x, y0 + m + y, x0 + m + x + w, y0 + m + y + h))
    return out


def marks(
    ink: np.ndarray, box: tuple[float, float, float, float], min_size: float
) -> list[tuple[int, int, int, int]]:
    """The glyph-sized marks in a cell: a glyph or a printed dash leaves one, a speck of dust does not."""
    return _blobs(ink, box, min_size)


def is_dash(blobs: list[tuple[int, int, int, int]], glyph_h: float) -> bool:
    """The cell's marks are horizontal bars only (the printed ``——``): flat, wide, on one line."""
    if not blobs:
        return False
    flat = all((b[3] - b[1]) <= 0.3 * glyph_h and (b[2] - b[0]) >= 3 * (b[3] - b[1]) for b in blobs)
    one_line = max(b[3] for b in blobs) - min(b[1] for b in blobs) <= 0.4 * glyph_h
    return flat and one_line and sum(b[2] - b[0] for b in blobs) >= 0.5 * glyph_h


def ink_extent(
    gray: np.ndarray, box: tuple[float, float, float, float], min_height: float = 6
) -> tuple[int, int, int, int] | None:
    """Bounding box (page pixels) of the glyph-sized ink inside ``box`` of a grey page, or None."""
    x0, y0, x1, y1 = (int(v) for v in box)
    sub = gray[max(y0, 0) : y1, max(x0, 0) : x1]
    if sub.size == 0:
        return None
    blobs = _blobs(binarise(sub), (0, 0, sub.shape[1], sub.shape[0]), min_height)
    if not blobs:
        return None
    ox, oy = max(x0, 0), max(y0, 0)
    return (
        ox + min(b[0] for b in blobs),
        oy + min(b[1] for b in blobs),
        ox + max(b[2] for b in blobs),
        oy + max(b[3] for b in blobs),
    )


DUST_PX = 6
"""At the reference resolution, an ink mark no larger than this (both sides) is dust unless it sits
between two glyphs (a decimal point, a colon's dot, an enumeration comma)."""


def remove_dust(gray: np.ndarray, ink: np.ndarray, dpi: float = REFERENCE_DPI) -> np.ndarray:
    """The page with isolated specks painted over: scanner dust beside a number would otherwise be read
    as a trailing point or comma ("0." is not a number). A mark is kept when glyph ink lies within a gap
    of ``DUST_PX`` on both its left and its right, at the height of the mark or above it (a decimal point
    sits at the baseline of the digits around it), and a flat mark with a glyph on its right (a minus)."""
    k = _scale(ink, dpi)
    size = DUST_PX * k
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = [i for i in range(1, n) if stats[i][2] <= size and stats[i][3] <= size]
    if not small:
        return gray
    big = np.isin(labels, [i for i in range(1, n) if stats[i][2] > size or stats[i][3] > size])
    gap = int(round(2 * size))
    reach = int(round(4 * size))
    h_img, w_img = ink.shape
    out = gray.copy()
    paper = int(np.median(gray[::8, ::8]))
    for i in small:
        x, y, w, h, _ = stats[i]
        top, bottom = max(y - reach, 0), min(y + h + 1, h_img)
        left = big[top:bottom, max(x - gap, 0) : x].any()
        right = big[top:bottom, x + w : min(x + w + gap, w_img)].any()
        if left and right:
            continue
        if right and w >= 2 * h and w >= 3:
            continue  # a minus sign before a number
        out[y : y + h, x : x + w][labels[y : y + h, x : x + w] == i] = paper
    return out
