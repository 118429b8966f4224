"""The report itself: every plot, the regenerated table with numbers in every measurable
row, self-contained HTML, multiple files, baseline comparison, missing data."""
import os
import re

import pytest

from conftest import fixture, make_results, run_report

PLOTS = ["overview", "speed", "release", "footprint", "overhead", "fragmentation",
         "latency_cdf", "gc_pauses", "capacity_sweep", "memory_timeline"]
MEASURED_ROWS = ["Allocation Speed", "Deallocation", "Memory Fragmentation", "Memory Overhead",
                 "Determinism", "Memory Leaks"]
QUALITATIVE_ROWS = ["Ease of Use", "Use Case"]
VERDICT = re.compile(r"\*\*(supported|not supported|mixed|not measured|not measurable)\*\*")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def seed_table_rows(md_text):
    """Rows of the first table after '## The seed's table, measured': {feature: [cells]}."""
    part = md_text.split("## The seed's table, measured", 1)[1]
    lines = [ln for ln in part.splitlines() if ln.startswith("| ")]
    header = [c.strip() for c in lines[0].strip("|").split(" | ")]
    rows = {}
    for ln in lines[1:]:
        cells = [c.strip() for c in ln.strip().strip("|").split(" | ")]
        if not cells[0].startswith("**"):
            break
        rows[cells[0].strip("*")] = cells[1:]
        if len(rows) == 8:
            break
    return header, rows


@pytest.fixture(params=["report_main", "report_bench"])
def report(request):
    """The synthetic full report, and the report of a real (trimmed) scripts/bench run."""
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("stem", PLOTS)
def test_every_plot_is_written_as_png_and_svg(report, stem):
    png = report / "plots" / f"{stem}.png"
    svg = report / "plots" / f"{stem}.svg"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5_000, f"{png} looks empty ({len(data)} bytes)"
    text = svg.read_text()
    assert "<svg" in text and len(text) > 10_000
    assert f"plots/{stem}.png" in read(report / "report.md")


def test_plots_are_not_blank(report):
    import matplotlib.image as mpimg
    for stem in PLOTS:
        img = mpimg.imread(str(report / "plots" / f"{stem}.png"))[..., :3]
        not_white = (img.mean(axis=2) < 0.95).mean()
        assert not_white > 0.02, f"{stem}.png is almost blank ({not_white:.3%} inked)"
        assert img.std() > 0.05, stem


def test_seed_table_has_every_row_with_numbers(report, request):
    header, rows = seed_table_rows(read(report / "report.md"))
    # the synthetic run has every counter; a real run may lack one a rule needs
    complete = "report_main" in request.fixturenames
    assert header[1:] == ["Arena Allocation", "Garbage Collection (Boehm)",
                          "Manual Management (glibc malloc, mimalloc, jemalloc, tcmalloc)"]
    assert list(rows) == ["Allocation Speed", "Deallocation", "Memory Fragmentation",
                          "Memory Overhead", "Determinism", "Ease of Use", "Memory Leaks",
                          "Use Case"]
    claims = {"Allocation Speed": ["Very Fast", "Moderate", "Fast"],
              "Deallocation": ["Bulk only", "Automatic", "Manual per object"],
              "Memory Fragmentation": ["Low", "Varies", "High"],
              "Memory Overhead": ["Low", "High", "Low"],
              "Determinism": ["High", "Low", "High"],
              "Memory Leaks": ["Only at arena level", "Rare", "Common"]}
    for row in MEASURED_ROWS:
        for cell, claim in zip(rows[row], claims[row]):
            assert f"claim: *{claim}*" in cell, (row, cell)
            assert VERDICT.search(cell), (row, cell)
            figure = cell.split("<br>", 2)[2]
            assert re.search(r"\d", figure), f"{row}: no number in {cell}"
            assert "not measured" not in figure, (row, cell)
            if complete:
                assert "not measured" not in cell, (row, cell)
    for row in QUALITATIVE_ROWS:
        assert all("not measurable" in c for c in rows[row])


