"""Counts in the report (report/counts.py), the Cache Locality row (report/locality.py) and
the counts and locality targets (bench/counts_targets.py).

Inputs: counts_synthetic.json (fixtures/make_counts_fixtures.py) and small timed results
written here with conftest.make_results, whose figures are chosen to exercise each rule.
"""
import copy
import json
import os

import pytest
from conftest import fixture, make_results, run_report, write_json

from arenabench import catalogue
from arenabench.bench import targets
from arenabench.report import locality
from arenabench.report.dataset import MachineData
from arenabench.results import load_results

COUNTS = fixture("counts_synthetic.json")
HEAPS = ("malloc", "mimalloc", "jemalloc")


def timed(path, arena_traverse_ns=2.0, arena_mixed_ns=9.0):
    """A timed run: locality with traversal times, mixed_sizes and small_fixed/64 times."""
    benches = {}
    for a, ns in (("arena", 3.0), ("ideal_bump", 2.0), ("malloc", 20.0), ("mimalloc", 8.0),
                  ("jemalloc", 10.0), ("boehm", 40.0)):
        benches[("small_fixed", a, "64")] = {"ns_per_alloc": ns}
        benches[("mixed_sizes", a, "")] = {"ns_per_alloc": arena_mixed_ns if a == "arena" else ns}
        benches[("locality", a, "")] = {
            "ns_per_alloc": ns, "traverse_ns_per_node": arena_traverse_ns if a == "arena" else
            {"malloc": 4.0, "mimalloc": 3.0, "jemalloc": 3.5, "boehm": 5.0, "ideal_bump": 1.9}[a]}
    return make_results(path, benches)


def counts_md(doc=None, tmp_path=None):
    path = COUNTS if doc is None else write_json(tmp_path / "c.json", doc)
    run = load_results(path)
    return MachineData("counts", [run], catalogue.for_runs([run]))


def load_counts():
    with open(COUNTS) as f:
        return json.load(f)


# ---- the Cache Locality rule -----------------------------------------------------------

def test_locality_from_counts_alone():
    md = counts_md()
    res = locality.evaluate(None, md, md.catalogue)
    assert res.verdict == "supported" and res.had == ["counts"]
    assert res.missing == [("timed", "no timed results given")]
    row = locality.seed_row(md, None, md.catalogue)
    assert "Cache Locality" in row[0] and "benefits, not its table" in row[0]
    assert "{{supported}}" in row[1] and "0.09 D1 misses/node" in row[1]
    assert "(from counts; no timed results given)" in row[1]
    assert row[2].startswith("no claim") and row[3].startswith("no claim")
    assert "glibc malloc 0.31 D1 misses/node" in row[3]


def test_locality_needs_every_heap_beaten(tmp_path):
    doc = load_counts()
    for b in doc["benchmarks"]:
        if b["name"] == "locality/arena":
            b["traverse_d1_misses_per_node"] = 0.22        # above mimalloc's 0.21
    md = counts_md(doc, tmp_path)
    res = locality.evaluate(None, md, md.catalogue)
    assert res.verdict == "not supported"
    assert "lowest general-purpose heap: mimalloc" in res.checks[0].why


@pytest.mark.parametrize("arena_ns,verdict", [(2.0, "supported"), (3.1, "supported"),   # tie
                                              (3.5, "mixed")])
def test_locality_from_counts_and_times(tmp_path, arena_ns, verdict):
    run = load_results(timed(tmp_path / "t.json", arena_traverse_ns=arena_ns))
    tmd = MachineData("t", [run], catalogue.for_runs([run]))
    res = locality.evaluate(tmd, counts_md(), tmd.catalogue)
    assert res.had == ["counts", "timed"]
    assert res.verdict == verdict


def test_locality_times_alone_say_so(tmp_path):
    run = load_results(timed(tmp_path / "t.json"))
    tmd = MachineData("t", [run], catalogue.for_runs([run]))
    row = locality.seed_row(tmd, None, tmd.catalogue)
    assert "(from times; no counts results given)" in row[1] and "2 ns/node" in row[1]


def test_locality_not_measured(tmp_path):
    path = make_results(tmp_path / "t.json", {("small_fixed", "arena", "64"): {"ns_per_alloc": 3.0}})
    run = load_results(path)
    tmd = MachineData("t", [run], catalogue.for_runs([run]))
    row = locality.seed_row(tmd, None, tmd.catalogue)
    assert "{{not measured}}" in row[1]
    assert "no traverse_ns_per_node of the arena in the timed results" in row[1]


# ---- the report -------------------------------------------------------------------------

def test_report_of_counts_alone(tmp_path):
    out = tmp_path / "r"
    r = run_report(COUNTS, "--out", out)
    assert r.returncode == 0, r.stderr
    md = (out / "report.md").read_text()
    seed = md.split("## The seed's table, measured")[1].split("\n## ")[0]
    assert "**Cache Locality**" in seed and "from counts; no timed results given" in seed
    assert "**Cache Locality** (from the seed's list" in md       # its rule, with the others
    assert "## Counts" in md and "valgrind: valgrind-3.19.0" in md
    assert (out / "plots" / "counts-instructions.png").exists()
    assert (out / "plots" / "counts-instructions.svg").exists()
    assert "| `small_fixed/64` | arena (ours) | 9 |" in md          # the gated size first
    assert "No timed results were given with these counts" in md


