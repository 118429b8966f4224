"""Counts mode: the callgrind output parser (arenabench/counts.py) on checked-in dumps and
malformed ones, the bench binaries' --counts outside valgrind, two counts runs of one build
giving identical counts, and scripts/bench --counts end to end.

Fixtures (fixtures/counts/): the three files one real run of
`bench_arena --counts --scale=smoke` for small_fixed/arena/64 wrote under callgrind
(small_fixed.cg.1: the fill, .cg.2: the release, .cg: program termination), paths made
relative; truncated.cg is the fill's dump cut before its totals.
"""
import json
import os
import shutil
import subprocess

import pytest
from conftest import BUILD, PYTHON, SCRIPTS, built, fixture

from arenabench import counts
from arenabench.bench import countrun
from arenabench.errors import InputError
from arenabench.results import load_results

SMALL_FIXED = fixture("counts/small_fixed.cg")
needs_valgrind = pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")


def copy_run(tmp_path, edit=None, which=".1"):
    """The fixture run copied to tmp_path, the part `which` edited by edit(text)."""
    for suffix in ("", ".1", ".2"):
        text = open(SMALL_FIXED + suffix).read()
        if edit is not None and suffix == which:
            text = edit(text)
        (tmp_path / ("run.cg" + suffix)).write_text(text)
    return str(tmp_path / "run.cg")


def test_the_fill_and_release_parts_become_exact_counters():
    found, cache = counts.read_run(SMALL_FIXED, "small_fixed/arena/64")
    # totals: fill   Ir 47491, D1mr 8, D1mw 501, no LL misses; n = 2000 allocations
    #         release Ir 102, D1mr 9, D1mw 4; n = 2000 objects
    assert found == {
        "instructions_per_alloc": 47491 / 2000, "d1_misses_per_alloc": 509 / 2000,
        "ll_misses_per_alloc": 0.0,
        "instructions_per_release": 102 / 2000, "d1_misses_per_release": 13 / 2000,
        "ll_misses_per_release": 0.0,
    }
    assert cache == {"I1": "32768 B, 64 B, 8-way associative",
                     "D1": "32768 B, 64 B, 8-way associative",
                     "LL": "8388608 B, 64 B, 16-way associative"}


def test_dump_files_are_in_part_order_and_termination_is_ignored():
    files = counts.dump_files(SMALL_FIXED)
    assert [os.path.basename(f) for f in files] == ["small_fixed.cg", "small_fixed.cg.1",
                                                    "small_fixed.cg.2"]
    parts = [counts.parse_part(f) for f in files]
    assert [p.phase() for p in parts] == [None, ("", "alloc", 2000), ("", "release", 2000)]
    assert parts[0].trigger == "Program termination"


def test_ll_misses_are_read_and_written_lines_and_trailing_zeros_are_implied(tmp_path):
    def edit(text):
        return text.replace("totals: 47491 10266 10251 6 8 501 6",
                            "totals: 47491 10266 10251 6 8 501 6 30 70")
    found, _ = counts.read_run(copy_run(tmp_path, edit), "x")
    assert found["ll_misses_per_alloc"] == 100 / 2000
    assert found["d1_misses_per_alloc"] == 509 / 2000


def test_a_traverse_phase_gets_its_prefix_and_unit(tmp_path):
    def edit(text):
        return text.replace("arena-counts |release|2000", "arena-counts traverse_|node|500")
    path = copy_run(tmp_path, edit, which=".2")
    found, _ = counts.read_run(path, "x", phases=("|alloc", "traverse_|node"))
    assert found["traverse_instructions_per_node"] == 102 / 500
    assert found["traverse_d1_misses_per_node"] == 13 / 500
    assert found["traverse_ll_misses_per_node"] == 0.0
    assert "instructions_per_release" not in found


def test_a_truncated_dump_is_a_clear_error():
    with pytest.raises(InputError, match=r"truncated\.cg: no 'totals:' line: the dump is cut short"):
        counts.parse_part(fixture("counts/truncated.cg"))


