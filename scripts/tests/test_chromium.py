"""report.html rendered by headless Chromium (Debian's `chromium`) is not blank."""
import os
import shutil
import subprocess
import tempfile

import pytest

CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                    "(scripts/install-deps chromium, as scripts/test does)")
def test_report_html_renders_in_chromium(report_main):
    import matplotlib.image as mpimg
    with tempfile.TemporaryDirectory() as tmp:
        shot = os.path.join(tmp, "report.png")
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync",
               f"--user-data-dir={os.path.join(tmp, 'profile')}", f"--screenshot={shot}",
               "--window-size=1200,2000", f"file://{report_main / 'report.html'}"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and os.path.exists(shot), r.stderr[-2000:]
        img = mpimg.imread(shot)[..., :3]
    assert img.shape[0] >= 1900 and img.shape[1] >= 1100, img.shape
    grey = img.mean(axis=2)
    inked = (grey < 0.9).mean()
    assert inked > 0.03, f"screenshot is nearly blank ({inked:.2%} of pixels inked)"
    # the verdict badges (green / red / yellow backgrounds) are rendered: colour, not only text
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    green = ((g > r + 0.2) & (g > b + 0.1)).mean()
    assert green > 0.0005, "no green 'supported' badge visible"
    # text in the top third (title, table), not only images lower down
    assert (grey[: img.shape[0] // 3] < 0.5).mean() > 0.01


# ---- layout at two widths: the first screen, folded sections, tables that scroll ---------
SHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     "build", "test-output", "chromium")

# Runs in the page once laid out; writes what it measured into <pre id="probe">.
PROBE = """<script>
addEventListener('load', function () {
  var r = {width: innerWidth};
  var nav = document.querySelector('nav.toc');
  var before = function (e) {
    return !!(nav.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_PRECEDING); };
  var shown = function (e) { return e.getClientRects().length > 0; };
  r.details = document.querySelectorAll('details').length;
  r.open = document.querySelectorAll('details[open]').length;
  r.h2_before_nav = [].filter.call(document.querySelectorAll('h2'), before).map(
    function (e) { return e.textContent; });
  r.h2_shown_outside = [].filter.call(document.querySelectorAll('h2'), function (e) {
    return shown(e) && !e.closest('details'); }).map(function (e) { return e.textContent; });
  r.figures_before_nav = [].filter.call(document.querySelectorAll('figure img'), before).map(
    function (e) { return e.alt; });
  r.tables_shown_before_nav = [].filter.call(document.querySelectorAll('table'), function (e) {
    return before(e) && shown(e); }).length;
  r.toc_links = [].map.call(nav.querySelectorAll('a'), function (a) {
    return a.getAttribute('href'); });
  r.toc_targets_missing = r.toc_links.filter(function (h) {
    return !document.getElementById(h.slice(1)); });
  r.closed_scroll_width = document.documentElement.scrollWidth;
  // now open everything and measure the tables
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  r.open_scroll_width = document.documentElement.scrollWidth;
  r.boxes = [].map.call(document.querySelectorAll('.tw'), function (b) {
    var c = b.querySelector('tbody td');
    var seed = b.querySelector('table.seed') !== null;
    return {scroll: b.scrollWidth, client: b.clientWidth, overflow: getComputedStyle(b).overflowX,
            first: c ? getComputedStyle(c).position : '', seed: seed}; });
  r.broken_names = [];
  document.querySelectorAll('td code, th code').forEach(function (code) {
    var walk = document.createTreeWalker(code, NodeFilter.SHOW_TEXT), texts = [];
    while (walk.nextNode()) texts.push(walk.currentNode);
    texts.forEach(function (t) {
      if (!t.textContent.trim()) return;
      var range = document.createRange(); range.selectNodeContents(t);
      var tops = {}; [].forEach.call(range.getClientRects(), function (q) {
        tops[Math.round(q.top)] = 1; });
      if (Object.keys(tops).length > 1) r.broken_names.push(code.textContent); }); });
  var pre = document.createElement('pre'); pre.id = 'probe';
  pre.textContent = JSON.stringify(r); document.body.appendChild(pre);
});
</script>"""


def _chromium(tmp, url, width, height, *extra):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--hide-scrollbars", f"--user-data-dir={os.path.join(tmp, 'profile')}",
           f"--window-size={width},{height}", *extra, url]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                    "(scripts/install-deps chromium, as scripts/test does)")