def test_report_with_counts_from(tmp_path):
    t = timed(tmp_path / "t.json", arena_traverse_ns=3.5, arena_mixed_ns=9.0)
    out = tmp_path / "r"
    r = run_report(t, "--counts-from", COUNTS, "--out", out)
    assert r.returncode == 0, r.stderr
    md = (out / "report.md").read_text()
    seed = md.split("## The seed's table, measured")[1].split("\n## ")[0]
    row = [l for l in seed.splitlines() if "**Cache Locality**" in l][0]
    assert "from counts and times" in row and "**mixed**" in row
    dis = md.split("### Where counts and times disagree")[1].split("\n## ")[0]
    # mixed_sizes: arena 14.4 instructions vs mimalloc's 49.6, but 9 ns vs 8 ns
    assert ("`mixed_sizes`: the arena has fewer instructions per allocation than mimalloc "
            "(14.4 vs 49.6) but a longer time per allocation (9 ns vs 8 ns)") in dis
    assert "`locality`: the arena has fewer simulated D1 misses per node traversed than " \
           "mimalloc (0.09 vs 0.21) but a longer traversal time per node" in dis
    assert "small_fixed/64`: the arena" not in dis          # agrees there
    # the counts are not pooled with the times
    assert "instructions_per_alloc" not in (out / "measurements.csv").read_text()


def test_counts_given_among_the_results_are_set_apart(tmp_path):
    t = timed(tmp_path / "t.json")
    out = tmp_path / "r"
    r = run_report(t, COUNTS, "--out", out)
    assert r.returncode == 0, r.stderr
    md = (out / "report.md").read_text()
    assert "### Where counts and times disagree" in md
    assert "from 2 machines" not in md and "instructions_per_alloc" not in \
        (out / "measurements.csv").read_text()


def test_counts_from_a_directory(tmp_path):
    d = tmp_path / "counts"
    d.mkdir()
    (d / "results.json").write_text(open(COUNTS).read())
    out = tmp_path / "r"
    r = run_report(timed(tmp_path / "t.json"), "--counts-from", d, "--out", out)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("bad,message", [
    ("timed", "--counts-from needs a counts result"),
    ("missing", "no such file"),
    ("malformed", "must be a non-negative number"),
])
def test_bad_counts_from_writes_nothing(tmp_path, bad, message):
    t = timed(tmp_path / "t.json")
    if bad == "timed":
        arg = t
    elif bad == "missing":
        arg = tmp_path / "nope.json"
    else:
        doc = load_counts()
        doc["benchmarks"][0]["instructions_per_alloc"] = "many"
        arg = write_json(tmp_path / "bad.json", doc)
    out = tmp_path / "r"
    r = run_report(t, "--counts-from", arg, "--out", out)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert r.stdout == "" and not os.path.exists(out)


# ---- targets ----------------------------------------------------------------------------

def by_target(results):
    return {r["target"]: r for r in results}


def test_counts_targets_pass_on_the_fixture():
    res = targets.evaluate(load_counts())
    assert len(res) == 3 and all(r["status"] == "pass" for r in res), res
    t = by_target(res)
    ideal = t["small_fixed/64: arena instructions per allocation above ideal_bump's"]
    assert ideal["measured"] == 4 and "arena 9 vs ideal_bump 5" in ideal["detail"]


def test_counts_targets_miss_with_figures():
    doc = load_counts()
    for b in doc["benchmarks"]:
        if b["name"] == "small_fixed/arena/64":
            b["instructions_per_alloc"] = 18.0                  # above pmr_monotonic's 17
        if b["name"] == "locality/arena":
            b["traverse_d1_misses_per_node"] = 0.5
    t = by_target(targets.evaluate(doc))
    ideal = t["small_fixed/64: arena instructions per allocation above ideal_bump's"]
    assert ideal["status"] == "miss" and ideal["measured"] == 13
    low = t["small_fixed/64: arena instructions per allocation lowest of the real allocators"]
    assert low["status"] == "miss" and low["goal"] == "<= pmr_monotonic (17)"
    assert "ideal_bump" not in low["detail"]                    # the limit is not a real allocator
    assert t["locality: arena D1 misses per node traversed lowest of the real allocators"][
        "status"] == "miss"


def test_counts_targets_not_measured():
    doc = load_counts()
    doc["benchmarks"] = [b for b in doc["benchmarks"] if not b["name"].startswith("locality/")
                         and b["name"] != "small_fixed/ideal_bump/64"]
    t = by_target(targets.evaluate(doc))
    assert [r["status"] for r in t.values()] == ["n/a", "pass", "n/a"]


def test_locality_time_target_on_timed_results(tmp_path):
    with open(timed(tmp_path / "a.json", arena_traverse_ns=2.0)) as f:
        fast = json.load(f)
    slow = copy.deepcopy(fast)
    for b in slow["benchmarks"]:
        if b["name"].startswith("locality/arena_"):
            b["traverse_ns_per_node"] = 3.2
    name = "locality: arena traversal time per node at most the best general-purpose heap's"
    r = by_target(targets.evaluate(fast))[name]
    assert r["status"] == "pass" and r["goal"] == "<= mimalloc (3 ns)"
    assert by_target(targets.evaluate(slow))[name]["status"] == "miss"
    assert "instructions" not in " ".join(by_target(targets.evaluate(fast)))   # timed: no counts targets


def test_targets_on_a_real_counts_run():
    """Every counts target has its figures in a real run (pass or miss is a measurement,
    not asserted)."""
    with open(fixture("counts_quick.json")) as f:
        res = targets.evaluate(json.load(f))
    assert len(res) == 3 and all(r["status"] in ("pass", "miss") for r in res), res
    assert all(r["detail"] for r in res)
