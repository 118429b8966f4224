"""What a reader sees: the words of the headline match the counters they are computed from,
units are what they say, numbers are plain digits."""
import json
import os
import re

from conftest import run_report, write_json

from arenabench import results
from arenabench.report.dataset import group_by_machine
from arenabench.report.headline import headline


def write_run(path, benches, reps=3):
    """A results file from {(workload, allocator, params): {counter: value}}; "real_time"
    (ns) is given explicitly so it can disagree with every counter."""
    rows = []
    for (w, a, p), counters in benches.items():
        run_name = "/".join(x for x in (w, a, p) if x)
        counters = dict(counters)
        t = counters.pop("real_time", 1000.0)
        for agg, scale in (("median", 1.0), ("stddev", 0.01)):
            rows.append(dict(name=f"{run_name}_{agg}", run_name=run_name, run_type="aggregate",
                             aggregate_name=agg, repetitions=reps, threads=1, iterations=reps,
                             time_unit="ns", real_time=t * scale, cpu_time=t * scale,
                             **{k: v * scale for k, v in counters.items()}))
    return write_json(path, {"context": {"host_name": "vm", "num_cpus": 2,
                                         "arena_suite": {"repetitions": reps}},
                             "benchmarks": rows})


# Fill time (real_time) and end to end (end_to_end_ns) disagree on scheme_reader: by fill
# the arena is 1.2x slower than tcmalloc, end to end 1.25x faster. The allocation speed
# (ns_per_alloc) disagrees with real_time on small_fixed too. trace_replay has no
# end_to_end_ns: its sentence must say "fill time".
MS = 1e6
DISAGREE = {
    ("small_fixed", "arena", "64"): {"ns_per_alloc": 2.0, "real_time": 90_000.0},
    ("small_fixed", "ideal_bump", "64"): {"ns_per_alloc": 1.0, "real_time": 10_000.0},
    ("small_fixed", "malloc", "64"): {"ns_per_alloc": 10.0, "real_time": 20_000.0},
    ("small_fixed", "tcmalloc", "64"): {"ns_per_alloc": 8.0, "real_time": 30_000.0},
    ("scheme_reader", "arena", "guile"): {"real_time": 60 * MS, "end_to_end_ns": 64 * MS,
                                          "footprint_peak_bytes": 3 << 20},
    ("scheme_reader", "tcmalloc", "guile"): {"real_time": 50 * MS, "end_to_end_ns": 80 * MS,
                                             "footprint_peak_bytes": 2 << 20},
    ("scheme_reader", "malloc", "guile"): {"real_time": 70 * MS, "end_to_end_ns": 112 * MS,
                                           "footprint_peak_bytes": 2 << 20},
    ("trace_replay", "arena", "python"): {"real_time": 10 * MS},
    ("trace_replay", "jemalloc", "python"): {"real_time": 25 * MS},
    ("trace_replay", "malloc", "python"): {"real_time": 30 * MS},
}


def _ratio(sentence, who):
    m = re.search(r"([\d.]+)× (faster|slower) than " + re.escape(who), sentence)
    assert m, sentence
    r = float(m.group(1))
    return r if m.group(2) == "faster" else 1 / r


def test_headline_phrases_use_the_counters_they_name(tmp_path):
    path = write_run(tmp_path / "r.json", DISAGREE)
    md = group_by_machine([results.load_results(path)])[0]
    lines = headline(md)
    by = {ln.split("`")[1].split("/")[0]: ln for ln in lines}
    assert set(by) == {"small_fixed", "scheme_reader", "trace_replay"}, lines

    # "allocates in": ns_per_alloc, never real_time
    sf = by["small_fixed"]
    assert "allocates in 2 ns" in sf, sf
    assert abs(_ratio(sf, "glibc malloc") - 10 / 2) < 0.01, sf
    assert abs(_ratio(sf, "tcmalloc") - 8 / 2) < 0.01, sf
    assert "50% of the ideal bump's speed" in sf, sf

    # "end to end": end_to_end_ns (fill would say 1.2x slower than tcmalloc)
    sr = by["scheme_reader"]
    assert "end to end" in sr and "fill" not in sr, sr
    assert abs(_ratio(sr, "tcmalloc") - 80 / 64) < 0.01, sr
    assert "slower" not in sr, sr
    assert "+50% against glibc malloc" in sr, sr       # footprint_peak_bytes: 3 MiB vs 2 MiB

    # "fill time": real_time, where end to end was not measured
    tr = by["trace_replay"]
    assert "fill time" in tr and "end to end" not in tr, tr
    assert abs(_ratio(tr, "jemalloc") - 25 / 10) < 0.01, tr


