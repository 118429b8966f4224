"""scripts/ci-example.yml: valid YAML, every script it runs exists, and its gate settings
can work (a filter Google Benchmark and Python both accept, enough repetitions for the
U test to reach p < 0.05)."""
import math
import os
import re

import pytest
from conftest import SCRIPTS

yaml = pytest.importorskip("yaml")   # python3-yaml; only this check needs it

CI = os.path.join(SCRIPTS, "ci-example.yml")
ROOT = os.path.dirname(SCRIPTS)


@pytest.fixture(scope="module")
def ci():
    with open(CI) as f:
        return yaml.safe_load(f)


def test_jobs_have_steps(ci):
    assert {"bench", "tune"} <= set(ci["jobs"])
    for job in ci["jobs"].values():
        assert job["steps"] and all(("run" in s) or ("uses" in s) for s in job["steps"])


def test_every_script_it_runs_exists(ci):
    text = open(CI).read()
    used = set(re.findall(r"\bscripts/([a-z][a-z-]*)(?![-.\w])", text))
    assert {"install-deps", "test", "bench", "compare", "record-trace", "tune"} <= used
    for name in used:
        path = os.path.join(ROOT, "scripts", name)
        assert os.access(path, os.X_OK), path


def test_gate_settings_can_decide(ci):
    env = ci["env"]
    re.compile(env["GATE_FILTER"])
    n = int(env["GATE_REPETITIONS"])
    assert 30 * 2 / math.comb(2 * n, n) < 0.05     # smallest U-test p, Holm-adjusted over ~30 benchmarks
    assert 0 < float(env["GATE_THRESHOLD"]) < 10    # a 10 % slowdown is caught
    for a in env["GATE_ALLOCATORS"].split():
        assert a in ("arena", "ideal_bump", "pmr_monotonic", "mimalloc_heap", "mimalloc",
                     "jemalloc", "tcmalloc", "malloc", "boehm")


def test_pull_requests_are_gated_on_counts_and_times_nightly(ci):
    triggers = ci.get("on", ci.get(True))          # YAML 1.1 reads a bare `on` as true
    assert {"pull_request", "schedule"} <= set(triggers)
    assert triggers["schedule"][0]["cron"]
    job = ci["jobs"]["counts-gate"]
    assert "pull_request" in job["if"]
    text = "\n".join(s.get("run", "") for s in job["steps"])
    assert text.count("scripts/bench --counts --quick") == 2          # base and head
    assert "scripts/compare counts/base/results.json counts/new/results.json" in text
    assert '--threshold "$COUNTS_THRESHOLD"' in text
    assert 0 < float(ci["env"]["COUNTS_THRESHOLD"]) <= 5
    timed = [s for s in ci["jobs"]["bench"]["steps"] if "scripts/compare" in s.get("run", "")]
    assert len(timed) == 1 and "schedule" in timed[0]["if"] and "pull_request" not in timed[0]["if"]