@pytest.mark.parametrize("edit,which,message", [
    (lambda t: t.replace("events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw", "events: Ir")
     .replace("totals: 47491 10266 10251 6 8 501 6", "totals: 47491"),
     ".1", r"events lack D1mr, D1mw, DLmr, DLmw \(events: Ir\): run callgrind with --cache-sim=yes"),
    (lambda t: t.replace("events:", "eventz:"), ".1", r"line \d+: 'totals:' before the 'events:' line"),
    (lambda t: t.replace("events:", "eventz:").replace("totals:", "totalz:"), ".1",
     r"no 'events:' line"),
    (lambda t: t.replace("totals: 47491", "totals: 47x491"), ".1", r"not an integer"),
    (lambda t: t.replace("totals: 47491 10266 10251 6 8 501 6", "totals: " + "1 " * 10), ".1",
     r"'totals:' has 10 values for 9 events"),
    (lambda t: t.replace("|alloc|2000", "alloc 2000"), ".1",
     r"malformed phase description 'alloc 2000' \(expected '<prefix>\|<unit>\|<n>'\)"),
    (lambda t: t.replace("|alloc|2000", "|alloc|0"), ".1", r"phase '\|alloc' has n = 0"),
    (lambda t: t.replace("|release|2000", "|alloc|2000"), ".2", r"phase '\|alloc' counted twice"),
    (lambda t: t.replace("|release|2000", "|other|2000"), ".2",
     r"no arena-counts part for \|release \(was the binary run with --counts\?\)"),
    (lambda t: t.replace("D1 cache: 32768 B", "D1 cache: 65536 B"), ".2", r"cache geometry .* differs"),
    (lambda t: t.replace("desc: LL cache", "desc: XX cache"), ".2", r"no cache geometry"),
    (lambda t: "hello\n" + t.split("\n", 3)[3], ".1", r"not callgrind output"),
])
def test_malformed_dumps_name_the_file_and_the_problem(tmp_path, edit, which, message):
    path = copy_run(tmp_path, edit, which)
    with pytest.raises(InputError, match=message) as e:
        counts.read_run(path, "small_fixed/arena/64")
    assert str(tmp_path) in str(e.value)


def test_no_dump_at_all(tmp_path):
    with pytest.raises(InputError, match="callgrind wrote no output"):
        counts.read_run(str(tmp_path / "none.cg"), "x")


def test_counts_filter_adds_what_google_benchmark_adds_to_the_name():
    assert (countrun.counts_filter("small_fixed/arena/64/manual_time")
            == "^small_fixed/arena/64/iterations:1/repeats:1/manual_time$")
    cmd = countrun.command("bench_arena", "reset_cycles/arena/manual_time", "quick", "o.cg", "o.json")
    assert cmd[:2] == ["valgrind", "-q"]
    for option in ("--tool=callgrind", "--cache-sim=yes", "--collect-atstart=no",
                   "--callgrind-out-file=o.cg"):
        assert option in cmd
    assert cmd[cmd.index("bench_arena") + 1:] == [
        "--counts", "--scale=quick",
        "--benchmark_filter=^reset_cycles/arena/iterations:1/repeats:1/manual_time$",
        "--benchmark_out=o.json", "--benchmark_out_format=json"]


# ---- with the bench binaries -----------------------------------------------------------------

