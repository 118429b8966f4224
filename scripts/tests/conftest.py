"""Shared fixtures: paths, running report.py, and reports built once per session.

Other suites in this directory (test_benchlib.py, ...) import FIXTURES, PYTHON and SCRIPTS
from here: keep those names."""
import json
import os
import subprocess
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.dirname(TESTS)
FIXTURES = os.path.join(TESTS, "fixtures")
REPORT = os.path.join(SCRIPTS, "report.py")
PYTHON = "/usr/bin/python3"
sys.path.insert(0, SCRIPTS)


def fixture(name):
    return os.path.join(FIXTURES, name)


def run_report(*args):
    """Runs scripts/report.py in a subprocess; returns CompletedProcess (text)."""
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
                                             text=True))
    done = {}
    for name, (out, p) in procs.items():
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, f"{name}: {err}"
        done[name] = out
    return done


@pytest.fixture(scope="session")
def report_main(session_reports):
    """synthetic_run.json with the synthetic baseline: the fullest report."""
    return session_reports["main"]


@pytest.fixture(scope="session")
def report_bench(session_reports):
    """A real run: scripts/bench --quick output, trimmed."""
    return session_reports["bench"]


@pytest.fixture(scope="session")
def report_multi(session_reports):
    """Two runs of one machine and one run of another."""
    return session_reports["multi"]


@pytest.fixture(scope="session")
def report_sparse(session_reports):
    """Aggregates only, no series, no Boehm, missing counters and workloads."""
    return session_reports["sparse"]


def make_results(path, benches, reps=3, iterations=False, host="vm", suite=None, series=None):
    """Writes a minimal results.json (results-format.md) from
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
