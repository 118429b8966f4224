"""The package's shared core (arenabench): the allocator catalogue and where the tools take
it from, the statistics, names, atomic writes and finding built binaries."""
import json
import os
import time

import pytest
from conftest import ROOT, fixture, make_results

from arenabench import atomic, catalogue, cmake, names, stats, workloads
from arenabench.bench import context
from arenabench.errors import InputError
from arenabench.report.dataset import group_by_machine
from arenabench.results import load_results

# The reports' fixed order, labels and colours as they were before competitors/catalogue.txt
# became the one list (moving them there changed nothing), with the peer arena libraries
# after the limit.
PEERS = {"llvm_bump": ("LLVM BumpPtrAllocator", "#7F3C8D"), "obstack": ("GNU obstack", "#11A579"),
         "apr_pool": ("APR pool", "#3969AC"), "protobuf_arena": ("protobuf Arena", "#F2B701"),
         "foonathan_stack": ("foonathan memory stack", "#E73F74"),
         "talloc_pool": ("talloc pool", "#80BA5A"), "jemalloc_arena": ("jemalloc arena", "#008695")}
ORDER = ["arena", "ideal_bump", *PEERS, "pmr_monotonic", "mimalloc_heap", "mimalloc",
         "jemalloc", "tcmalloc", "malloc", "boehm"]
LABELS = {**{p: label for p, (label, _) in PEERS.items()}, "arena": "arena (ours)", "ideal_bump": "ideal bump (limit)",
          "pmr_monotonic": "std::pmr monotonic", "mimalloc_heap": "mimalloc heap",
          "mimalloc": "mimalloc", "jemalloc": "jemalloc", "tcmalloc": "tcmalloc",
          "malloc": "glibc malloc", "boehm": "Boehm GC"}
COLOURS = {**{p: colour for p, (_, colour) in PEERS.items()}, "arena": "#D55E00", "ideal_bump": "#B0B0B0", "pmr_monotonic": "#E69F00",
           "mimalloc_heap": "#56B4E9", "mimalloc": "#0072B2", "jemalloc": "#009E73",
           "tcmalloc": "#CC79A7", "malloc": "#303030", "boehm": "#8C564B"}


# ---- the catalogue ----------------------------------------------------------------------

def test_catalogue_file_gives_the_fixed_order_labels_and_colours():
    cat = catalogue.load()
    assert cat.source == os.path.join(ROOT, "competitors", "catalogue.txt")
    assert cat.names == ORDER
    assert {a: cat.label(a) for a in ORDER} == LABELS
    assert {a: cat.colour(a) for a in ORDER} == COLOURS
    assert (cat.arena, cat.limit, cat.gc) == ("arena", "ideal_bump", "boehm")
    assert set(cat.manual) == {"malloc", "mimalloc", "jemalloc", "tcmalloc"}
    assert set(cat.region_peers) == {"pmr_monotonic", "mimalloc_heap"}
    assert cat.peer_arenas == list(PEERS)
    assert cat.hatch("ideal_bump") and not cat.hatch("arena")


def test_unknown_allocators_come_last_with_colours_of_their_own():
    cat = catalogue.load()
    seen = ["arena_phase_reset", "malloc", "newcomer", "arena"]
    assert cat.order(seen) == ["arena", "malloc", "arena_phase_reset", "newcomer"]
    assert cat.label("newcomer") == "newcomer"
    colours = {cat.colour(a, seen) for a in seen}
    assert len(colours) == 4 and cat.colour("arena_phase_reset", seen) not in COLOURS.values()


@pytest.mark.parametrize("line,words", [
    ("a|b|c", "3 fields"),
    ("x |x.h |X |x |#000 |boss |", "role 'boss'"),
])
def test_bad_catalogue_lines_are_refused(line, words):
    with pytest.raises(catalogue.CatalogueError) as e:
        catalogue.parse("# header\n" + line + "\n", "cat.txt")
    assert "cat.txt:2" in str(e.value) and words in str(e.value)


def test_bench_records_the_catalogue_in_the_results_context(tmp_path):
    suite = context.suite_context(ROOT, str(tmp_path), ["--quick"], 3, True, ["arena"],
                                  catalogue.load())
    recorded = catalogue.from_context(json.loads(json.dumps(suite["catalogue"])), "results")
    assert recorded.names == ORDER and recorded.label("malloc") == "glibc malloc"
    assert suite["command"] == "scripts/bench --quick"


def _recorded(**changes):
    entries = catalogue.load().as_context()
    for e in entries:
        e.update(changes.get(e["name"], {}))
    return entries


