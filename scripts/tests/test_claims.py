"""The seed-table rules: each verdict flips when the numbers say the opposite."""
import pytest

from conftest import make_results
from arenabench.report import claims, environment
from arenabench.report.dataset import group_by_machine
from arenabench.results import load_results

MANUAL = {"malloc": 15.0, "mimalloc": 6.0, "jemalloc": 9.0, "tcmalloc": 8.0}


def machine(tmp_path, benches, **kw):
    return group_by_machine([load_results(make_results(tmp_path / "r.json", benches, **kw))])[0]


def cell(md, feature_name, alloc):
    for f, cells, summary in claims.Evaluator(md).table():
        if f.name == feature_name:
            return cells[alloc], summary
    raise KeyError(feature_name)


def speed_benches(arena, pmr=2.2, boehm=30.0, ideal=0.7, workload="small_fixed", p="64"):
    b = {(workload, "arena", p): {"ns_per_alloc": arena},
         (workload, "ideal_bump", p): {"ns_per_alloc": ideal},
         (workload, "pmr_monotonic", p): {"ns_per_alloc": pmr},
         (workload, "boehm", p): {"ns_per_alloc": boehm}}
    for a, v in MANUAL.items():
        b[(workload, a, p)] = {"ns_per_alloc": v}
    return b


def test_combine():
    S, N = claims.SUPPORTED, claims.NOT_SUPPORTED
    assert claims.combine([S, S]) == S
    assert claims.combine([N, N]) == N
    assert claims.combine([S, N]) == claims.MIXED
    assert claims.combine([None, S]) == S
    assert claims.combine([]) == claims.NOT_MEASURED


def test_arena_very_fast_supported_when_fastest(tmp_path):
    c, summary = cell(machine(tmp_path, speed_benches(arena=1.0)), "Allocation Speed", "arena")
    assert c.verdict == claims.SUPPORTED and c.claim == "Very Fast"
    assert c.figure == "1 ns/alloc" and c.source == "small_fixed/64"
    assert summary["arena"][1] == claims.SUPPORTED


def test_ideal_bump_does_not_count_against_the_arena(tmp_path):
    c, _ = cell(machine(tmp_path, speed_benches(arena=1.0, ideal=0.5)), "Allocation Speed", "arena")
    assert c.verdict == claims.SUPPORTED


def test_arena_very_fast_not_supported_when_pmr_is_faster(tmp_path):
    c, _ = cell(machine(tmp_path, speed_benches(arena=3.0, pmr=1.5)), "Allocation Speed", "arena")
    assert c.verdict == claims.NOT_SUPPORTED
    assert "std::pmr monotonic" in c.evidence[0].why


def test_mixed_when_workloads_disagree(tmp_path):
    b = speed_benches(arena=1.0)
    b.update(speed_benches(arena=5.0, workload="mixed_sizes", p="power_law"))
    c, _ = cell(machine(tmp_path, b), "Allocation Speed", "arena")
    assert c.verdict == claims.MIXED
    assert [e.verdict for e in c.evidence] == [claims.SUPPORTED, claims.NOT_SUPPORTED]


def test_boehm_moderate(tmp_path):
    c, _ = cell(machine(tmp_path, speed_benches(arena=1.0, boehm=30.0)), "Allocation Speed", "boehm")
    assert c.verdict == claims.SUPPORTED
    c, _ = cell(machine(tmp_path, speed_benches(arena=1.0, boehm=5.0)), "Allocation Speed", "boehm")
    assert c.verdict == claims.NOT_SUPPORTED          # faster than the manual heaps: not moderate
    c, _ = cell(machine(tmp_path, speed_benches(arena=1.0, boehm=500.0)), "Allocation Speed", "boehm")
    assert c.verdict == claims.NOT_SUPPORTED          # 50x the median heap: slow, not moderate


def test_manual_fast_needs_boehm_as_reference(tmp_path):
    b = {k: v for k, v in speed_benches(arena=1.0).items() if k[1] != "boehm"}
    c, summary = cell(machine(tmp_path, b), "Allocation Speed", "malloc")
    assert c.verdict == claims.NOT_MEASURED
    assert summary["gc"][1] == claims.NOT_MEASURED


