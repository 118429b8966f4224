"""The HTML report's layout without a browser: folded sections (<details>) with a table of
contents, names in table cells that break only after "/", and the first screen's content
(headline, seed table, overview.png) ahead of the contents. test_chromium.py checks the
same in a real browser at two widths."""
import re

from arenabench.report.doc import (Contents, Document, Heading, Para, Table, render_html,
                                   render_md)


def _doc():
    return Document("T").add(
        Heading(2, "Headline"), Para("first"), Contents(),
        Heading(3, "Per allocator", fold=True), Para("a"),
        Heading(2, "All measurements", "measurements0", fold=True), Para("b"),
        Heading(3, "small_fixed", "m0-small_fixed", fold=True),
        Table(["params", "allocator"], [["`small_fixed/arena/64`", "x"]]),
        Heading(3, "churn", "m0-churn", fold=True), Para("c"),
        Heading(2, "Method", "method0", fold=True), Para("d"))


def test_folded_sections_nest_and_close(tmp_path):
    page = render_html(_doc(), str(tmp_path))
    body = page.split("<body>", 1)[1]
    assert body.count("<details") == body.count("</details>") == 5
    # the level-3 folds sit inside the level-2 one and close before the next level 2
    m = body.index('<details id="measurements0">')
    assert m < body.index('<details id="m0-small_fixed">') < body.index('<details id="m0-churn">')
    between = body[body.index('<details id="m0-churn">'):body.index('<details id="method0">')]
    assert between.count("</details>") == 2
    assert "<summary><h2>All measurements</h2></summary>" in body
    # nothing open by default; following a link opens the target and its parents
    assert not re.search(r"<details[^>]* open", body)
    assert "e.open=true" in page and "hashchange" in page


def test_contents_link_every_fold_with_workloads_nested(tmp_path):
    page = render_html(_doc(), str(tmp_path))
    nav = re.search(r'<nav class="toc">.*?</nav>', page).group(0)
    links = re.findall(r'href="#([^"]+)"', nav)
    assert links == ["per-allocator", "measurements0", "m0-small_fixed", "m0-churn", "method0"]
    assert re.search(r'measurements0">All measurements</a><ul><li><a href="#m0-small_fixed"', nav)
    assert page.index("first") < page.index('<nav class="toc">')


def test_cell_names_break_only_after_a_slash(tmp_path):
    page = render_html(_doc(), str(tmp_path))
    assert "overflow-wrap:anywhere" not in page
    assert ('<code><span class="nw">small_fixed/</span><wbr><span class="nw">arena/</span>'
            '<wbr><span class="nw">64</span></code>') in page
    assert ".nw{white-space:nowrap}" in page
    assert "position:sticky" in page and ".tw{overflow-x:auto" in page


def test_markdown_keeps_every_heading(tmp_path):
    md = render_md(_doc())
    for h in ("## Headline", "### Per allocator", "## All measurements", "### small_fixed",
              "## Method"):
        assert h in md
    assert "<details" not in md and "`small_fixed/arena/64`" in md


def test_report_first_screen_order(report_main):
    page = (report_main / "report.html").read_text(encoding="utf-8")
    nav = page.index('<nav class="toc">')
    first = page[:nav]
    assert 'id="headline0"' in first and 'id="seed-table0"' in first
    assert first.count("<figure>") == 1 and "<details" not in first
    assert "Time per iteration relative to glibc malloc" in first
    # the overview is not repeated among the other plots
    assert page.count('alt="Time per iteration relative to glibc malloc"') == 1
    md = (report_main / "report.md").read_text(encoding="utf-8")
    assert md.count("plots/overview.png") == 1
