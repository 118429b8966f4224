"""scripts/tune, the arena's initial-capacity tuner.

Three layers:
  - the rule and the comparison with the arena's suggestion on hand-made sweeps;
  - a real sweep (fixtures/tune_python_quick.json: scripts/tune on the trace
    scripts/record-trace made of python3 compiling the json package) re-analysed
    and re-plotted, and the comparison of the arena's suggested_initial_capacity
    from that run with the tuner's recommendation;
  - live runs of bench_arena_tune, built by the tests (ARENA_BUILD_DIR, default
    build/bench): a small sweep on a generated trace, and bad arguments.
"""
import json
import statistics
import subprocess

import pytest
from conftest import BUILD, PYTHON, SCRIPTS, bad_arguments_test, built, fixture

from arenabench.tune import analysis, cli
from arenabench.tune.runner import Result, Setting, TuneError, resolve_benchmark

TUNE = f"{SCRIPTS}/tune"
REAL_SWEEP = fixture("tune_python_quick.json")


def tune(*args, timeout=600):
    return subprocess.run([PYTHON, TUNE, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def res(cap, times, committed=0, growth=None, blocks=1):
    return Result(Setting(cap, growth), list(times), [1.0] * len(times),
                  {"committed_bytes": committed, "blocks": blocks, "waste_bytes": 0})


# ---- the rule -------------------------------------------------------------------------------

def test_recommends_smallest_capacity_within_five_percent():
    # Nine repetitions each: with three the U test cannot reach p < 0.001 (its smallest
    # two-sided p is 0.1), and time moves the choice only where it differs significantly.
    rs = [res(4096, [130, 131, 129] * 3), res(16384, [104, 104, 104] * 3),
          res(65536, [100, 101, 99] * 3), res(262144, [102, 102, 102] * 3)]
    rec = analysis.recommend(rs, None)
    assert rec.best_capacity == 65536 and rec.best_time_ns == 100
    assert rec.capacity == 16384                    # 104 <= 1.05 * 100, and smaller
    assert rec.noise_free_capacity == 4096 and rec.passed_over[0][:2] == (4096, 65536)


def test_just_outside_the_tolerance_is_not_recommended():
    rs = [res(4096, [105.1] * 9), res(65536, [100.0] * 9)]
    assert analysis.recommend(rs, None).capacity == 65536
    rs = [res(4096, [105.0] * 9), res(65536, [100.0] * 9)]
    assert analysis.recommend(rs, None).capacity == 4096


def test_a_difference_that_is_not_significant_does_not_move_the_choice():
    # 30 % slower median, but three repetitions a side: U test p >= 0.1.
    rs = [res(4096, [130, 131, 129]), res(65536, [100, 101, 99])]
    rec = analysis.recommend(rs, None)
    assert rec.capacity == 4096 and not rec.passed_over
    assert "time was not used" in rec.explanation()
    # Overlapping times, 9 a side, medians 6 % apart: not significant either.
    rs = [res(4096, [98, 118, 100, 112, 106, 95, 120, 103, 110]),
          res(65536, [97, 104, 99, 115, 92, 100, 101, 94, 108])]
    assert analysis.recommend(rs, None).capacity == 4096


def test_noise_free_order_fewest_upstream_allocations_then_least_committed():
    rs = [res(4096, [100] * 9, committed=300_000, blocks=7),
          res(65536, [100] * 9, committed=260_000, blocks=3),
          res(262144, [100] * 9, committed=262_144, blocks=1),
          res(1 << 20, [100] * 9, committed=1 << 20, blocks=1)]
    rec = analysis.recommend(rs, None)
    assert rec.capacity == rec.noise_free_capacity == 262144


@pytest.mark.parametrize("seed", range(20))
def test_recommendation_does_not_flip_with_noise(seed):
    """Two runs on the same build: the same noise-free counters, times that are noise
    (every setting's times drawn from one distribution with a +-30 % spread, shuffled
    differently per run). The recommendation is the same every time."""
    import random
    rng = random.Random(seed)
    counters = [(4096, 9, 40_000), (16384, 5, 36_000), (65536, 2, 80_000), (131072, 1, 131072),
                (1 << 20, 1, 1 << 20)]
    pool = [rng.uniform(70, 130) for _ in range(9 * len(counters))]
    picks = set()
    for _ in range(2):
        rng.shuffle(pool)
        rs = [res(cap, pool[9 * i:9 * i + 9], committed=com, blocks=blk)
              for i, (cap, blk, com) in enumerate(counters)]
        picks.add(analysis.recommend(rs, None).capacity)
    assert picks == {131072}


def test_ties_on_capacity_go_to_less_committed_memory():
    rs = [res(4096, [100], committed=9000, growth=4.0), res(4096, [100], committed=5000, growth=2.0)]
    rec = analysis.recommend(rs, None)
    assert rec.growth == 2.0 and rec.committed_bytes == 5000


def test_comparison_with_the_suggestion_explains_a_flat_curve():
    rs = [res(4096, [101]), res(65536, [100]), res(1 << 20, [102])]
    rec = analysis.recommend(rs, None)
    agrees, why = analysis.compare_with_suggestion(rec, 1 << 20, rs, None)
    assert not agrees and "flat" in why
    agrees, why = analysis.compare_with_suggestion(rec, 8192, rs, None)
    assert agrees and "factor of 2.00" in why


def test_comparison_with_the_suggestion_explains_a_slow_big_block():
    rs = [res(4096, [100]), res(1 << 20, [150])]
    rec = analysis.recommend(rs, None)
    agrees, why = analysis.compare_with_suggestion(rec, 1 << 20, rs, None)
    assert not agrees and "slower" in why


def test_default_sweep_covers_the_suggestion():
    caps = analysis.default_sweep(18 << 20)
    assert caps[0] == 4096 and 18 << 20 in caps and caps[-1] >= 4 * (18 << 20)
    assert caps == sorted(caps) and len(caps) == len(set(caps))
    assert analysis.default_sweep(0)[0] == 4096


@pytest.mark.parametrize("text,value", [("4096", 4096), ("64K", 65536), ("1m", 1 << 20),
                                        ("2GiB", 2 << 30)])
def test_sizes(text, value):
    assert cli.parse_size(text) == value


@pytest.mark.parametrize("text", ["", "0", "-4K", "12Q", "1.5M", "4096 bytes"])
def test_bad_sizes(text):
    with pytest.raises(ValueError):
        cli.parse_size(text)


@pytest.mark.parametrize("text", ["0.5", "17", "x"])
def test_bad_growth(text):
    with pytest.raises(ValueError):
        cli.parse_growth(text)


def test_benchmark_resolution():
    names = ["mixed_sizes/arena", "small_fixed/arena/8", "small_fixed/arena/64",
             "trace_replay/arena/python", "trace_replay/arena_phase_reset/python"]
    assert resolve_benchmark(names, "mixed_sizes") == "mixed_sizes/arena"
    assert resolve_benchmark(names, "small_fixed/arena/64") == "small_fixed/arena/64"
    assert resolve_benchmark(names, None, "/x/python.quick.trace") == "trace_replay/arena/python"
    assert resolve_benchmark(names, None, "/x/python.trace",
                             "arena_phase_reset") == "trace_replay/arena_phase_reset/python"
    for bad, why in (("small_fixed", "several benchmarks"), ("nope", "unknown workload"),
                     ("mixed_sizes/malloc", "the arena only")):
        with pytest.raises(TuneError) as e:
            resolve_benchmark(names, bad)
        assert why in str(e.value) and e.value.status == 2


# ---- a real sweep on a recorded trace ------------------------------------------------------

@pytest.fixture(scope="module")
def real_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("replot")
    r = tune("--replot", REAL_SWEEP, "--out", out)
    assert r.returncode == 0, r.stdout + r.stderr
    with open(out / "tune.json") as f:
        return json.load(f), r.stdout, out


def test_real_sweep_fixture_is_a_real_run():
    with open(REAL_SWEEP) as f:
        doc = json.load(f)
    assert doc["benchmark"] == "trace_replay/arena/python"
    assert doc["trace"].endswith("python.quick.trace")
    assert len(doc["settings"]) >= 8
    for s in doc["settings"]:
        assert len(s["times_ns"]) == doc["rounds"] * doc["repetitions"]
        assert s["stats"]["committed_bytes"] >= s["stats"]["requested_bytes"] > 0
    # One checksum for every setting: the same replay each time.
    assert len({s["extra"]["checksum"] for s in doc["settings"]}) == 1
    # A larger first block means fewer blocks.
    blocks = [s["stats"]["blocks"] for s in sorted(doc["settings"], key=lambda s: s["capacity"])]
    assert blocks == sorted(blocks, reverse=True) and blocks[-1] == 1


def test_real_sweep_recommendation_follows_the_rule(real_sweep):
    """The rule recomputed here from the sweep: settings in noise-free order (blocks,
    committed, waste, capacity); the first that no setting beats by a median more than
    5 % lower with a Holm-adjusted U test p below 0.001."""
    from scipy.stats import mannwhitneyu
    doc, text, _ = real_sweep
    settings = sorted(doc["settings"], key=lambda s: (s["stats"]["blocks"],
                                                      s["stats"]["committed_bytes"],
                                                      s["stats"]["waste_bytes"], s["capacity"]))
    for cand in settings:
        t = statistics.median(cand["times_ns"])
        ps = sorted(mannwhitneyu(cand["times_ns"], o["times_ns"], alternative="two-sided").pvalue
                    for o in settings if t > 1.05 * statistics.median(o["times_ns"]))
        if not _holm_any(ps):
            expected = cand["capacity"]
            break
    assert doc["recommendation"]["capacity"] == expected
    assert doc["recommendation"]["noise_free_capacity"] == settings[0]["capacity"]
    assert "why: " in text and "rule: " in text


def _holm_any(ps):
    """Holm: any hypothesis rejected at 0.05 (ps sorted ascending)."""
    running = 0.0
    for i, p in enumerate(ps):
        running = max(running, min(1.0, (len(ps) - i) * p))
        if running < 0.001:
            return True
    return False


def test_real_sweep_table_and_plot(real_sweep):
    doc, text, out = real_sweep
    assert "<- recommended" in text and "(the arena's suggestion)" in text
    for col in ("capacity", "median time", "blocks", "committed", "waste"):
        assert col in text
    for ext in ("png", "svg"):
        path = out / f"tune.{ext}"
        assert path.exists() and path.stat().st_size > 10_000


def test_suggested_capacity_and_recommendation_compared(real_sweep):
    """The arena's suggested_initial_capacity (from the real run) against the tuner's
    recommendation: within a factor of two, or the explanation must hold on the data."""
    doc, _, _ = real_sweep
    suggested = doc["suggested_capacity_bytes"]
    rec = doc["recommendation"]["capacity"]
    assert suggested == doc["default"]["stats"]["suggested_capacity_bytes"] > 0
    # The suggestion is one block holding the peak: the arena's peak use, in pages.
    peak = doc["default"]["stats"]["peak_used_bytes"]
    assert suggested == -(-peak // 4096) * 4096
    factor = max(rec, suggested) / min(rec, suggested)
    medians = {s["capacity"]: statistics.median(s["times_ns"]) for s in doc["settings"]}
    best = min(medians.values())
    if factor <= 2:
        assert doc["agreement"]["within_factor_two"]
        return
    # Not within a factor of two. The suggestion is the block that never grows; the tuner
    # picks the smallest block with near-best time. The explanation printed must say
    # which of two things the measurements show, and be true of them: the time is flat
    # between the two (suggestion within 5 % of the best, or not significantly different
    # from the recommendation by a U test), or the one big block is significantly slower.
    from scipy.stats import mannwhitneyu
    why = doc["agreement"]["explanation"]
    runs = {s["capacity"]: s["times_ns"] for s in doc["settings"]}
    p = mannwhitneyu(runs[rec], runs[suggested], alternative="two-sided").pvalue
    assert f"p = {p:.3g}" in why
    if medians[suggested] <= 1.05 * best or p >= 0.05:
        assert "flat" in why
    else:
        assert "significantly slower" in why
        assert medians[rec] < medians[suggested]


# ---- live: bench_arena_tune --------------------------------------------------------------------

@pytest.fixture(scope="module")
def synth():
    """arena_trace_synth, with bench_arena_tune built beside it (scripts/tune builds that
    itself, once: here before the first live test, so that no test's time includes it)."""
    return built("arena_trace_synth", "bench_arena_tune")[0]


def test_live_sweep_on_a_generated_trace(tmp_path, synth):
    trace = tmp_path / "synth.trace"
    subprocess.run([synth, trace, "30", "800"], check=True)
    r = tune("--trace", trace, "--capacities", "4K,64K,1M", "--growth", "2,4", "--rounds", "1",
             "--repetitions", "2", "--min-time", "0.01", "--out", tmp_path / "out",
             "--build-dir", BUILD)
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads((tmp_path / "out" / "tune.json").read_text())
    assert len(doc["settings"]) == 6
    by = {(s["capacity"], s["growth"]): s["stats"] for s in doc["settings"]}
    assert by[(4096, 2.0)]["blocks"] > by[(1 << 20, 2.0)]["blocks"]
    assert by[(4096, 4.0)]["blocks"] < by[(4096, 2.0)]["blocks"]    # faster growth, fewer blocks
    assert by[(1 << 20, 2.0)]["committed_bytes"] >= doc["default"]["stats"]["requested_bytes"]
    assert doc["suggested_capacity_bytes"] > 0
    assert doc["recommendation"]["capacity"] in (4096, 65536, 1 << 20)
    assert (tmp_path / "out" / "tune.png").stat().st_size > 10_000


def test_live_workload_by_name(tmp_path, synth):
    r = tune("reset_cycles", "--scale", "smoke", "--capacities", "4K,1M", "--rounds", "1",
             "--repetitions", "1", "--min-time", "0.01", "--out", tmp_path, "--build-dir", BUILD)
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads((tmp_path / "tune.json").read_text())
    assert doc["benchmark"] == "reset_cycles/arena"
    assert doc["settings"][0]["stats"]["initial_capacity"] == 4096


def test_live_unknown_workload(tmp_path, synth):
    r = tune("no_such_workload", "--out", tmp_path, "--build-dir", BUILD)
    assert r.returncode == 2 and "unknown workload" in r.stderr


# ---- bad arguments --------------------------------------------------------------------------

test_bad_arguments = bad_arguments_test(tune, [
    ([], "give a workload name or --trace"),
    (["mixed_sizes", "--trace", "x.trace"], "give a workload name or --trace"),
    (["--trace", "/nonexistent/x.trace"], "cannot read trace"),
    (["mixed_sizes", "--capacities", "4K,lots"], "bad size"),
    (["mixed_sizes", "--growth", "20"], "out of range"),
    (["mixed_sizes", "--repetitions", "0"], "--repetitions"),
    (["mixed_sizes", "--rounds", "0"], "--rounds"),
    (["mixed_sizes", "--min-time", "0"], "--min-time"),
])


def test_not_a_trace(tmp_path):
    bad = tmp_path / "bad.trace"
    bad.write_text("hello")
    r = tune("--trace", bad)
    assert r.returncode == 2 and "not an allocation trace" in r.stderr


def test_replot_of_bad_json(tmp_path):
    bad = tmp_path / "tune.json"
    bad.write_text("{")
    r = tune("--replot", bad, "--out", tmp_path / "o")
    assert r.returncode == 2 and "cannot use" in r.stderr
    bad.write_text("{}")
    r = tune("--replot", bad, "--out", tmp_path / "o")
    assert r.returncode == 2 and "no settings" in r.stderr