def test_missing_counter_is_not_measured(tmp_path):
    b = {("small_fixed", a, "64"): {"release_ns": 100.0} for a in ["arena", "malloc", "boehm"]}
    md = machine(tmp_path, b)
    c, summary = cell(md, "Allocation Speed", "arena")
    assert c.verdict == claims.NOT_MEASURED and c.figure == "not measured"
    c, _ = cell(md, "Determinism", "boehm")
    assert c.verdict == claims.NOT_MEASURED


def determinism_benches(arena_p999=40.0, boehm_pause=2e6, floor_max=15000.0):
    b = {}
    for a, (p999, mx, pause) in {"arena": (arena_p999, 20000, 0), "ideal_bump": (20, floor_max, 0),
                                 "malloc": (250, 50000, 0), "boehm": (400, 60000, boehm_pause)}.items():
        b[("reset_cycles", a, "64")] = {"lat_p999_ns": p999, "lat_max_ns": mx,
                                        "gc_pause_max_ns": pause}
    return b


def test_determinism(tmp_path):
    md = machine(tmp_path, determinism_benches())
    assert cell(md, "Determinism", "arena")[0].verdict == claims.SUPPORTED
    assert cell(md, "Determinism", "boehm")[0].verdict == claims.SUPPORTED     # "Low" holds
    assert cell(md, "Determinism", "malloc")[0].verdict == claims.SUPPORTED
    md = machine(tmp_path, determinism_benches(arena_p999=5000.0, boehm_pause=10000.0))
    assert cell(md, "Determinism", "arena")[0].verdict == claims.NOT_SUPPORTED
    assert cell(md, "Determinism", "boehm")[0].verdict == claims.NOT_SUPPORTED  # no long pause


def test_leaks(tmp_path):
    b = {("small_fixed", "arena", "64"): {"retained_after_release_bytes": 0.0,
                                          "footprint_peak_bytes": 1e7},
         ("small_fixed", "boehm", "64"): {"retained_after_release_bytes": 1e6,
                                          "live_peak_bytes": 1e7},
         ("small_fixed", "malloc", "64"): {"retained_after_release_bytes": 135168.0}}
    md = machine(tmp_path, b)
    assert cell(md, "Memory Leaks", "arena")[0].verdict == claims.SUPPORTED
    # Boehm's retained heap is not a leak: without the in-use figure there is no verdict
    gc = cell(md, "Memory Leaks", "boehm")[0]
    assert gc.verdict == claims.NOT_MEASURED and "in_use_after_release_bytes" in gc.note
    b[("small_fixed", "boehm", "64")]["in_use_after_release_bytes"] = 1e6       # 10 % reachable
    assert cell(machine(tmp_path, b), "Memory Leaks", "boehm")[0].verdict == claims.NOT_SUPPORTED
    b[("small_fixed", "boehm", "64")]["in_use_after_release_bytes"] = 1e5       # 1 %
    assert cell(machine(tmp_path, b), "Memory Leaks", "boehm")[0].verdict == claims.SUPPORTED
    c, summary = cell(md, "Memory Leaks", "malloc")
    assert c.verdict == claims.NOT_MEASURABLE and c.figure == "retained 132 KiB"
    b[("small_fixed", "arena", "64")]["retained_after_release_bytes"] = 1 << 20
    assert cell(machine(tmp_path, b), "Memory Leaks", "arena")[0].verdict == claims.NOT_SUPPORTED


