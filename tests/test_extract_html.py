"""HTML reader against the real corpus (article body only, merged cells, legacy charsets) and small pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extract import html
from extract.errors import EmptyFile
from extract.model import Document, Paragraph, Table
from tests.corpus_index import numeric_cells, truth_of

CORPUS = Path(__file__).parent / "corpus"
HTML_FILES = sorted([*(CORPUS / "seeds").glob("*.html"), *(CORPUS / "synthetic").glob("*.html")])
# Portal furniture seen on every theme of the corpus: navigation bar, breadcrumb, share bar, footer.
FURNITURE = ("互动交流", "专题专栏", "当前位置", "您当前的位置", "分享到", "打印本页", "网站标识码", "主办：")


def _shape(doc: Document) -> list:
    return [(b.text, b.style) if isinstance(b, Paragraph) else b.texts() for b in doc.blocks]


def _write(tmp_path: Path, body: str, head: str = '<meta charset="utf-8">', encoding: str = "utf-8") -> Path:
    path = tmp_path / "page.html"
    path.write_bytes(f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode(encoding))
    return path


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda p: p.name)
def test_every_truth_number_is_a_cell(path: Path) -> None:
    truth = truth_of(path)
    doc = html.read(path)
    numbers = [float(f["value"]) for f in truth["facts"] if f["state"] == "number"]
    cells = numeric_cells(doc)
    assert [v for v in numbers if v not in cells] == []
    if truth["metadata"]["generation"] != "legacy":
        assert len(cells) == len(numbers)


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda p: p.name)
def test_only_the_article_is_read(path: Path) -> None:
    page, _, _ = html.decode(path.read_bytes())
    assert sum(word in page for word in FURNITURE) >= 4  # the page does carry furniture
    doc = html.read(path)
    for para in doc.paragraphs:
        assert not any(word in para.text for word in FURNITURE), para.text
    for table in doc.tables:
        assert table.grid == "exact"
        assert len(table.rows) >= 2
    truth = truth_of(path)
    assert doc.meta["pub_date"] == truth["metadata"]["html_pub_date"]
    assert doc.meta["charset"] == truth["layout"]["html_charset"]
    assert doc.meta["article_title"] == truth["metadata"]["title"]


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda p: p.name)
def test_density_fallback_finds_the_same_body(path: Path, tmp_path: Path) -> None:
    """Without any id/class (so no content hint), the text-density rule picks the same container."""
    stripped = re.sub(rb'\s(?:id|class)="[^"]*"', b"", path.read_bytes())
    assert b'id="zoom"' not in stripped
    copy = tmp_path / path.name
    copy.write_bytes(stripped)
    assert _shape(html.read(copy)) == _shape(html.read(path))


@pytest.mark.parametrize(
    "name", ["seeds/yinzhou-2018.html", "synthetic/s0038-chaohu-zjj-2022.html"], ids=["gb2312", "gbk"]
)
def test_legacy_charsets_decode(name: str) -> None:
    path = CORPUS / name
    truth = truth_of(path)
    doc = html.read(path)
    assert doc.meta["encoding"] == "gb18030"
    assert doc.meta["charset"] == truth["layout"]["html_charset"]
    assert doc.meta["title"] == truth["metadata"]["title"]
    assert any(truth["metadata"]["agency"] in p.text for p in doc.paragraphs)


def test_classic_layout_tables_are_not_data() -> None:
    # The page is laid out with 5 <table> elements; only the statistics table is data.
    path = CORPUS / "seeds" / "yinzhou-2018.html"
    assert path.read_bytes().count(b"<table") == 5
    doc = html.read(path)
    assert len(doc.tables) == 1
    stats = doc.tables[0]
    assert stats.texts()[0] == ["统\u3000计\u3000指\u3000标", "单位", "统计数"]
    assert stats.texts()[1] == ["一、主动公开情况", "——", ""]
    assert doc.paragraphs[1].text == "一、持续健全组织领导体系"
    assert doc.paragraphs[-1].text == "填报单位（盖章）：鄞州区卫生健康局"
    assert isinstance(doc.blocks[-1], Table)


def test_merged_cells_modern() -> None:
    doc = html.read(CORPUS / "seeds" / "yinzhou-2023.html")
    assert [t.index for t in doc.tables] == [0, 1, 2]
    t3, t4 = doc.tables[1], doc.tables[2]
    (header,) = [c for row in t3.rows for c in row if c.text == "申请人情况"]
    assert (header.row, header.col, header.rowspan, header.colspan) == (0, 3, 1, 7)
    (group,) = [c for row in t3.rows for c in row if c.text == "三、本年度办理结果"]
    assert (group.row, group.col, group.rowspan) == (5, 0, 20)
    # Row 8 sits under two rowspans (col 0 and col 1): its first cell lands in grid column 2.
    assert [c.col for c in t3.rows[8]] == list(range(2, 10))
    assert t4.rows[1][0].text == "结果\n维持"
    assert [c.col for c in t4.rows[2]] == list(range(5, 15))


def test_msword_markup() -> None:
    doc = html.read(CORPUS / "synthetic" / "s0003-jianye-scjgj-2021.html")
    assert doc.paragraphs[0].text == "一、总体情况"
    assert doc.paragraphs[-1].text == "2022年1月18日"
    t4 = doc.tables[2]
    assert [(c.text, c.rowspan, c.colspan) for c in t4.rows[0]] == [("行政复议", 2, 5), ("行政诉讼", 1, 10)]
    assert [c.col for c in t4.rows[1]] == [5, 10]


def test_pub_date_from_page_text(tmp_path: Path) -> None:
    source = (CORPUS / "seeds" / "longwan-2023.html").read_bytes()
    without_meta = re.sub(rb'<meta name="PubDate"[^>]*>', b"", source)
    path = tmp_path / "page.html"
    path.write_bytes(without_meta)
    assert html.read(path).meta["pub_date"] == "2024-01-26 08:47"


def test_grid_paragraphs_and_cleanup(tmp_path: Path) -> None:
    body = """
    <div class="nav"><a href="#">首页</a><a href="#">栏目</a></div>
    <nav>导航</nav><script>var x = "脚本";</script><style>p{}</style>
    <div class="article">
      <h1>页面标题</h1>
      <div id="zoom">
        <h2>第一部分</h2>
        直接文本<br>第二行
        <p class="MsoNormal"><span>一段<o:p></o:p></span><span>文字&nbsp;</span></p>
        <p style="display:none">隐藏</p>
        <table><tr><td>单行表格不是数据</td></tr></table>
        <table border="1">
          <tr><th rowspan="2">甲</th><th colspan="2">乙</th><th rowspan="0">丙</th></tr>
          <tr><td>1</td><td>2&nbsp;</td></tr>
          <tr><td>第一段<br/>第二段</td><td colspan="2"><p>p一</p><p>p二</p></td></tr>
          <tr><td></td><td>x</td><td>y</td></tr>
        </table>
        <ul><li>条目一</li><li>条目二</li></ul>
      </div>
    </div>
    <div class="footer">版权所有</div>
    """
    doc = html.read(_write(tmp_path, body, head='<meta charset="utf-8"><title> 标题 </title>'))
    assert doc.meta == {"encoding": "utf-8", "charset": "utf-8", "title": "标题"}
    assert _shape(doc)[:6] == [
        ("第一部分", "h2"),
        ("直接文本", None),
        ("第二行", None),
        ("一段文字", None),
        ("单行表格不是数据", None),
        [["甲", "乙", "丙"], ["1", "2"], ["第一段\n第二段", "p一\np二"], ["", "x", "y"]],
    ]
    assert _shape(doc)[6:] == [("条目一", None), ("条目二", None)]
    table = doc.tables[0]
    assert [[(c.row, c.col, c.rowspan, c.colspan) for c in row] for row in table.rows] == [
        [(0, 0, 2, 1), (0, 1, 1, 2), (0, 3, 4, 1)],
        [(1, 1, 1, 1), (1, 2, 1, 1)],
        [(2, 0, 1, 1), (2, 1, 1, 2)],
        [(3, 0, 1, 1), (3, 1, 1, 1), (3, 2, 1, 1)],
    ]


def test_density_rule_without_hints(tmp_path: Path) -> None:
    """No id/class hints: navigation and footer are left out, an article in two sub-blocks is kept whole."""
    part1 = "<p>第一部分的正文内容。</p>" * 12
    part2 = "<p>第二部分的正文内容。</p>" * 8
    data = "<table><caption>表一</caption><tr><td>名称</td><td>数</td></tr><tr><td>甲</td><td>3</td></tr></table>"
    body = (
        "<div><div>某某市人民政府门户网站</div><div><a href='#'>首页</a><a href='#'>政务公开</a></div></div>"
        f"<div><div><div>{part1}</div><div>{part2}{data}</div></div>"
        "<div>主办单位：某某市人民政府办公室</div></div>"
    )
    doc = html.read(_write(tmp_path, body))
    texts = [p.text for p in doc.paragraphs]
    assert texts == ["第一部分的正文内容。"] * 12 + ["第二部分的正文内容。"] * 8 + ["表一"]
    assert doc.tables[0].texts() == [["名称", "数"], ["甲", "3"]]


def test_cjk_source_line_wraps_are_not_spaces(tmp_path: Path) -> None:
    doc = html.read(_write(tmp_path, "<p>政府信息\n    公开 and\n  more</p>"))
    assert doc.paragraphs[0].text == "政府信息公开 and more"


def test_form_wrapping_the_page_is_kept(tmp_path: Path) -> None:
    body = (
        '<form id="form1"><div>'
        + "<p>正文内容很长。</p>" * 20
        + '</div><form><input name="q">搜索</form></form>'
    )
    doc = html.read(_write(tmp_path, body))
    assert [p.text for p in doc.paragraphs] == ["正文内容很长。"] * 20


@pytest.mark.parametrize(
    ("head", "encoding", "declared", "used"),
    [
        ('<meta http-equiv="Content-Type" content="text/html; charset=GBK">', "gbk", "gbk", "gb18030"),
        ('<meta charset="gb2312">', "gb2312", "gb2312", "gb18030"),
        ("", "utf-8", None, "utf-8"),
        ("", "gb18030", None, "gb18030"),
        ('<meta charset="utf-8">', "gbk", "utf-8", "gb18030"),  # mis-declared: falls back
    ],
)
def test_charset_detection(tmp_path: Path, head: str, encoding: str, declared: str | None, used: str) -> None:
    doc = html.read(_write(tmp_path, "<p>政府信息公开工作年度报告</p>", head=head, encoding=encoding))
    assert doc.paragraphs[0].text == "政府信息公开工作年度报告"
    assert doc.meta.get("charset") == declared
    assert doc.meta["encoding"] == used


def test_empty_page(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_bytes(b"  \n")
    with pytest.raises(EmptyFile):
        html.read(path)


# --------------------------------------------------------------------------------------------------
# Containment: a page is read whole or rejected with a reason, never loaded with its tables lost.


def _report_facts(path: Path) -> set:
    from extract import extract_file
    from tests.corpus_index import as_printed
    from transform import build_report

    report = build_report(extract_file(path))
    return as_printed(
        (f.table_id, f.code, f.party, f.value, f.state) for f in report.facts if f.table_id != "text"
    )


def _wrap_body(page: str, before: str, after: str) -> str:
    start = page.index("<body>") + len("<body>")
    end = page.index("</body>")
    return page[:start] + before + page[start:end] + after + page[end:]


SEED_PAGE = CORPUS / "seeds" / "yinzhou-2023.html"


def test_a_30_mb_portal_page_loads_exactly_its_truth(tmp_path: Path) -> None:
    """Saved portal pages carry huge inline scripts, comments and hidden blocks; each of these text
    nodes is over lxml's default 10 MB limit, which used to end the parse before the report's tables."""
    from tests.corpus_index import expected_facts

    mb = 2**20
    page = _wrap_body(
        SEED_PAGE.read_text(encoding="utf-8"),
        f"<script>var bundle='{'a' * (11 * mb)}';</script><!--{'b' * (11 * mb)}-->",
        f"<div style='display:none'>{'c' * (7 * mb)}</div><script>{'d' * mb}</script>",
    )
    path = tmp_path / "padded.html"
    path.write_text(page, encoding="utf-8")
    assert path.stat().st_size >= 30 * mb
    assert _report_facts(path) == expected_facts("yinzhou-2023")


@pytest.mark.parametrize(
    ("open_tag", "close_tag"),
    [
        ("<table><tr><td>", "</td></tr></table>"),
        ("<div>", "</div>"),
        ("<table><tr><td><div>", "</div></td></tr></table>"),
    ],
    ids=["tables", "divs", "tables-and-divs"],
)
def test_a_2000_deep_layout_page_is_flattened_and_loads_its_truth(
    tmp_path: Path, open_tag, close_tag
) -> None:
    from tests.corpus_index import expected_facts

    page = _wrap_body(SEED_PAGE.read_text(encoding="utf-8"), open_tag * 2000, close_tag * 2000)
    path = tmp_path / "nested.html"
    path.write_text(page, encoding="utf-8")
    assert _report_facts(path) == expected_facts("yinzhou-2023")


@pytest.mark.parametrize(
    ("depth", "message"), [(300, "302 levels deep, 302 after"), (3000, "2048+ levels deep")]
)
def test_nesting_that_cannot_be_flattened_is_rejected_with_its_depth(
    tmp_path: Path, depth: int, message
) -> None:
    """Inline elements are not flattened: 300 <span>s (+ html, body) exceed the reader's limit, and
    3000 stop the HTML parser itself at its 2048-level limit, which must not pass as a short page."""
    from extract.errors import TooDeep

    path = _write(tmp_path, "<span>" * depth + "一、总体情况" + "</span>" * depth)
    with pytest.raises(TooDeep, match=re.escape(message)):
        html.read(path)


def test_flatten_keeps_data_tables_and_ignores_tags_in_scripts() -> None:
    page = (
        "<table><tr><td><script>var s='<table><tr><td>';</script>"
        "<table><tr><td>a</td><td>b</td></tr><tr><td>1</td><td>2</td></tr></table>"
        "</td></tr></table><!-- <table> -->"
    )
    flat = html.flatten(page)
    assert flat == (
        "<hr><hr><hr><script>var s='<table><tr><td>';</script>"
        "<table><tr><td>a</td><td>b</td></tr><tr><td>1</td><td>2</td></tr></table>"
        "<hr><hr><hr><!-- <table> -->"
    )


def test_a_page_over_the_size_limit_is_rejected_with_its_size(tmp_path: Path) -> None:
    from extract.errors import TooLarge

    path = _write(tmp_path, "<p>一、总体情况</p>" + "<!-- x -->" * 1000)
    size = path.stat().st_size
    with pytest.raises(TooLarge, match=rf"{size:,} bytes .*limit 0 MB"):
        html.read(path, max_bytes=size - 1)
    assert html.read(path, max_bytes=size).paragraphs[0].text == "一、总体情况"