def test_report_headline_says_end_to_end_from_end_to_end_ns(tmp_path):
    path = write_run(tmp_path / "r.json", DISAGREE)
    r = run_report(path, "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    head = text.split("## Headline", 1)[1].split("\n## ", 1)[0]
    assert "`scheme_reader`: end to end, the arena is 1.25× faster than tcmalloc" in head, head
    assert "`trace_replay`: fill time, the arena is 2.5× faster than jemalloc" in head, head


# bench_arena_fastpath writes ns_per_alloc as an inverted rate: seconds per allocation.
def write_fastpath_run(path):
    rows = []
    for alloc, sec in (("arena", 1.08e-9), ("arena_c", 1.5e-9), ("ideal_bump", 0.69e-9)):
        run_name = f"fastpath/{alloc}"
        for agg, v in (("median", sec), ("stddev", sec * 0.02), ("cv", 0.02)):
            rows.append(dict(name=f"{run_name}_{agg}", run_name=run_name, run_type="aggregate",
                             aggregate_name=agg, repetitions=3, threads=1, iterations=3,
                             time_unit="ns", real_time=69_000.0 if agg != "cv" else 0.02,
                             cpu_time=69_000.0 if agg != "cv" else 0.02, ns_per_alloc=v,
                             items_per_second=1 / sec))
        rows.append(dict(name=run_name, run_name=run_name, run_type="iteration",
                         repetitions=3, repetition_index=0, threads=1, iterations=1000,
                         time_unit="ns", real_time=69_000.0, cpu_time=69_000.0,
                         ns_per_alloc=sec))
    rows += [dict(name=f"small_fixed/arena/64_median", run_name="small_fixed/arena/64",
                  run_type="aggregate", aggregate_name="median", repetitions=3, threads=1,
                  iterations=3, time_unit="ns", real_time=1000.0, cpu_time=1000.0,
                  ns_per_alloc=1.5)]
    return write_json(path, {"context": {"host_name": "vm", "num_cpus": 2}, "benchmarks": rows})


def test_fastpath_seconds_are_converted_to_ns_on_load(tmp_path):
    run = results.load_results(write_fastpath_run(tmp_path / "r.json"))
    got = {(r.run_name, r.aggregate or r.run_type): r.values["ns_per_alloc"] for r in run.rows}
    assert abs(got[("fastpath/arena", "median")] - 1.08) < 1e-9
    assert abs(got[("fastpath/arena", "stddev")] - 0.0216) < 1e-9
    assert abs(got[("fastpath/arena", "iteration")] - 1.08) < 1e-9
    assert got[("fastpath/arena", "cv")] == 0.02                # a ratio: left alone
    assert got[("small_fixed/arena/64", "median")] == 1.5       # ns already: left alone


def test_fastpath_figures_are_ns_in_tables_csv_and_plot(tmp_path, monkeypatch):
    path = write_fastpath_run(tmp_path / "r.json")
    r = run_report(path, "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "1.08 ns" in text and "e-09" not in text and "e-10" not in text
    assert "look like seconds" not in text
    csv = (tmp_path / "out" / "measurements.csv").read_text()
    assert "fastpath,,arena,ns_per_alloc,1.08," in csv, csv

    # the speed plot's fastpath panel draws bars of ~1 ns on an axis titled ns
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.axes
    from arenabench.report.plots import Plotter
    drawn = []
    real_bar = matplotlib.axes.Axes.bar

    def bar(ax, x, height, *a, **k):
        drawn.append((ax, list(height)))
        return real_bar(ax, x, height, *a, **k)
    monkeypatch.setattr(matplotlib.axes.Axes, "bar", bar)
    md = group_by_machine([results.load_results(path)])[0]
    (tmp_path / "plots").mkdir()
    Plotter(md, str(tmp_path / "plots")).speed()
    fast = [h for ax, hs in drawn if ax.get_title() == "fastpath" for h in hs]
    assert fast and all(0.5 < h < 2 for h in fast), fast
    axes = {ax.get_title(): ax.get_ylabel() for ax, _ in drawn}
    assert axes["fastpath"].startswith("ns per allocation")


# ---- numbers: plain digits, units that scale ----------------------------------------------
from arenabench import fmt  # noqa: E402

SCIENTIFIC = re.compile(r"(?<![\w#])\d+(\.\d+)?[eE][+-]?\d+\b")


def test_times_scale_ns_us_ms_s_in_plain_digits():
    assert fmt.ns(999.7) == "1 µs"             # not "1e+03 ns"
    assert fmt.ns(999.4) == "999 ns"
    assert fmt.ns(2.104) == "2.1 ns"
    assert fmt.ns(0.0216) == "0.0216 ns"
    assert fmt.ns(12_345) == "12.3 µs"
    assert fmt.ns(999_700) == "1 ms"
    assert fmt.ns(61.02e6) == "61 ms"
    assert fmt.ns(3e12) == "3000 s"
    assert fmt.ns(0) == "0 ns" and fmt.ns(None) == fmt.NOT_MEASURED


def test_bytes_scale_kib_mib_gib_in_plain_digits():
    assert fmt.nbytes(1023.9 * 1024) == "1 MiB"      # not "1e+03 KiB"
    assert fmt.nbytes(1023.9) == "1 KiB"
    assert fmt.nbytes(999) == "999 B"
    assert fmt.nbytes(1000) == "0.977 KiB"
    assert fmt.nbytes(1.5 * (1 << 30)) == "1.5 GiB"
    assert fmt.nbytes(3 << 20) == "3 MiB"


def test_ratios_percentages_counts_without_exponents():
    assert fmt.ratio(1.18e3) == "1180×"               # not "1.18e+03×"
    assert fmt.ratio(12.345) == "12.3×" and fmt.ratio(0.44) == "0.44×"
    assert fmt.pct(12.34) == "1234 %"
    assert fmt.count(1e16) == "10000000000000000"
    assert fmt.metric("items_per_second", 1.2345e-7) == "0.0000001235"
    assert fmt.plain(999.7) == "1000" and fmt.plain(-0.0004) == "-0.0004"
    for v in (1e-12, 3.3e-7, 0.5, 999.7, 1.18e3, 6.1e7, 2.5e15, 1e21):
        for text in (fmt.plain(v), fmt.ns(v), fmt.nbytes(v), fmt.ratio(v), fmt.pct(v),
                     fmt.count(v), fmt.metric("x", v)):
            assert not SCIENTIFIC.search(text), (v, text)


def _svg_text(path):
    return " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text(encoding="utf-8")))


def test_no_scientific_notation_anywhere_in_the_report(tmp_path, report_main, report_bench):
    extreme = {  # 999.7 ns, 1023.9 KiB, a 1180x ratio, seconds-scale and tiny values
        ("small_fixed", "arena", "64"): {"ns_per_alloc": 0.85, "real_time": 85_000.0,
                                         "footprint_peak_bytes": 1023.9 * 1024,
                                         "lat_max_ns": 999.7, "overhead_ratio": 1.18e3},
        ("small_fixed", "malloc", "64"): {"ns_per_alloc": 1003.0, "real_time": 1.003e8,
                                          "footprint_peak_bytes": 2.5e12,
                                          "lat_max_ns": 3.3e9, "overhead_ratio": 1.0},
        ("scheme_reader", "arena", "guile"): {"real_time": 6.1e10, "end_to_end_ns": 6.2e10},
        ("scheme_reader", "malloc", "guile"): {"real_time": 7.2e13, "end_to_end_ns": 7.3e13},
    }
    out = tmp_path / "out"
    r = run_report(write_run(tmp_path / "r.json", extreme), "--out", out)
    assert r.returncode == 0, r.stderr
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "1180×" in text and "1 MiB" in text, text
    for report in (out, report_main, report_bench):
        texts = {"report.md": (report / "report.md").read_text(encoding="utf-8")}
        for name in os.listdir(report):
            if name.endswith(".csv"):
                texts[name] = (report / name).read_text()
        for svg in (report / "plots").glob("*.svg"):
            texts[svg.name] = _svg_text(svg)
        for name, t in texts.items():
            m = SCIENTIFIC.search(t)
            assert not m, f"{report}/{name}: {t[max(0, m.start() - 80):m.end() + 40]}"


# ---- display names: every allocator and variant, from the one catalogue ----------------------
def registered_allocators():
    """Every allocator name a bench binary registers: the catalogue's, their
    <name>_phase_reset variants (trace_replay), and the fastpath benchmarks' own."""
    from conftest import ROOT
    from arenabench import catalogue
    names = set(catalogue.load().names)
    names |= {a + "_phase_reset" for a in catalogue.load().names}
    bench = os.path.join(ROOT, "arena", "bench")
    for f in os.listdir(bench):
        if f.endswith(".cpp"):
            with open(os.path.join(bench, f)) as src:
                names |= set(re.findall(r'Name\("fastpath/(\w+)"\)', src.read()))
    return names


def test_every_allocator_and_variant_has_a_display_name():
    from conftest import ROOT, fixture
    from arenabench import catalogue
    cat = catalogue.load()
    names = registered_allocators()
    for path in (os.path.join(ROOT, "reports", "reference", "results.json"),
                 fixture("bench_quick.json")):
        names |= {r.allocator for r in results.load_results(path).rows}
    assert {"arena_c_nostats", "pmr_monotonic_presized", "ideal_bump_in_memory",
            "arena_cpp", "arena_phase_reset"} <= names, names
    for n in sorted(names):
        label = cat.label(n)
        assert (n in cat or label != n) and "_" not in label, (n, label)
    assert cat.label("arena_phase_reset") == "arena (ours), per-phase regions"
    assert cat.label("arena_c_nostats") == "arena (ours), C API, no fast-path statistics"
    assert cat.label("pmr_monotonic_presized") == "std::pmr monotonic, pre-sized buffer"
    assert cat.label("ideal_bump_in_memory") == "ideal bump (limit), cursor in memory"
    assert cat.label("mimalloc_heap") == "mimalloc heap"          # a catalogued name, not a variant
    assert cat.label("arena_unknown") == "arena_unknown"          # no rule: the raw name stays


def test_report_shows_display_names_not_raw_variant_names(tmp_path):
    from conftest import ROOT
    out = tmp_path / "out"
    r = run_report(os.path.join(ROOT, "reports", "reference", "results.json"), "--out", out)
    assert r.returncode == 0, r.stderr
    text = (out / "report.md").read_text(encoding="utf-8")
    outside_code = re.sub(r"`[^`]*`", "", text)
    for raw in ("arena_phase_reset", "arena_c_nostats", "pmr_monotonic_presized", "arena_cpp",
                "ideal_bump_in_memory", "arena_c "):
        assert raw not in outside_code, raw
    assert "arena (ours), C API, no fast-path statistics" in text
    assert "arena (ours), per-phase regions" in text


# ---- what was not measured: said once, with the reason ----------------------------------------
def test_not_measured_is_said_once_with_the_reason(tmp_path):
    full = {"ns_per_alloc": 2.0, "release_ns": 5000.0, "footprint_peak_bytes": 8 << 20,
            "live_peak_bytes": 6 << 20, "overhead_ratio": 1.33, "fragmentation": 0.25}
    benches = {("small_fixed", a, "64"): dict(full, real_time=200_000.0 * (i + 1))
               for i, a in enumerate(("arena", "malloc", "jemalloc"))}
    benches.update({("fastpath", a, ""): {"ns_per_alloc": 1.1, "real_time": 110_000.0}
                    for a in ("ideal_bump", "pmr_monotonic")})
    out = tmp_path / "out"
    r = run_report(write_run(tmp_path / "r.json", benches), "--out", out)
    assert r.returncode == 0, r.stderr
    text = (out / "report.md").read_text(encoding="utf-8")
    # no per-plot filler bullets
    assert not re.search(r"^- fastpath: .*not measured", text, re.M), text
    assert "left out" not in text.split("## Plots", 1)[1].split("\n## ", 1)[0]
    # one list, one line per workload, naming each gap and why
    assert text.count("### Not measured") == 1
    section = text.split("### Not measured", 1)[1].split("\n#", 1)[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("- ")]
    assert len(lines) == 1 and lines[0].startswith("- `fastpath`: "), section
    for what in ("glibc malloc", "release_ns", "footprint_peak_bytes", "overhead_ratio",
                 "fragmentation"):
        assert lines[0].count(what) == 1, (what, lines[0])
    assert "bench_arena_fastpath" in lines[0] and "no memory or latency pass" in lines[0]