def test_fragmentation_and_overhead_thresholds(tmp_path):
    b = {("mixed_sizes", "arena", "x"): {"fragmentation": 0.1, "overhead_ratio": 1.11},
         ("mixed_sizes", "malloc", "x"): {"fragmentation": 0.4, "overhead_ratio": 1.67},
         ("mixed_sizes", "boehm", "x"): {"fragmentation": 0.45, "overhead_ratio": 1.8},
         ("churn", "arena", "x"): {"fragmentation": 0.75, "overhead_ratio": 4.0},
         ("churn", "malloc", "x"): {"fragmentation": 0.1, "overhead_ratio": 1.1},
         ("churn", "boehm", "x"): {"fragmentation": 0.1, "overhead_ratio": 1.1}}
    md = machine(tmp_path, b)
    assert cell(md, "Memory Fragmentation", "arena")[0].verdict == claims.MIXED
    assert cell(md, "Memory Fragmentation", "malloc")[0].verdict == claims.MIXED
    gc = cell(md, "Memory Fragmentation", "boehm")[0]
    assert gc.verdict == claims.SUPPORTED and "10 % – 45 %" == gc.figure   # it varies
    assert cell(md, "Memory Overhead", "boehm")[0].verdict == claims.MIXED
    one = {k: v for k, v in b.items() if k[0] == "mixed_sizes"}
    assert cell(machine(tmp_path, one), "Memory Fragmentation", "boehm")[0].verdict == \
        claims.NOT_MEASURED                                      # needs two workloads


def test_qualitative_rows_say_so(tmp_path):
    md = machine(tmp_path, speed_benches(arena=1.0))
    for name in ("Ease of Use", "Use Case"):
        c, summary = cell(md, name, "arena")
        assert c.verdict == claims.NOT_MEASURABLE
        assert all(v[1] == claims.NOT_MEASURABLE for v in summary.values())


def test_every_seed_row_is_present():
    names = [f.name for f in claims.FEATURES]
    assert names == ["Allocation Speed", "Deallocation", "Memory Fragmentation",
                     "Memory Overhead", "Determinism", "Ease of Use", "Memory Leaks", "Use Case"]


def test_checksum_mismatch_is_a_caveat(tmp_path):
    b = {("small_fixed", "arena", "64"): {"checksum": 1.0},
         ("small_fixed", "malloc", "64"): {"checksum": 2.0},
         ("churn", "arena", "64"): {"checksum": 3.0},
         ("churn", "malloc", "64"): {"checksum": 3.0}}
    md = machine(tmp_path, b)
    assert [(w, p) for w, p, _ in environment.checksum_mismatches(md)] == [("small_fixed", "64")]
    assert any("checksum mismatch on small_fixed/64" in c for c in environment.caveats(md))


@pytest.mark.parametrize("iterations", [False, True])
def test_median_and_error_bar(tmp_path, iterations):
    b = {("small_fixed", "arena", "64"): {"ns_per_alloc": [1.0, 1.2, 5.0]}}
    s = machine(tmp_path, b, iterations=iterations).stat("small_fixed", "64", "arena",
                                                          "ns_per_alloc")
    assert s.value == pytest.approx(1.2)                 # the median, not the mean
    assert s.lo == s.hi == pytest.approx(2.2539, rel=1e-3)   # +-1 stddev
    assert s.reps == 3


def test_runs_of_one_machine_are_pooled_and_machines_kept_apart(tmp_path):
    b1 = {("small_fixed", "arena", "64"): {"ns_per_alloc": 1.0}}
    b2 = {("small_fixed", "arena", "64"): {"ns_per_alloc": 1.4}}
    b3 = {("small_fixed", "arena", "64"): {"ns_per_alloc": 9.0}}
    runs = [load_results(make_results(tmp_path / "a.json", b1)),
            load_results(make_results(tmp_path / "b.json", b2)),
            load_results(make_results(tmp_path / "c.json", b3, host="other"))]
    mds = group_by_machine(runs)
    assert len(mds) == 2 and [len(m.runs) for m in mds] == [2, 1]
    s = mds[0].stat("small_fixed", "64", "arena", "ns_per_alloc")
    assert s.value == pytest.approx(1.2) and s.runs == 2
    assert (s.value - s.lo, s.value + s.hi) == pytest.approx((1.0, 1.4))
    assert mds[1].value("small_fixed", "64", "arena", "ns_per_alloc") == 9.0