def test_counts_outside_valgrind_exit_2():
    (binary,) = built("bench_malloc")
    r = subprocess.run([binary, "--counts", "--scale=smoke"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "--counts needs valgrind" in r.stderr
    assert "--collect-atstart=no" in r.stderr


# churn/jemalloc_arena differed between runs while jemalloc's time-based purging was on
# (countrun.COUNTS_ENVIRONMENT switches it off).
DETERMINISM = [("arena", "small_fixed/arena/64"), ("malloc", "mixed_sizes/malloc"),
               ("arena", "reset_cycles/arena"), ("jemalloc_arena", "churn/jemalloc_arena")]


@needs_valgrind
def test_two_counts_runs_of_one_build_are_identical():
    binaries = dict(zip(("arena", "malloc", "jemalloc_arena"),
                        built("bench_arena", "bench_malloc", "bench_jemalloc_arena")))
    plan = [(a, binaries[a], name + "/manual_time", name) for a, name in DETERMINISM]
    runs = []
    for parallel in (2, 1):
        lines = []
        document, cache, _ = countrun.count(plan, "smoke", parallel, lines.append)
        assert document is not None, "\n".join(map(str, lines))
        runs.append(({b["name"]: b for b in document["benchmarks"]}, cache))
    (first, cache1), (second, cache2) = runs
    assert cache1 == cache2
    assert sorted(first) == [name for _, name in sorted(DETERMINISM, key=lambda x: x[1])]
    for name, row in first.items():
        keys = [k for k in row if "_per_" in k]
        assert len(keys) == 6, (name, keys)
        assert {k: row[k] for k in keys} == {k: second[name][k] for k in keys}, name
        assert row["checksum"] == second[name]["checksum"]
        assert row["instructions_per_alloc"] > 1
    # The same workload, a bump pointer versus glibc: the arena executes far fewer
    # instructions per allocation (a sanity check on what is counted, not a target).
    assert first["small_fixed/arena/64"]["instructions_per_alloc"] < 60


@needs_valgrind
def test_a_failing_benchmark_process_fails_the_run_naming_it():
    lines = []
    plan = [("arena", "/bin/false", "small_fixed/arena/64/manual_time", "small_fixed/arena/64")]
    document, _, _ = countrun.count(plan, "smoke", 1, lines.append)
    assert document is None
    assert "FAILED: small_fixed/arena/64 under callgrind: exit status 1" in lines


@needs_valgrind
def test_scripts_bench_counts_writes_results_in_the_timed_format(tmp_path):
    out = tmp_path / "out"
    r = subprocess.run([PYTHON, os.path.join(SCRIPTS, "bench"), "--counts", "--quick",
                        "--allocators", "arena,malloc", "--build-dir", BUILD, "--filter",
                        r"^(small_fixed/(arena|malloc)/64|small_fixed_mt/arena/64/threads:1)$",
                        "--out", str(out)], capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "== counting 2 benchmarks once each under callgrind (quick scale" in r.stdout
    assert "1 multi-threaded left out" in r.stdout
    assert sorted(os.listdir(out)) == ["results.json"]
    run = load_results(str(out / "results.json"))
    assert sorted(row.name for row in run.rows) == ["small_fixed/arena/64", "small_fixed/malloc/64"]
    suite = run.suite
    assert suite["mode"] == "counts" and suite["repetitions"] == 1 and suite["quick"] is True
    assert suite["counts"]["valgrind"].startswith("valgrind-")
    assert set(suite["counts"]["cache"]) == {"I1", "D1", "LL"}
    assert "--cache-sim=yes" in suite["counts"]["options"]
    assert suite["not_counted"]["benchmarks"] == ["small_fixed_mt/arena/64/threads:1"]
    for row in run.rows:
        assert row.values["allocs"] == 20000
        for key in ("instructions_per_alloc", "d1_misses_per_alloc", "ll_misses_per_alloc",
                    "instructions_per_release"):
            assert key in row.values, (row.name, key)
        assert "ns_per_alloc" not in row.values
    doc = json.load(open(out / "results.json"))
    assert doc["context"]["arena_bench_mode"] == "counts"


def test_counts_arguments(tmp_path):
    bench = os.path.join(SCRIPTS, "bench")
    for argv, message in ((["--jobs", "2"], "--jobs only applies to --counts"),
                          (["--counts", "--jobs", "0"], "--jobs must be at least 1")):
        r = subprocess.run([PYTHON, bench, *argv, "--out", str(tmp_path / "o")],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 2, (argv, r.stderr)
        assert message in r.stderr