def test_the_report_takes_the_catalogue_from_the_results(tmp_path):
    benches = {("small_fixed", a, "64"): {"ns_per_alloc": 2.0} for a in ("malloc", "arena")}
    suite = {"machine": {"cpu_model": "Test CPU", "cores": 2},
             "catalogue": _recorded(malloc={"label": "the C library's malloc"})}
    run = load_results(make_results(tmp_path / "new.json", benches, suite=suite))
    md, = group_by_machine([run])
    assert md.catalogue.label("malloc") == "the C library's malloc"
    assert md.allocators() == ["arena", "malloc"]
    # results that predate the recorded catalogue: competitors/catalogue.txt
    old = load_results(make_results(tmp_path / "old.json", benches))
    assert old.catalogue is None
    md, = group_by_machine([old])
    assert md.catalogue.label("malloc") == "glibc malloc"
    # the reference results predate it too
    ref = load_results(os.path.join(ROOT, "reports", "reference", "results.json"))
    assert group_by_machine([ref])[0].catalogue.names == ORDER


def test_a_malformed_recorded_catalogue_is_bad_input(tmp_path):
    suite = {"catalogue": [{"name": "arena", "label": "arena"}]}
    path = make_results(tmp_path / "r.json", {("small_fixed", "arena", "64"): {"ns_per_alloc": 1.0}},
                        suite=suite)
    with pytest.raises(InputError) as e:
        load_results(path)
    assert str(path) in str(e.value) and "catalogue[0] has no 'colour'" in str(e.value)


def test_workload_order_and_registered_names():
    assert workloads.order(["trace_replay", "zeta", "json_dom", "small_fixed"]) == \
        ["small_fixed", "json_dom", "trace_replay", "zeta"]
    registered = workloads.names(["arena", "malloc"])
    assert "capacity_sweep/arena/4096" in registered and "trace_replay/arena_phase_reset/sqlite" in registered
    assert not any(n.startswith("capacity_sweep/malloc") for n in registered)


# ---- statistics -------------------------------------------------------------------------

def test_u_test_is_gbench_mann_whitney():
    from scipy.stats import mannwhitneyu
    a, b = [10.0, 11.0, 12.0, 13.0], [14.0, 15.0, 16.0, 12.5]
    assert stats.utest(a, b) == pytest.approx(mannwhitneyu(a, b, alternative="two-sided").pvalue)
    assert stats.utest([1.0], b) is None
    p = stats.utest_pvalues({"x": [(v, v) for v in a]}, {"x": [(v, v) for v in b]})
    assert p["x"][0] == pytest.approx(stats.utest(a, b)) and p["x"][1] is False


def test_the_five_percent_rule():
    items = [(4096, 130.0), (16384, 104.0), (65536, 100.0), (262144, 102.0)]
    pick, best = stats.smallest_near_best(items, time=lambda i: i[1], size=lambda i: i[0])
    assert pick == (16384, 104.0) and best == (65536, 100.0)
    assert stats.near_best(105.0, 100.0) and not stats.near_best(105.1, 100.0)


# ---- names, atomic writes, built binaries -------------------------------------------------

def test_clean_name_drops_every_timing_suffix():
    assert names.clean_name("churn/arena/real_time") == "churn/arena"
    assert names.clean_name("churn/arena/process_time/threads:2") == "churn/arena/threads:2"
    assert names.parse_name("small_fixed/arena/64/min_time:0.010") == ("small_fixed", "arena", "64")


def test_write_text_atomic(tmp_path):
    path = tmp_path / "targets.md"
    atomic.write_text_atomic(str(path), "| table |\n")
    with pytest.raises(ZeroDivisionError):
        atomic.write_atomic(str(path), lambda f: (f.write("half"), 1 / 0))
    assert path.read_text() == "| table |\n" and os.listdir(tmp_path) == ["targets.md"]


def test_atomic_files_get_the_mode_of_a_new_file_not_mkstemps_0600(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_UMASK", 0o022)   # the process' umask, as read at import
    path = tmp_path / "results.json"
    atomic.write_json_atomic(str(path), {"benchmarks": []})
    atomic.write_atomic(str(tmp_path / "plot.png"), lambda f: f.write(b"png"), binary=True)
    assert os.stat(path).st_mode & 0o777 == 0o644
    assert os.stat(tmp_path / "plot.png").st_mode & 0o777 == 0o644


def test_find_takes_the_newest_built_file_outside_cmake_files(tmp_path):
    old = tmp_path / "workloads" / "trace" / "bench_arena_tune"
    new = tmp_path / "scripts" / "tuner" / "bench_arena_tune"
    internal = tmp_path / "CMakeFiles" / "bench_arena_tune"
    for p in (old, new, internal):
        p.parent.mkdir(parents=True)
        p.write_text("")
    now = time.time()
    os.utime(old, (now - 60, now - 60))
    os.utime(internal, (now + 60, now + 60))
    assert cmake.find(str(tmp_path), "bench_arena_tune") == str(new)
    assert cmake.find(str(tmp_path), "nothing", required=False) is None
    with pytest.raises(cmake.Failure):
        cmake.find(str(tmp_path), "nothing")


def test_the_fixtures_predate_the_recorded_catalogue():
    """The test fixtures exercise the fallback to competitors/catalogue.txt."""
    assert load_results(fixture("bench_quick.json")).catalogue is None
