"""scripts/compare on counts results (scripts/bench --counts): the gate on
instructions_per_alloc, without statistics.

Fixture: counts_synthetic.json (fixtures/make_counts_fixtures.py, invented figures in the
counts format). Changes are injected into copies; the gate on real counts of a build with a
deliberately costlier fast path is test_counts_gate.py.
"""
import copy
import json
import subprocess

import pytest
from conftest import PYTHON, SCRIPTS, fixture

COMPARE = f"{SCRIPTS}/compare"
BASE = fixture("counts_synthetic.json")


def compare(*args):
    return subprocess.run([PYTHON, COMPARE, *map(str, args)], capture_output=True, text=True,
                          timeout=60)


def load():
    with open(BASE) as f:
        return json.load(f)


def write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


def changed(doc, pick, counter="instructions_per_alloc", add=0.0, factor=1.0):
    """A copy with `counter` of the benchmarks pick(name) selects changed."""
    out = copy.deepcopy(doc)
    for r in out["benchmarks"]:
        if pick(r["name"]) and counter in r:
            r[counter] = r[counter] * factor + add
    return out


def is_arena(name):
    return name.split("/")[1] == "arena"


def flagged(stdout):
    fail = stdout.split("FAIL:")[1]
    return [line.split(":")[0].strip() for line in fail.splitlines()[1:] if line.strip()]


def test_identical_counts_pass():
    r = compare(BASE, BASE)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "PASS" in r.stdout and "REGRESSION" not in r.stdout
    assert "identical counts" in r.stdout
    assert "(40 compared)" in r.stdout
    assert "warning" not in r.stdout


def test_extra_instructions_are_flagged_with_both_figures(tmp_path):
    new = write(tmp_path, "new.json", changed(load(), is_arena, add=4))
    r = compare(BASE, new)
    assert r.returncode == 1, r.stdout + r.stderr
    names = flagged(r.stdout)
    assert sorted(names) == sorted(b["name"] for b in load()["benchmarks"] if is_arena(b["name"]))
    assert "small_fixed/arena/64: 9 -> 13 instructions per allocation (+44.44%)" in r.stdout
    assert "more than 1% more instructions per allocation" in r.stdout


@pytest.mark.parametrize("factor,threshold,status", [
    (1.005, None, 0),       # +0.5 % is within the default 1 %
    (1.02, None, 1),        # +2 % is not
    (1.005, "0.25", 1),
    (1.02, "5", 0),
    (1.01, None, 0),        # exactly the threshold is not more than it
])
def test_threshold_in_percent_of_instructions(tmp_path, factor, threshold, status):
    new = write(tmp_path, "new.json",
                changed(load(), lambda n: n == "small_fixed/arena/64", factor=factor))
    r = compare(BASE, new, *(["--threshold", threshold] if threshold else []))
    assert r.returncode == status, r.stdout
    if status == 0:
        assert "more, within threshold" in r.stdout       # a real change is still shown
    else:
        assert flagged(r.stdout) == ["small_fixed/arena/64"]


def test_fewer_instructions_pass(tmp_path):
    new = write(tmp_path, "new.json", changed(load(), is_arena, factor=0.5))
    r = compare(BASE, new)
    assert r.returncode == 0 and "fewer" in r.stdout


def test_misses_and_release_are_information_only(tmp_path):
    doc = changed(load(), is_arena, counter="d1_misses_per_alloc", factor=3)
    doc = changed(doc, is_arena, counter="instructions_per_release", factor=2)
    doc = changed(doc, is_arena, counter="traverse_d1_misses_per_node", factor=2)
    r = compare(BASE, write(tmp_path, "new.json", doc))
    assert r.returncode == 0, r.stdout
    header = [l for l in r.stdout.splitlines() if l.startswith("benchmark")][0]
    for column in ("instr/alloc old", "D1 miss/alloc", "instr/release", "trav D1/node"):
        assert column in header
    assert "LL miss/alloc" not in header            # unchanged columns are left out
    line = [l for l in r.stdout.splitlines() if l.startswith("small_fixed/arena/64 ")][0]
    assert "0.25 -> 0.75" in line and "180 -> 360" in line and line.endswith("same")


def test_one_sided_benchmarks_are_listed_not_flagged(tmp_path):
    doc = load()
    doc["benchmarks"] = [b for b in doc["benchmarks"] if b["name"] != "small_fixed/malloc/16"]
    extra = dict(copy.deepcopy(doc["benchmarks"][0]), name="new_workload/arena",
                 run_name="new_workload/arena", instructions_per_alloc=999.0)
    doc["benchmarks"].append(extra)
    r = compare(BASE, write(tmp_path, "new.json", doc))
    assert r.returncode == 0, r.stdout
    assert "not compared, only in the baseline (1): small_fixed/malloc/16" in r.stdout
    assert "not compared, only in the current result (1): new_workload/arena" in r.stdout


@pytest.mark.parametrize("key,value,what", [
    ("valgrind", "valgrind-3.20.0", "different valgrind version"),
    ("cache", {"D1": "65536 B, 64 B, 8-way"}, "different cache geometry"),
])
def test_different_simulator_warns(tmp_path, key, value, what):
    doc = load()
    doc["context"]["arena_suite"]["counts"][key] = value
    r = compare(BASE, write(tmp_path, "new.json", doc))
    assert r.returncode == 0
    assert [l for l in r.stdout.splitlines() if l.startswith("warning: " + what)]


