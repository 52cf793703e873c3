"""Character-level clean-up shared by every reader.

PDF fonts often map CJK glyphs to Kangxi-radical or compatibility code points (⽂ U+2F42 for 文). NFKC
fixes those, but full NFKC would also fold full-width punctuation that narrative text keeps, so it is
applied only to the affected blocks. The CJK Radicals Supplement is not covered by NFKC and gets an
explicit table.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# CJK Radicals Supplement code points seen in PDF text layers, mapped to the unified ideograph.
# fmt: off
_RADICAL_SUPPLEMENT = {
    "\u2e80": "丶", "\u2e81": "厂", "\u2e84": "乙", "\u2e85": "亻", "\u2e86": "冂", "\u2e87": "几",
    "\u2e88": "刀", "\u2e89": "刂", "\u2e8a": "卜", "\u2e8b": "卩", "\u2e8c": "小", "\u2e8d": "小",
    "\u2e8e": "兀", "\u2e8f": "尢", "\u2e90": "尢", "\u2e92": "巳", "\u2e93": "幺", "\u2e94": "彑",
    "\u2e95": "彐", "\u2e96": "忄", "\u2e97": "心", "\u2e98": "扌", "\u2e99": "攵", "\u2e9b": "旡",
    "\u2e9c": "日", "\u2e9d": "月", "\u2e9e": "歹", "\u2e9f": "母", "\u2ea0": "民", "\u2ea1": "氵",
    "\u2ea2": "氺", "\u2ea3": "灬", "\u2ea4": "爫", "\u2ea5": "爫", "\u2ea6": "丬", "\u2ea7": "牛",
    "\u2ea8": "犭", "\u2ea9": "王", "\u2eaa": "疋", "\u2eab": "目", "\u2eac": "示", "\u2ead": "礻",
    "\u2eae": "竹", "\u2eaf": "糹", "\u2eb0": "纟", "\u2eb1": "罒", "\u2eb2": "罒", "\u2eb3": "罒",
    "\u2eb4": "罒", "\u2eb5": "罒", "\u2eb6": "羊", "\u2eb7": "羊", "\u2eb8": "羊", "\u2eb9": "老",
    "\u2eba": "聿", "\u2ebb": "聿", "\u2ebc": "月", "\u2ebd": "臼", "\u2ebe": "艹", "\u2ebf": "艹",
    "\u2ec0": "艹", "\u2ec1": "虎", "\u2ec2": "衤", "\u2ec3": "覀", "\u2ec4": "西", "\u2ec5": "见",
    "\u2ec6": "角", "\u2ec7": "角", "\u2ec8": "讠", "\u2ec9": "贝", "\u2eca": "足", "\u2ecb": "车",
    "\u2ecc": "辶", "\u2ecd": "辶", "\u2ece": "辶", "\u2ecf": "阝", "\u2ed0": "钅", "\u2ed1": "长",
    "\u2ed2": "长", "\u2ed3": "长", "\u2ed4": "门", "\u2ed5": "阝", "\u2ed6": "阝", "\u2ed7": "雨",
    "\u2ed8": "青", "\u2ed9": "韦", "\u2eda": "页", "\u2edb": "风", "\u2edc": "飞", "\u2edd": "食",
    "\u2ede": "食", "\u2edf": "食", "\u2ee0": "饣", "\u2ee1": "首", "\u2ee2": "马", "\u2ee3": "骨",
    "\u2ee4": "鬼", "\u2ee5": "鱼", "\u2ee6": "鸟", "\u2ee7": "卤", "\u2ee8": "麦", "\u2ee9": "黄",
    "\u2eea": "黾", "\u2eeb": "斉", "\u2eec": "齐", "\u2eed": "歯", "\u2eee": "齿", "\u2eef": "竜",
    "\u2ef0": "龙", "\u2ef1": "龜", "\u2ef2": "亀", "\u2ef3": "龟",
}
# fmt: on

# Kangxi Radicals, CJK compatibility ideographs (and their supplement): NFKC maps them correctly.
_NFKC_BLOCKS = re.compile("[\u2f00-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")
_SUPPLEMENT = re.compile("[\u2e80-\u2eff]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# one search instead of three for the common text that has none of the above
_ANY = re.compile(
    "[\u2f00-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f\u2e80-\u2eff\u200b\u200c\u200d\u2060\ufeff\u00ad]"
)


def fix_cjk(text: str) -> str:
    """Map radical/compatibility code points to unified ideographs and drop invisible characters."""
    if _ANY.search(text):
        if _NFKC_BLOCKS.search(text):
            text = _NFKC_BLOCKS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
        if _SUPPLEMENT.search(text):
            text = _SUPPLEMENT.sub(lambda m: _RADICAL_SUPPLEMENT.get(m.group(), m.group()), text)
        if _INVISIBLE.search(text):
            text = _INVISIBLE.sub("", text)
    return text.replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")


@lru_cache(maxsize=32768)
def clean_cell(text: str | None) -> str:
    """Normalise one table cell: CJK fix, strip, collapse runs of blank lines inside the cell.

    Cached (bounded, so a long run's memory stays flat): header and label cells repeat in every report."""
    if not text:
        return ""
    text = fix_cjk(text)
    lines = [ln.strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)
