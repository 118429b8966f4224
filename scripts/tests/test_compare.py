"""scripts/compare, the CI regression gate, on two real runs of one build.

Fixtures (fixtures/make_compare_fixtures.py; real runs of one build of bench_arena,
bench_malloc and bench_mimalloc):
  compare_run_a.json, compare_run_b.json  two runs interleaved process by process, one
                                          repetition per process (the A/B method)
  compare_one_process.json                one process per benchmark, 11 repetitions
Slowdowns are injected by scaling the times of a copy.
"""
import copy
import json
import statistics
import subprocess

import pytest
from conftest import PYTHON, SCRIPTS, bad_arguments_test, fixture

COMPARE = f"{SCRIPTS}/compare"
RUN_A = fixture("compare_run_a.json")
RUN_B = fixture("compare_run_b.json")
ONE = fixture("compare_one_process.json")


def compare(*args):
    return subprocess.run([PYTHON, COMPARE, *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def load(path):
    with open(path) as f:
        return json.load(f)


def names(doc):
    return sorted({r["name"].replace("/manual_time", "") for r in doc["benchmarks"]})


def scaled(doc, factor, only=None):
    """A copy with the times of benchmark `only` (all when None) multiplied by factor."""
    out = copy.deepcopy(doc)
    for r in out["benchmarks"]:
        if only is None or r["name"].replace("/manual_time", "") == only:
            r["real_time"] *= factor
            r["cpu_time"] *= factor
    return out


def write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


def most_stable(doc):
    """The benchmark with the smallest spread of repetitions (relative MAD)."""
    times = {}
    for r in doc["benchmarks"]:
        times.setdefault(r["name"].replace("/manual_time", ""), []).append(r["real_time"])

    def rel_mad(v):
        m = statistics.median(v)
        return statistics.median(abs(x - m) for x in v) / m
    return min(times, key=lambda n: rel_mad(times[n]))


def test_fixtures_are_real_runs_with_repetitions():
    a, b, one = load(RUN_A), load(RUN_B), load(ONE)
    assert names(a) == names(b) == names(one) and len(names(a)) >= 6
    for doc in (a, b, one):
        assert doc["context"]["arena_bench_allocator"] in ("arena", "malloc", "mimalloc")
        per = {}
        for r in doc["benchmarks"]:
            per[r["name"]] = per.get(r["name"], 0) + 1
        assert min(per.values()) >= 9


def test_two_runs_of_the_same_build_are_not_flagged():
    r = compare(RUN_A, RUN_B)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "PASS" in r.stdout and "REGRESSION" not in r.stdout
    r = compare(RUN_B, RUN_A)
    assert r.returncode == 0, r.stdout + r.stderr


def flagged(stdout):
    fail = stdout.split("FAIL:")[1]
    return [line.split(":")[0].strip() for line in fail.splitlines()[1:] if line.strip()]


def test_injected_ten_percent_slowdown_is_flagged(tmp_path):
    base = load(ONE)
    victim = most_stable(base)
    slow = write(tmp_path, "slow.json", scaled(base, 1.10, only=victim))
    r = compare(ONE, slow)
    assert r.returncode == 1, r.stdout + r.stderr
    assert flagged(r.stdout) == [victim]            # nothing else is flagged


def test_injected_slowdown_into_an_interleaved_run_is_flagged(tmp_path):
    """One repetition per process spreads more (every sample has its own process): on
    this machine a 10 % slowdown stands out for the steadiest benchmark when it is the
    one gated; among all 15 at once (Holm) it does not - the README says so."""
    base = load(RUN_A)
    victim = most_stable(base)
    slow = write(tmp_path, "slow_a.json", scaled(base, 1.10, only=victim))
    r = compare(RUN_A, slow, "--filter", f"^{victim}$")
    assert r.returncode == 1, r.stdout
    assert flagged(r.stdout) == [victim]
    r = compare(RUN_A, slow, "--correction", "none")
    assert r.returncode == 1 and flagged(r.stdout) == [victim]


def test_holm_keeps_two_runs_of_one_build_from_false_alarms():
    """Without the adjustment, 15 benchmarks tested at p < 0.05 each raise false alarms
    between these two runs of one build in one direction or the other; with it, none."""
    raw = [compare(RUN_A, RUN_B, "--correction", "none"), compare(RUN_B, RUN_A, "--correction", "none")]
    assert any(r.returncode == 1 for r in raw)
    assert compare(RUN_A, RUN_B).returncode == 0 and compare(RUN_B, RUN_A).returncode == 0


def test_threshold_decides(tmp_path):
    slow = write(tmp_path, "slow.json", scaled(load(ONE), 1.10))
    r = compare(ONE, slow)
    assert r.returncode == 1
    assert len(flagged(r.stdout)) >= 3
    r = compare(ONE, slow, "--threshold", "15")
    assert r.returncode == 0, r.stdout                # 10 % slower is within a 15 % threshold
    assert "PASS" in r.stdout


def test_faster_is_not_a_regression(tmp_path):
    fast = write(tmp_path, "fast.json", scaled(load(RUN_A), 0.85))
    r = compare(RUN_A, fast)
    assert r.returncode == 0
    assert "faster" in r.stdout


def test_table_lists_every_benchmark_with_all(tmp_path):
    r = compare(RUN_A, RUN_B, "--all")
    header = [l for l in r.stdout.splitlines() if l.startswith("benchmark")][0]
    for column in ("old (median)", "new (median)", "change", "p (U test)", "verdict"):
        assert column in header
    for n in names(load(RUN_A)):
        assert n in r.stdout


def test_pvalues_are_gbench_mann_whitney():
    from scipy.stats import mannwhitneyu
    a, b = load(RUN_A), load(RUN_B)
    n = names(a)[0]
    xa = [r["real_time"] for r in a["benchmarks"] if r["name"].replace("/manual_time", "") == n]
    xb = [r["real_time"] for r in b["benchmarks"] if r["name"].replace("/manual_time", "") == n]
    p = mannwhitneyu(xa, xb, alternative="two-sided").pvalue
    line = [l for l in compare(RUN_A, RUN_B, "--all").stdout.splitlines() if l.startswith(n + " ")][0]
    assert f"{p:.4f}" in line


def test_results_json_names_match_raw_bench_names(tmp_path):
    a = load(RUN_A)
    for r in a["benchmarks"]:                      # as scripts/bench writes them
        r["name"] = r["run_name"] = r["name"].replace("/manual_time", "")
    r = compare(write(tmp_path, "merged.json", a), RUN_B)
    assert r.returncode == 0
    assert f"({len(names(a))} compared)" in r.stdout


def test_too_few_repetitions_warn_instead_of_deciding(tmp_path):
    def first3(doc):
        out, seen = copy.deepcopy(doc), {}
        keep = []
        for r in out["benchmarks"]:
            seen[r["name"]] = seen.get(r["name"], 0) + 1
            if seen[r["name"]] <= 3:
                keep.append(r)
        out["benchmarks"] = keep
        return out
    a3 = first3(load(RUN_A))
    slow = write(tmp_path, "slow3.json", scaled(a3, 1.5))
    r = compare(write(tmp_path, "a3.json", a3), slow)
    assert r.returncode == 0
    assert "too few repetitions" in r.stdout
    assert "untested" in r.stdout


# ---- bad input: a clear message and exit status 2 ------------------------------------

@pytest.mark.parametrize("content,message", [
    ('{"benchmarks": [{"name": "x", "real', "not valid JSON"),
    ("[1, 2]", "no \"benchmarks\" list"),
    ('{"context": {}}', "no \"benchmarks\" list"),
    ('{"benchmarks": []}', "is empty"),
    ('{"benchmarks": [{"name": "a/b", "run_type": "aggregate", "aggregate_name": "median", '
     '"real_time": 1, "cpu_time": 1, "time_unit": "ns"}]}', "aggregates only"),
    ('{"benchmarks": [{"name": "a/b", "run_type": "iteration", "time_unit": "ns"}]}',
     "no numeric real_time"),
    ('{"benchmarks": [{"name": "a/b", "real_time": 1, "cpu_time": 1, "time_unit": "h"}]}',
     "unknown time_unit"),
])
def test_bad_files_are_rejected(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    for args in ((bad, RUN_A), (RUN_A, bad)):
        r = compare(*args)
        assert r.returncode == 2
        assert str(bad) in r.stderr and message in r.stderr, r.stderr


def test_missing_file_and_empty_directory(tmp_path):
    r = compare(tmp_path / "nope.json", RUN_A)
    assert r.returncode == 2 and "no such file" in r.stderr
    r = compare(tmp_path, RUN_A)
    assert r.returncode == 2 and "without *.json" in r.stderr


def test_directories_of_per_binary_files(tmp_path):
    """One JSON per bench binary in a directory, as a CI job writes them."""
    for run, path in (("a", RUN_A), ("b", RUN_B)):
        d = tmp_path / run
        d.mkdir()
        doc = load(path)
        for alloc in {n.split("/")[1] for n in names(doc)}:
            part = dict(doc, benchmarks=[r for r in doc["benchmarks"] if f"/{alloc}/" in r["name"]])
            (d / f"{alloc}.json").write_text(json.dumps(part))
    r = compare(tmp_path / "a", tmp_path / "b")
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"({len(names(load(RUN_A)))} compared)" in r.stdout


def test_no_common_benchmark(tmp_path):
    other = load(RUN_A)
    for r in other["benchmarks"]:
        r["name"] = r["run_name"] = "other/" + r["name"]
    r = compare(RUN_A, write(tmp_path, "other.json", other))
    assert r.returncode == 2 and "no benchmark is in both" in r.stderr


test_bad_options = bad_arguments_test(lambda *args: compare(RUN_A, RUN_B, *args), [
    (["--threshold", "-1"], "--threshold"),
    (["--threshold", "abc"], "--threshold"),
    (["--alpha", "0"], "--alpha"),
    (["--filter", "("], "bad --filter"),
    (["--filter", "^nothing$"], "no benchmark is in both"),
])


def test_usage_without_arguments():
    r = compare()
    assert r.returncode == 2 and "usage" in r.stderr


def test_holm_adjustment():
    from arenabench.stats import holm, min_pvalue
    adj = holm({"a": 0.01, "b": 0.04, "c": 0.03, "d": 0.005})
    assert adj == pytest.approx({"d": 0.02, "a": 0.03, "c": 0.06, "b": 0.06})
    assert holm({"x": 0.7, "y": 0.9}) == {"x": 1.0, "y": 1.0}
    assert min_pvalue(3, 3) == pytest.approx(0.1) and min_pvalue(5, 5) == pytest.approx(2 / 252)
