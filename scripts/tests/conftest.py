"""Shared fixtures: paths, running the tools, built binaries, and reports built once per
session.

Other suites in this directory import FIXTURES, PYTHON, ROOT and SCRIPTS from here: keep
those names.

Nothing here depends on how pytest was started: paths are absolute (any working
directory), every tool runs with the default disposition of SIGINT and SIGTERM (a run
started with SIGINT ignored, as nohup or a background job does, passes on neither), and
the binaries a test needs are built for it (in ARENA_BUILD_DIR, default build/bench, the
tools' own default) rather than expected to be there.
"""
import json
import os
import signal
import subprocess
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.dirname(TESTS)
ROOT = os.path.dirname(SCRIPTS)
FIXTURES = os.path.join(TESTS, "fixtures")
REPORT = os.path.join(SCRIPTS, "report")
PYTHON = "/usr/bin/python3"
sys.path.insert(0, SCRIPTS)

from arenabench import cmake  # noqa: E402

BUILD = os.environ.get("ARENA_BUILD_DIR", cmake.DEFAULT_BUILD_DIR)


def default_signals():
    """preexec_fn for a process a test will signal: SIGINT and SIGTERM at their default
    disposition and unblocked, whatever pytest itself was started with."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


_built = {}


def built(*filenames, targets=None):
    """Paths of built files in BUILD, building their targets first (once per session)."""
    key = (tuple(filenames), tuple(targets or filenames))
    if key not in _built:
        try:
            _built[key] = cmake.build_and_find(BUILD, list(targets or filenames), list(filenames))
        except cmake.Failure as e:
            pytest.fail(f"cannot build {', '.join(targets or filenames)}: {e}")
    return _built[key]


def fixture(name):
    return os.path.join(FIXTURES, name)


def bad_arguments_test(run, cases):
    """A test of a tool's usage errors: cases [(arguments, message)]; each run must exit 2
    with the message on stderr."""
    @pytest.mark.parametrize("args,message", cases)
    def test(args, message):
        r = run(*args)
        assert r.returncode == 2
        assert message in r.stderr
    return test


def run_report(*args):
    """Runs scripts/report in a subprocess; returns CompletedProcess (text)."""
    return subprocess.run([PYTHON, REPORT, *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def write_json(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f)
    return str(path)


# Fixtures written by the project's own scripts/bench (trimmed with fixtures/trim.py).
BENCH_FIXTURES = ["bench_quick.json"]


# The reports most tests read, built once per session and concurrently (the machine has
# 2 cores; matplotlib is single-threaded).
SESSION_REPORTS = {
    "main": [fixture("synthetic_run.json"), "--baseline", fixture("synthetic_baseline.json")],
    "bench": [fixture(BENCH_FIXTURES[0])],
    "multi": [fixture("synthetic_run.json"), fixture("synthetic_run_repeat.json"),
              fixture("synthetic_other_machine.json")],
    "sparse": [fixture("synthetic_sparse.json")],
}


@pytest.fixture(scope="session")
def session_reports(tmp_path_factory):
    base = tmp_path_factory.mktemp("reports")
    procs = {}
    for name, args in SESSION_REPORTS.items():
        out = base / name / "report"
        out.parent.mkdir()
        procs[name] = (out, subprocess.Popen([PYTHON, REPORT, *args, "--out", str(out)],
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                             text=True, preexec_fn=default_signals))
    done = {}
    for name, (out, p) in procs.items():
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, f"{name}: {err}"
        done[name] = out
    return done


def _session_report(name, doc):
    """A fixture returning one of session_reports."""
    def get(session_reports):
        return session_reports[name]
    get.__doc__ = doc
    return pytest.fixture(scope="session", name="report_" + name)(get)


report_main = _session_report("main", "synthetic_run.json with the synthetic baseline: the "
                                      "fullest report.")
report_bench = _session_report("bench", "A real run: scripts/bench --quick output, trimmed.")
report_multi = _session_report("multi", "Two runs of one machine and one run of another.")
report_sparse = _session_report("sparse", "Aggregates only, no series, no Boehm, missing "
                                          "counters and workloads.")


def make_results(path, benches, reps=3, iterations=False, host="vm", suite=None, series=None):
    """Writes a minimal results.json (the format: arenabench/results.py) from
    {(workload, allocator, params): {counter: value or [values per repetition]}}."""
    rows = []
    for (w, a, p), counters in benches.items():
        run_name = "/".join(x for x in (w, a, p) if x)
        per_rep = {k: (v if isinstance(v, list) else [v] * reps) for k, v in counters.items()}
        base = {"run_name": run_name, "repetitions": reps, "threads": 1, "time_unit": "ns"}
        if iterations:
            for i in range(reps):
                vals = {k: v[i] for k, v in per_rep.items()}
                t = vals.get("ns_per_alloc", 1.0) * 1000
                rows.append(dict(base, name=run_name, run_type="iteration", repetition_index=i,
                                 iterations=100, real_time=t, cpu_time=t, **vals))
        else:
            import statistics as st
            for agg in ("median", "stddev"):
                f = st.median if agg == "median" else (lambda v: st.stdev(v) if len(v) > 1 else 0.0)
                vals = {k: f(v) for k, v in per_rep.items()}
                t = vals.get("ns_per_alloc", 1.0) * 1000
                rows.append(dict(base, name=f"{run_name}_{agg}", run_type="aggregate",
                                 aggregate_name=agg, iterations=reps, real_time=t, cpu_time=t,
                                 **vals))
    doc = {"context": {"host_name": host, "num_cpus": 2,
                       "arena_suite": suite if suite is not None else {
                           "machine": {"cpu_model": "Test CPU", "cores": 2},
                           "repetitions": reps, "quick": False, "build_type": "Release"}},
           "benchmarks": rows}
    if series:
        doc["series"] = series
    return write_json(path, doc)