def test_no_recorded_settings_warns(tmp_path):
    doc = load()
    del doc["context"]["arena_suite"]["counts"]
    r = compare(write(tmp_path, "old.json", doc), BASE)
    assert r.returncode == 0 and "warning: the baseline records no valgrind version" in r.stdout


def test_checksum_difference_is_noted(tmp_path):
    doc = changed(load(), lambda n: n == "mixed_sizes/malloc", counter="checksum", add=1)
    r = compare(BASE, write(tmp_path, "new.json", doc))
    assert r.returncode == 0 and "checksum differs on mixed_sizes/malloc" in r.stdout


def test_filter_and_all(tmp_path):
    new = write(tmp_path, "new.json", changed(load(), is_arena, add=4))
    r = compare(BASE, new, "--filter", "^small_fixed/")
    assert r.returncode == 1 and flagged(r.stdout) == ["small_fixed/arena/16", "small_fixed/arena/64"]
    r = compare(BASE, new, "--filter", "^small_fixed/malloc/", "--all")
    assert r.returncode == 0 and "small_fixed/malloc/64" in r.stdout and "(2 compared)" in r.stdout


def test_a_directory_holding_a_counts_result(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "results.json").write_text(json.dumps(load()))
    r = compare(tmp_path / "base", BASE)
    assert r.returncode == 0, r.stderr


# ---- bad input: exit 2, one message on stderr, nothing on stdout ------------------------

def test_counts_against_timed_is_refused():
    timed = fixture("compare_run_a.json")
    for a, b in ((BASE, timed), (timed, BASE)):
        r = compare(a, b)
        assert r.returncode == 2 and r.stdout == ""
        assert "compare counts with counts and times with times" in r.stderr
        assert "counts result" in r.stderr and "timed result" in r.stderr


def test_directory_mixing_counts_and_timed(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(load()))
    (tmp_path / "b.json").write_text(open(fixture("compare_run_a.json")).read())
    r = compare(tmp_path, BASE)
    assert r.returncode == 2 and r.stdout == "" and "mixes counts results" in r.stderr


def _bad(doc, edit):
    out = copy.deepcopy(doc)
    edit(out)
    return out


def _set(i, key, value):
    def edit(d):
        d["benchmarks"][i][key] = value
    return edit


@pytest.mark.parametrize("edit,message", [
    (_set(3, "instructions_per_alloc", "12"), "must be a non-negative number"),
    (_set(3, "instructions_per_alloc", -1.0), "must be a non-negative number"),
    (_set(3, "d1_misses_per_alloc", None), "must be a non-negative number"),
    (_set(3, "name", ""), "has no name"),
    (lambda d: d.update(benchmarks=[]), "is empty"),
    (lambda d: d.update(benchmarks={}), "no \"benchmarks\" list"),
    (lambda d: [b.pop("instructions_per_alloc") for b in d["benchmarks"]],
     "without any 'instructions_per_alloc'"),
    (lambda d: d["context"]["arena_suite"].update(counts=[1]), "counts is a list"),
    (lambda d: d["benchmarks"].append(dict(d["benchmarks"][0], instructions_per_alloc=1.0)),
     "appears twice with different counts"),
    (lambda d: [b.update(error_occurred=True) for b in d["benchmarks"]],
     "no benchmark rows without errors"),
])
def test_malformed_counts_are_rejected(tmp_path, edit, message):
    bad = write(tmp_path, "bad.json", _bad(load(), edit))
    for args in ((bad, BASE), (BASE, bad)):
        r = compare(*args)
        assert r.returncode == 2, r.stdout
        assert r.stdout == "" and bad in r.stderr and message in r.stderr, r.stderr


def test_truncated_counts_file(tmp_path):
    text = open(BASE).read()
    bad = tmp_path / "trunc.json"
    bad.write_text(text[: len(text) // 2])
    r = compare(BASE, bad)
    assert r.returncode == 2 and r.stdout == "" and "truncated" in r.stderr


def test_no_common_benchmark_after_filter():
    r = compare(BASE, BASE, "--filter", "^nothing$")
    assert r.returncode == 2 and r.stdout == "" and "no benchmark is in both" in r.stderr


def test_timed_threshold_default_unchanged():
    """--threshold keeps its meaning and default (5 % of the median time) for timed results."""
    r = compare(fixture("compare_run_a.json"), fixture("compare_run_b.json"))
    assert "more than 5% higher" in r.stdout


# ---- a real counts run ------------------------------------------------------------------

REAL = fixture("counts_quick.json")


def test_real_counts_run_a_a_and_an_injected_change(tmp_path):
    """counts_quick.json is a real scripts/bench --counts --quick run (16 allocators on
    small_fixed/64, mixed_sizes, reset_cycles and locality)."""
    r = compare(REAL, REAL, "--threshold", "0")
    assert r.returncode == 0 and "(64 compared)" in r.stdout and "warning" not in r.stdout
    with open(REAL) as f:
        doc = json.load(f)
    victim = next(b for b in doc["benchmarks"] if b["name"] == "small_fixed/arena/64")
    before = victim["instructions_per_alloc"]
    victim["instructions_per_alloc"] = before * 1.015
    r = compare(REAL, write(tmp_path, "new.json", doc))
    assert r.returncode == 1 and flagged(r.stdout) == ["small_fixed/arena/64"]
    assert f"{before:.5g} -> {before * 1.015:.5g}" in r.stdout
