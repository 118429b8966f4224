"""scripts/tune --run [--sweep] -- PROGRAM: the arenas of a real program.

Most tests run fixtures/fake_arena_program.py, a stand-in that writes the library's
arena-stats JSON (version 1) to ARENA_STATS and honours ARENA_CAPACITY, so they do not
depend on the library; one test runs the real example program (arena/examples/two_sites)
end to end, built by the tests (ARENA_BUILD_DIR, default build/bench).
"""
import json
import os
import random
import subprocess

import pytest
from conftest import BUILD, PYTHON, SCRIPTS, bad_arguments_test, fixture

from arenabench.errors import Failure
from arenabench.tune import analysis, program, run

TUNE = f"{SCRIPTS}/tune"
FAKE = fixture("fake_arena_program.py")
CONTRACT = fixture("arena_stats_v1.json")


def tune(*args, timeout=600):
    return subprocess.run([PYTHON, TUNE, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def doc_of(out):
    with open(out / "tune-run.json") as f:
        return json.load(f)


# ---- --run ------------------------------------------------------------------------------------

def test_run_prints_each_site_with_its_suggestion_and_call(tmp_path):
    r = tune("--run", "--out", tmp_path, "--", FAKE)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "3 arena creation sites" in out
    assert "site 1/3: parse_file" in out
    # The fake's parse_file: peak 300000 bytes, 3 arenas of 7 blocks from 4 KiB.
    assert "observed peak   293 KiB (300000 bytes" in out
    assert "suggestion      296 KiB: avoids 18 of 21 upstream allocations" in out
    assert "write           arena_create(303104)" in out
    assert "ARENA_CAPACITY=parse_file=296K" in out
    assert "arena_create_child(parent, 20480)" in out        # the child site
    assert "ARENA_CAPACITY_CHILDREN=1 ARENA_CAPACITY=node_pool=20K" in out
    doc = doc_of(tmp_path)
    assert doc["format"] == "arena-tune-run" and doc["stats"]["format"] == "arena-stats"
    by = {s["site"]: s for s in doc["sites"]}
    assert by["parse_file"]["call"] == "arena_create(303104)"
    assert by["parse_file"]["location"] is None               # no debug information: the name
    assert "sweep" not in doc
    assert sorted(os.listdir(tmp_path)) == ["tune-run.json"]


@pytest.mark.parametrize("args,message", [
    (["--exit", "5"], "exited with status 5"),
    (["--kill"], "was killed by signal 15 (SIGTERM)"),
    (["--no-stats"], "wrote no arena statistics"),
])
def test_program_failure_is_reported_with_its_status(tmp_path, args, message):
    out = tmp_path / "out"
    r = tune("--run", "--out", out, "--", FAKE, *args)
    assert r.returncode == 1
    assert message in r.stderr
    assert not out.exists()                                   # no output at all


def test_program_failure_during_the_sweep_names_the_setting(tmp_path):
    out = tmp_path / "out"
    r = tune("--run", "--sweep", "--site", "parse_file", "--capacities", "64K,256K",
             "--rounds", "1", "--repetitions", "1", "--out", out, "--", FAKE, "--fail-at", "256K")
    assert r.returncode == 1
    assert "exited with status 3" in r.stderr and "ARENA_CAPACITY=parse_file=256K" in r.stderr
    assert "fake: failing as asked" in r.stderr               # the program's own stderr
    assert not out.exists()


def test_unwritable_out(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    r = tune("--run", "--out", f, "--", FAKE)
    assert r.returncode == 2 and "not a directory" in r.stderr
    if os.geteuid() != 0:                                     # root writes anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        try:
            r = tune("--run", "--out", ro / "out", "--", FAKE)
            assert r.returncode == 2 and "not writable" in r.stderr
            assert os.listdir(ro) == []
        finally:
            ro.chmod(0o755)


test_bad_arguments = bad_arguments_test(tune, [
    (["--run"], "--run needs the program"),
    (["--run", "--"], "--run needs the program"),
    (["--run", "--", "/nonexistent/program"], "no such program"),
    (["--run", "mixed_sizes", "--", FAKE], "not a workload"),
    (["--run", "--growth", "2", "--", FAKE], "--growth does not apply"),
    (["--run", "--capacities", "4K,lots", "--", FAKE], "bad size"),
    (["--run", "--rounds", "0", "--", FAKE], "--rounds"),
    (["--run", "--repetitions", "101", "--", FAKE], "--repetitions"),
    (["--run", "--global", "--", FAKE], "need --sweep"),
    (["--run", "--sweep", "--global", "--site", "render", "--", FAKE], "--global sets"),
    (["mixed_sizes", "--sweep"], "--sweep needs --run"),
    (["--", FAKE], "needs --run"),
])


def test_unknown_site(tmp_path):
    r = tune("--run", "--sweep", "--site", "nope", "--out", tmp_path / "o", "--", FAKE)
    assert r.returncode == 2 and "no such creation site" in r.stderr and "parse_file" in r.stderr
    assert not (tmp_path / "o").exists()


# ---- --sweep -----------------------------------------------------------------------------------

def test_sweep_per_site_passes_over_a_significantly_slower_capacity(tmp_path):
    """The fake is 300 ms slower when parse_file's capacity is 1 MiB or more: the
    noise-free choice (1 MiB: fewest upstream allocations) is passed over for the next
    one in noise-free order, 256 KiB. Nine runs per setting."""
    r = tune("--run", "--sweep", "--site", "parse_file", "--capacities", "256K,1M",
             "--rounds", "3", "--repetitions", "3", "--out", tmp_path, "--", FAKE,
             "--slow-from", "1M")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = doc_of(tmp_path)
    (site,) = doc["sweep"]["sites"]
    assert site["site"] == "parse_file"
    assert site["noise_free_capacity"] == 1 << 20
    assert site["recommended_capacity"] == 256 << 10
    assert site["passed_over"][0]["capacity"] == 1 << 20
    by = {s["setting"]: s for s in site["settings"]}
    assert set(by) == {"as asked", "256K", "1M"}
    assert all(len(s["times_ns"]) == 9 and len(s["rss_bytes"]) == 9 for s in by.values())
    assert by["as asked"]["upstream_allocations"] == 21 and by["1M"]["upstream_allocations"] == 3
    assert by["256K"]["committed_bytes"] == 768 << 10
    assert "recommended: arena_create(262144)" in r.stdout
    assert "significantly faster" in r.stdout
    for ext in ("png", "svg"):
        assert (tmp_path / f"tune-run.{ext}").stat().st_size > 5_000
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".")]   # no temporaries left


def _sweep_recommendations(tmp_path, name, *extra):
    out = tmp_path / name
    r = tune("--run", "--sweep", "--rounds", "2", "--repetitions", "2", "--out", out, *extra,
             "--", FAKE, "--noise")
    assert r.returncode == 0, r.stdout + r.stderr
    return {s["site"]: s["recommended_capacity"] for s in doc_of(out)["sweep"]["sites"]}


def test_two_sweeps_recommend_the_same(tmp_path):
    """Two runs of the same program, whose times are noise: the same recommendation,
    the one the noise-free figures give."""
    args = ("--capacities", "16K,64K,256K,1M")
    first = _sweep_recommendations(tmp_path, "a", *args)
    second = _sweep_recommendations(tmp_path, "b", *args)
    assert first == second == {"parse_file": 1 << 20, "render": 64 << 10}


def test_global_sweep_default_capacities_include_the_suggestion(tmp_path):
    out = tmp_path / "g"
    r = tune("--run", "--sweep", "--global", "--rounds", "1", "--repetitions", "2", "--out", out,
             "--", FAKE)
    assert r.returncode == 0, r.stdout + r.stderr
    sweep = doc_of(out)["sweep"]
    assert sweep["mode"] == "global"
    by = {s["site"]: s for s in sweep["sites"]}
    assert set(by) == {"parse_file", "render"}                # child sites: --children
    caps = {s["override"] for s in by["parse_file"]["settings"]}
    assert 303104 in caps and None in caps                    # the largest suggestion, as asked
    # Global capacities: the smallest that gives parse_file one block per arena.
    assert by["parse_file"]["recommended_capacity"] == 303104


# ---- the pieces ---------------------------------------------------------------------------------

def test_contract_fixture_is_read_and_summarised():
    doc = program.load_stats(CONTRACT)
    sites = [run.site_summary(s) for s in doc["sites"]]
    assert [s["call"] for s in sites] == ["arena_create(20480)", "arena_create_child(parent, 8192)",
                                          "arena_create(12288)"]
    assert sites[0]["try"] == "ARENA_CAPACITY=parse_file=20K"
    # A site without a symbol is named object+offset, the object by its basename.
    assert program.capacity_name(doc["sites"][1]) == "libfoo.so+0x2f10"
    assert all(s["location"] is None for s in sites)          # no such objects here


@pytest.mark.parametrize("mutate,why", [
    (lambda d: d.update(format="other"), "format"),
    (lambda d: d.update(version=2), "version 2"),
    (lambda d: d.pop("sites"), "sites"),
    (lambda d: d["sites"][0].pop("suggested_initial_capacity"), "suggested_initial_capacity"),
    (lambda d: d["sites"][1].update(arenas="3"), "arenas"),
])
def test_stats_that_are_not_the_contract_are_refused(mutate, why):
    with open(CONTRACT) as f:
        doc = json.load(f)
    mutate(doc)
    with pytest.raises(Failure) as e:
        program.check_stats(doc, "x.json")
    assert why in str(e.value)


def test_sizes_as_arena_capacity_reads_them():
    assert program.size_text(65536) == "64K"
    assert program.size_text(3 << 20) == "3M"
    assert program.size_text(1 << 30) == "1G"
    assert program.size_text(5000) == "5000"


def test_sweep_capacities_are_powers_of_four_around_the_suggestion():
    caps = run.sweep_capacities(303104)
    assert 303104 in caps and caps == sorted(caps)
    assert [c for c in caps if c != 303104] == [4096, 16384, 65536, 262144, 1 << 20]
    assert run.sweep_capacities(0)[0] == 4096


def test_status_words():
    assert program.describe_status(3) == "exited with status 3"
    assert program.describe_status(-11) == "was killed by signal 11 (SIGSEGV)"


def test_source_line_of_an_object_without_debug_information():
    assert program.source_line("/nonexistent", "0x10") is None
    assert program.source_line(FAKE, "0x10") is None          # not even ELF
    assert program._load_base("/bin/true") in (0, 0x400000)


@pytest.mark.parametrize("seed", range(10))
def test_run_recommendation_is_deterministic_given_the_noise_free_figures(seed):
    """analyse_site on runs whose times are shuffled noise: always the noise-free choice."""
    rng = random.Random(seed)
    summary = {"object": "/p", "offset": "0x1", "capacity_name": "s",
               "suggested_initial_capacity": 300_000}
    figures = {None: (4096, 21, 520_000), 65536: (65536, 9, 458_752),
               262144: (262144, 6, 786_432), 1 << 20: (1 << 20, 3, 1 << 20)}
    pool = [rng.gauss(100e6, 15e6) for _ in range(9 * len(figures))]
    picks = set()
    for _ in range(2):
        rng.shuffle(pool)
        runs = {}
        for k, (cap, (used, up, com)) in enumerate(figures.items()):
            site = {"object": "/p", "offset": "0x1", "capacity_used": used,
                    "upstream_allocations": up, "committed_bytes": com, "abandoned_bytes": 0}
            runs[("s" if cap else None, cap)] = [
                program.Run(int(t), 50 << 20, 1000, {"sites": [site]}, 0)
                for t in pool[9 * k:9 * k + 9]]
        _, rec = run.analyse_site(summary, runs, False)
        picks.add(rec.capacity)
    assert picks == {1 << 20}
    assert analysis.RULE.startswith("fewest upstream allocations")


# ---- end to end: the library's example program ---------------------------------------------

EXAMPLE_SOURCE = os.path.join(SCRIPTS, os.pardir, "arena", "examples", "two_sites.c")


@pytest.fixture(scope="module")
def two_sites():
    """arena/examples/two_sites, built in ARENA_BUILD_DIR with the library."""
    if not os.path.exists(EXAMPLE_SOURCE):
        pytest.skip("arena/examples/two_sites.c is not in this tree (the library's ARENA_STATS "
                    "example)")
    from conftest import built
    return built("two_sites")[0]


def test_example_program_end_to_end(tmp_path, two_sites):
    """--run on the real library's JSON, then a reduced --sweep: at the library's
    suggestion every parse_file arena makes one upstream allocation."""
    r = tune("--run", "--out", tmp_path / "run", "--", two_sites)
    assert r.returncode == 0, r.stdout + r.stderr
    doc = doc_of(tmp_path / "run")
    by = {s["site"]: s for s in doc["sites"]}
    assert set(by) == {"parse_file", "render"}
    pf = by["parse_file"]
    assert pf["arenas"] == 3 and pf["upstream_allocations"] == 9
    sugg = pf["suggested_initial_capacity"]
    assert sugg >= pf["peak_used_since_reset"] > 0
    assert f"write           arena_create({sugg})" in r.stdout
    assert doc["run"]["maxrss_bytes"] > 0
    if program.gnu_time():      # the program's own peak, not the tuner's (tens of MiB)
        assert doc["run"]["maxrss_bytes"] < 16 << 20

    caps = ",".join(program.size_text(c) for c in (8192, sugg, 4 * sugg))
    r = tune("--run", "--sweep", "--site", "parse_file", "--capacities", caps, "--rounds", "1",
             "--repetitions", "2", "--out", tmp_path / "sweep", "--", two_sites)
    assert r.returncode == 0, r.stdout + r.stderr
    (site,) = doc_of(tmp_path / "sweep")["sweep"]["sites"]
    settings = {s["override"]: s for s in site["settings"]}
    assert settings[sugg]["upstream_allocations"] == pf["arenas"]
    assert settings[None]["upstream_allocations"] == 9
    assert site["recommended_capacity"] == sugg             # time cannot count with 2 runs
    assert (tmp_path / "sweep" / "tune-run.png").stat().st_size > 5_000


def test_example_program_with_debug_information_gets_file_and_line(tmp_path, two_sites):
    """two_sites.c compiled with -g against the built library: addr2line names the line
    of each arena_create call."""
    import shutil
    if not shutil.which("cc") or not shutil.which("addr2line"):
        pytest.skip("needs cc and addr2line (binutils)")
    from arenabench import cmake
    lib = cmake.find(BUILD, "libarena.a")                   # built with two_sites
    exe = tmp_path / "two_sites_g"
    include = os.path.join(SCRIPTS, os.pardir, "arena", "include")
    subprocess.run(["cc", "-g", "-O1", "-rdynamic", "-I", include, EXAMPLE_SOURCE, lib,
                    "-lstdc++", "-lpthread", "-ldl", "-o", exe], check=True)
    r = tune("--run", "--out", tmp_path / "out", "--", exe)
    assert r.returncode == 0, r.stdout + r.stderr
    with open(EXAMPLE_SOURCE) as f:
        source = f.read().splitlines()
    for s in doc_of(tmp_path / "out")["sites"]:
        path, line = s["location"].rsplit(":", 1)
        assert path.endswith("two_sites.c")
        assert "arena_create" in source[int(line) - 1], (s["site"], source[int(line) - 1])
        assert f"{s['site']} at {s['location']}" in r.stdout


def test_without_gnu_time_wait4_measures_the_program(monkeypatch):
    """Without GNU time the figures come from os.wait4 (the peak RSS then includes the
    tuner's own image at fork; the run itself works the same)."""
    monkeypatch.setattr(program, "_gnu_time", "")
    r = program.run_once([FAKE])
    assert r.maxrss_bytes > 0 and r.page_faults > 0 and r.wall_ns > 0
    assert [s["site"] for s in r.stats["sites"]][0] == "parse_file"
    with pytest.raises(program.ProgramFailed) as e:
        program.run_once([FAKE, "--kill"])
    assert "killed by signal 15" in str(e.value)
