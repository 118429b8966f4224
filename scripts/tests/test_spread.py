"""The spread shown beside each median means something for its statistic: a relative
standard deviation for times and averages, the lowest to the highest repetition for tail
statistics (never a CV of p99.9), and the table's text says which is which."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from arenabench.report.build import SPREAD_TEXT, _with_spread  # noqa: E402
from arenabench.report.dataset import Stat, is_tail  # noqa: E402
from arenabench.results import load_results  # noqa: E402
from arenabench.report.dataset import group_by_machine  # noqa: E402
from conftest import make_results, run_report  # noqa: E402

# One repetition hit a page fault: p99.9 jumps from ~10 ns to 530 ns.
TAIL_REPS = [10.0, 10.5, 530.0, 9.5, 11.0]
TIME_REPS = [2.0, 2.1, 2.0, 1.9, 2.0]


def _bench(tmp_path, iterations):
    return make_results(tmp_path / "r.json",
                        {("small_fixed", "arena", "64"): {"ns_per_alloc": TIME_REPS,
                                                          "lat_p999_ns": TAIL_REPS,
                                                          "lat_max_ns": TAIL_REPS}},
                        reps=5, iterations=iterations)


def test_tail_statistics_are_recognised():
    for m in ("lat_p99_ns", "lat_p999_ns", "lat_max_ns", "req_lat_p999_ns"):
        assert is_tail(m), m
    for m in ("lat_p50_ns", "ns_per_alloc", "real_time_ns", "footprint_peak_bytes"):
        assert not is_tail(m), m


def test_tail_spread_is_the_range_of_the_repetitions(tmp_path):
    md = group_by_machine([load_results(_bench(tmp_path, iterations=True))])[0]
    s = md.stat("small_fixed", "64", "arena", "lat_p999_ns")
    assert s.spread == "range"
    assert s.value == 10.5
    assert (s.value - s.lo, s.value + s.hi) == (9.5, 530.0)
    cell = _with_spread("lat_p999_ns", s)
    assert cell == "10.5 ns [9.5 ns–530 ns]", cell
    assert "%" not in cell


def test_tail_spread_from_aggregates_only_is_not_a_cv(tmp_path):
    # only median and stddev rows: no range can be known, and a stddev is not shown
    md = group_by_machine([load_results(_bench(tmp_path, iterations=False))])[0]
    s = md.stat("small_fixed", "64", "arena", "lat_p999_ns")
    assert s.spread == "" and s.lo == s.hi == 0
    assert _with_spread("lat_p999_ns", s) == "10.5 ns"


def test_time_spread_is_a_labelled_relative_stddev(tmp_path):
    md = group_by_machine([load_results(_bench(tmp_path, iterations=False))])[0]
    s = md.stat("small_fixed", "64", "arena", "ns_per_alloc")
    assert s.spread == "stddev"
    assert _with_spread("ns_per_alloc", s).endswith("% sd")


def test_pooled_runs_show_the_range_of_per_run_medians():
    s = Stat(10.0, 2.0, 5.0, runs=3, spread="run range")
    assert _with_spread("lat_p999_ns", s) == "10 ns [8 ns–15 ns]"


def test_report_tables_say_which_spread_they_show(tmp_path):
    out = tmp_path / "report"
    r = run_report(_bench(tmp_path, iterations=True), "--out", out)
    assert r.returncode == 0, r.stderr
    md = (out / "report.md").read_text()
    assert SPREAD_TEXT in md
    assert "standard deviation" in SPREAD_TEXT and "lowest to the highest" in SPREAD_TEXT
    row = next(ln for ln in md.splitlines() if ln.startswith("| `64` |"))
    assert "[9.5 ns–530 ns]" in row
    assert "% sd" in row
    assert not any("%" in c for c in row.split("|") if "[9.5 ns" in c)