@pytest.mark.parametrize("width", [1400, 800])
def test_first_screen_folded_sections_and_scrolling_tables(report_main, width):
    import json
    import re
    import matplotlib.image as mpimg
    page = (report_main / "report.html").read_text(encoding="utf-8")
    # names in table cells break only after "/", never anywhere
    assert "overflow-wrap:anywhere" not in page
    for code in re.findall(r"<td>(?:(?!</td>).)*?<code>(.*?)</code>", page):
        parts = re.findall(r'<span class="nw">([^<]*)</span>', code)
        assert "".join(parts) == re.sub(r"<[^>]+>", "", code), code
        assert all("/" not in p[:-1] for p in parts), code      # a part ends at its "/"
    os.makedirs(SHOTS, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        probe_html = os.path.join(tmp, "probe.html")
        with open(probe_html, "w", encoding="utf-8") as f:
            f.write(page.replace("</body>", PROBE + "</body>"))
        dom = _chromium(tmp, f"file://{probe_html}", width, 1000, "--virtual-time-budget=5000",
                        "--dump-dom")
        m = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
        assert m, dom[-2000:]
        r = json.loads(m.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                       .replace("&quot;", '"'))
        # screenshots: the first screen as it opens, and every section opened
        first = os.path.join(SHOTS, f"report-{width}.png")
        _chromium(tmp, f"file://{report_main / 'report.html'}", width, 1000,
                  f"--screenshot={first}")
        opened = os.path.join(tmp, "opened.html")
        with open(opened, "w", encoding="utf-8") as f:
            f.write(page.replace("<details id=", "<details open id="))
        all_open = os.path.join(SHOTS, f"report-{width}-open.png")
        _chromium(tmp, f"file://{opened}", width, 6000, f"--screenshot={all_open}")
    assert r["width"] == width, r
    # the first screen: the headline, the seed's table and overview.png; the rest folded
    assert r["h2_before_nav"] == ["Headline", "The seed's table, measured"], r["h2_before_nav"]
    assert r["h2_shown_outside"] == r["h2_before_nav"], r["h2_shown_outside"]
    assert len(r["figures_before_nav"]) == 1 and "glibc malloc" in r["figures_before_nav"][0]
    assert r["tables_shown_before_nav"] == 1
    assert r["details"] >= 10 and r["open"] == 0
    # a table of contents linking to every folded section, per workload included
    assert "#measurements0" in r["toc_links"] and "#m0-small_fixed" in r["toc_links"]
    assert "#plots0" in r["toc_links"] and "#method0" in r["toc_links"]
    assert len(r["toc_links"]) >= r["details"] and r["toc_targets_missing"] == []
    # the page itself never scrolls sideways: wide tables scroll in their own box, with
    # the first column fixed
    assert r["closed_scroll_width"] <= width and r["open_scroll_width"] <= width, r
    assert all(b["overflow"] == "auto" for b in r["boxes"])
    assert all(b["first"] == "sticky" for b in r["boxes"] if not b["seed"] and b["first"])
    if width == 800:
        assert any(b["scroll"] > b["client"] for b in r["boxes"]), "no table wider than 800 px?"
    assert r["broken_names"] == [], r["broken_names"][:10]
    for shot in (first, all_open):
        img = mpimg.imread(shot)[..., :3]
        assert img.shape[1] == width
        assert (img.mean(axis=2) < 0.9).mean() > 0.02, f"{shot} is nearly blank"