def test_per_allocator_table_has_every_allocator(report_main):
    text = read(report_main / "report.md")
    part = text.split("### Per allocator", 1)[1].split("\n### ", 1)[0]
    lines = [ln for ln in part.splitlines() if ln.startswith("| ")]
    assert lines[0].split(" | ")[1:] == MEASURED_ROWS[:-1] + ["Memory Leaks |"]
    names = [ln.split(" | ")[0].strip("| *") for ln in lines[1:]]
    # the report's fixed allocator order
    assert names == ["arena (ours)", "ideal bump (limit)", "std::pmr monotonic", "mimalloc heap",
                     "mimalloc", "jemalloc", "tcmalloc", "glibc malloc", "Boehm GC"]
    for ln in lines[1:]:
        assert len(re.findall(r"\d", ln)) >= 6, ln


def test_html_is_self_contained(report):
    html = read(report / "report.html")
    srcs = re.findall(r'src="([^"]+)"', html)
    assert len(srcs) == len(PLOTS)
    assert all(s.startswith("data:image/png;base64,") for s in srcs)
    assert not re.search(r'(href|src)="(?!#|data:)[^"]+"', html), "no external reference"
    assert "<style>" in html and "The seed's table, measured" in html


def test_method_and_environment(report):
    text = read(report / "report.md")
    method = text.split("## Method and environment", 1)[1]
    for needle in ["AMD EPYC", "(Debian 12.2.0-14", "-O3", "mimalloc 2.0.9",
                   "bdw-gc 8.2.2", "repetitions", "Release", "ns_per_alloc", "Caveats",
                   "scripts/bench", "C++ flags"]:
        assert needle in method, needle


def test_measurements_csv(report_main):
    lines = read(report_main / "measurements.csv").splitlines()
    assert lines[0].startswith("machine,workload,params,allocator,metric,median")
    assert any(ln.startswith("1,small_fixed,64,arena,ns_per_alloc,") for ln in lines)


def test_baseline_shows_what_changed(report_main):
    text = read(report_main / "report.md")
    part = text.split("## What changed since the baseline", 1)[1].split("\n## ", 1)[0]
    # the baseline's arena was 2x slower on small_fixed: now half the time
    row = next(ln for ln in part.splitlines()
               if ln.startswith("| `small_fixed/arena/64`") and "| ns_per_alloc |" in ln)
    ratio = float(row.split(" | ")[4])
    assert 0.45 < ratio < 0.55, row
    assert "U test" in part and "p = " in part          # gbench's Mann-Whitney on iterations
    csv_text = read(report_main / "changes.csv")
    assert csv_text.startswith("workload,params,allocator,metric,baseline,now,ratio")


def test_multiple_files_kept_apart_by_machine(report_multi):
    text = read(report_multi / "report.md")
    assert "## Machines compared" in text
    assert "machine 1: vm · AMD EPYC 7B13 · 2 cores (2 run(s)" in text
    assert "machine 2: ci-runner · Intel Xeon Platinum 8375C · 4 cores (1 run(s)" in text
    assert "## The seed's table, measured — machine 1" in text
    assert "## The seed's table, measured — machine 2" in text
    spread = text.split("## Spread across runs — machine 1", 1)[1].split("\n## ", 1)[0]
    assert "run 1" in spread and "run 2" in spread and " %" in spread
    for m in ("m1-", "m2-"):
        assert (report_multi / "plots" / f"{m}speed.png").stat().st_size > 5_000
    assert (report_multi / "plots" / "machines.png").stat().st_size > 5_000


def test_sparse_results_say_not_measured(report_sparse):
    text = read(report_sparse / "report.md")
    header, rows = seed_table_rows(text)
    gc = [cells[1] for cells in rows.values()]
    assert all("not measured" in c or "not measurable" in c for c in gc), gc
    assert "Plot skipped: the results contain no series.memory_timeline" in text
    assert "Plot skipped: Boehm GC was not measured" in text
    assert "Plot skipped: the capacity_sweep workload was not run" in text
    # no latency_cdf series: the CDF is derived from the percentile counters
    assert (report_sparse / "plots" / "latency_cdf.png").stat().st_size > 5_000
    assert "derived from the four percentile counters" in text
    assert not (report_sparse / "plots" / "memory_timeline.png").exists()


