"""The counts gate on real counts: an injected regression is flagged, an A/A pair never is.

bench_arena_extra_cost (tests/CMakeLists.txt) is bench_arena compiled with
ARENA_TEST_FASTPATH_EXTRA_COST=4: four nops in the arena's inline fast path, on every
allocation (arena.h). Its benchmarks keep bench_arena's names. Both binaries come from one
build directory (same flags), and a few arena benchmarks are counted at smoke scale under
callgrind, the way scripts/bench --counts counts them (bench/countrun.py's valgrind command,
counts.py's reading of callgrind's output). Then scripts/compare must:
  - flag the costly binary against the normal one, naming both figures, with the increase
    on small_fixed/arena/64 being the four nops (one per instruction);
  - pass two runs of the normal binary (A/A), whose counts are identical;
  - pass the costly binary against itself and the normal one against the costly one.

Needs valgrind and a build with the tests (ARENA_BUILD_TESTS=ON): ARENA_BUILD_DIR when it
is one, else build/gate-tests beside it, configured here.
"""
import json
import os
import re
import subprocess
import time

import pytest
from conftest import BUILD, PYTHON, ROOT, SCRIPTS

from arenabench import cmake, counts
from arenabench.bench import countrun
from arenabench.names import parse_name

BENCHMARKS = ["small_fixed/arena/64", "mixed_sizes/arena", "reset_cycles/arena"]
EXTRA = 4                    # ARENA_TEST_FASTPATH_EXTRA_COST of bench_arena_extra_cost


def _tests_build_dir():
    cache = os.path.join(BUILD, "CMakeCache.txt")
    if os.path.exists(cache) and re.search(r"^ARENA_BUILD_TESTS:BOOL=ON$", open(cache).read(), re.M):
        return BUILD
    return os.path.join(os.path.dirname(os.path.abspath(BUILD)), "gate-tests")


@pytest.fixture(scope="module")
def binaries():
    try:
        countrun.valgrind_version()
    except Exception as e:                     # noqa: BLE001 - skipped with the reason
        pytest.skip(f"valgrind: {e}")
    build = _tests_build_dir()
    if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
        r = subprocess.run(["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                            "-DARENA_BUILD_TESTS=ON", "-DARENA_BUILD_BENCHMARKS=ON"],
                           stdout=subprocess.DEVNULL)
        assert r.returncode == 0, f"configuring {build} failed"
    cmake.build(build, ["bench_arena", "bench_arena_extra_cost"])
    found = cmake.find_all(build, ["bench_arena", "bench_arena_extra_cost"])
    return found["bench_arena"], found["bench_arena_extra_cost"]


def _name(gb_name):
    w, a, p = parse_name(gb_name.replace("/manual_time", ""))
    return "/".join(x for x in (w, a, p) if x)


def count(binary, out_dir):
    """Counts BENCHMARKS of one binary (one callgrind process each, as scripts/bench
    --counts does) into out_dir/results.json, in the counts results format."""
    os.makedirs(out_dir, exist_ok=True)
    listed = {_name(gb): gb for gb in cmake.list_benchmarks(binary, "smoke")}
    rows, cache = [], None
    for i, name in enumerate(BENCHMARKS):
        stem = os.path.join(out_dir, f"{i:02d}")
        cmd = countrun.command(binary, listed[name], "smoke", stem + ".cg", stem + ".json")
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, f"{name}: {r.stderr[-2000:]}"
        found, cache = counts.read_run(stem + ".cg", name)
        with open(stem + ".json") as f:
            doc = json.load(f)
        mine = [b for b in doc["benchmarks"] if _name(b["name"]) == name]
        assert len(mine) == 1, [b["name"] for b in doc["benchmarks"]]
        row = dict(mine[0], name=name, run_name=name, **found)
        rows.append(row)
    result = {"context": dict(doc["context"], arena_suite={
        "mode": "counts", "quick": False,
        "counts": {"valgrind": countrun.valgrind_version(), "cache": cache,
                   "options": list(countrun.VALGRIND_OPTIONS)}}),
        "benchmarks": rows}
    path = os.path.join(out_dir, "results.json")
    with open(path, "w") as f:
        json.dump(result, f)
    return path


def compare(*args):
    return subprocess.run([PYTHON, f"{SCRIPTS}/compare", *map(str, args)], capture_output=True,
                          text=True, timeout=120)


def ipa(path):
    with open(path) as f:
        return {b["name"]: b["instructions_per_alloc"] for b in json.load(f)["benchmarks"]}


@pytest.fixture(scope="module")
def runs(binaries, tmp_path_factory):
    normal, costly = binaries
    base = tmp_path_factory.mktemp("counts")
    started = time.monotonic()
    out = {"a1": count(normal, str(base / "a1")), "a2": count(normal, str(base / "a2")),
           "b": count(costly, str(base / "b"))}
    print(f"\ncounted 3 x {len(BENCHMARKS)} benchmarks in {time.monotonic() - started:.0f} s")
    for k, path in out.items():
        print(k, ipa(path))
    return out


def test_a_a_never_flags(runs):
    for a, b in (("a1", "a2"), ("a2", "a1")):
        r = compare(runs[a], runs[b])
        assert r.returncode == 0, r.stdout + r.stderr
        assert "REGRESSION" not in r.stdout and "warning" not in r.stdout
    assert ipa(runs["a1"]) == ipa(runs["a2"])        # counts are exact: identical, not close
    r = compare(runs["a1"], runs["a2"], "--threshold", "0")
    assert r.returncode == 0, r.stdout


def test_injected_extra_cost_is_flagged(runs):
    r = compare(runs["a1"], runs["b"])
    assert r.returncode == 1, r.stdout + r.stderr
    fail = r.stdout.split("FAIL:")[1]
    flagged = [l.split(":")[0].strip() for l in fail.splitlines()[1:] if l.strip()]
    assert "small_fixed/arena/64" in flagged
    old, new = ipa(runs["a1"]), ipa(runs["b"])
    name = "small_fixed/arena/64"
    assert f"{name}: {old[name]:.5g} -> {new[name]:.5g} instructions per allocation" in fail
    # every allocation of small_fixed goes through the fast path: the increase is the nops
    assert new[name] - old[name] == pytest.approx(EXTRA, abs=0.05)
    for n in BENCHMARKS:
        assert new[n] > old[n]


def test_the_reverse_and_the_costly_build_against_itself_pass(runs):
    r = compare(runs["b"], runs["a1"])
    assert r.returncode == 0 and "fewer" in r.stdout, r.stdout
    r = compare(runs["b"], runs["b"])
    assert r.returncode == 0, r.stdout