def test_missing_counters_do_not_crash(tmp_path):
    # two allocators, a single counter each, no context.arena_suite at all
    path = make_results(tmp_path / "tiny.json",
                        {("small_fixed", "arena", "64"): {"ns_per_alloc": 1.0},
                         ("small_fixed", "malloc", "64"): {"ns_per_alloc": 15.0},
                         ("mystery", "newalloc", ""): {"widgets": 3.0}}, suite={})
    out = tmp_path / "out"
    r = run_report(path, "--out", out)
    assert r.returncode == 0, r.stderr
    text = read(out / "report.md")
    assert "not measured" in text
    assert "no context.arena_suite" in text
    assert "newalloc" in text                             # unknown allocators appended
    per_alloc = text.split("### Per allocator", 1)[1].split("\n### ", 1)[0]
    assert "newalloc" not in per_alloc                    # ... but not where it has no figure
    assert "| **arena (ours)** | 1 ns/alloc" in per_alloc
    assert (out / "plots" / "speed.png").exists()


def test_existing_report_is_replaced_only_on_success(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    path = make_results(tmp_path / "r.json", {("small_fixed", "arena", "64"): {"ns_per_alloc": 1.0}})
    r = run_report(path, "--out", out)
    assert r.returncode == 0, r.stderr
    assert not (out / "stale.txt").exists() and (out / "report.html").exists()
    assert sorted(os.listdir(tmp_path)) == ["r.json", "report"]     # no temporary left


def test_headline_ratios(report_main):
    text = read(report_main / "report.md")
    head = text.split("## Headline", 1)[1].split("\n## ", 1)[0]
    m = re.search(r"([\d.]+)× faster than glibc malloc", head)
    assert m and 10 < float(m.group(1)) < 20, head          # fixture: 15 ns vs 1 ns
    assert "of the ideal bump's speed" in head
    assert "`scheme_reader`: end to end" in head


def test_failed_benchmarks_and_checksum_mismatch_are_flagged(tmp_path):
    import json
    with open(fixture("synthetic_sparse.json")) as f:
        doc = json.load(f)
    for b in doc["benchmarks"]:
        if b["run_name"] == "churn/jemalloc/64":          # a failed benchmark: no counters
            for k in [k for k in b if k not in ("name", "run_name", "run_type", "aggregate_name",
                                                "repetitions", "threads", "time_unit")]:
                del b[k]
            b.update(error_occurred=True, error_message="checksum verification failed")
        if b["run_name"] == "mixed_sizes/malloc/power_law":
            b["checksum"] = 12345.0
    path = tmp_path / "failed.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "out"
    r = run_report(path, "--out", out)
    assert r.returncode == 0, r.stderr
    text = read(out / "report.md")
    warning = next(ln for ln in text.splitlines() if ln.startswith("> **Warning**"))
    assert "1 benchmark(s) failed" in warning and "`churn/jemalloc/64`" in warning
    assert "checksums differ between allocators on `mixed_sizes/power_law`" in warning
    caveats = text.split("### Caveats", 1)[1]
    assert caveats.count("churn/jemalloc/64 failed: checksum verification failed") == 1


def test_regenerating_in_place_keeps_the_results_file(tmp_path):
    out = tmp_path / "reference"
    out.mkdir()
    results = make_results(out / "results.json",
                           {("small_fixed", "arena", "64"): {"ns_per_alloc": 1.0}})
    before = read(results)
    for _ in range(2):
        r = run_report(results, "--out", out)
        assert r.returncode == 0, r.stderr
        assert read(out / "results.json") == before
        assert (out / "report.html").exists()
