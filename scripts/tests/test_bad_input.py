"""Bad input is rejected: exit status 2, one message naming the file and the problem, and
no report (nor temporary directory) left behind; an existing report survives."""
import json
import os

import pytest

from conftest import fixture, run_report, write_json

GOOD = fixture("synthetic_sparse.json")


def good_doc():
    with open(GOOD) as f:
        return json.load(f)


def _bad_row(doc, **change):
    doc["benchmarks"][0].update(change)
    return doc


def _drop_name(doc):
    del doc["benchmarks"][0]["name"]
    return doc


def _bad_series(doc):
    doc["series"] = {"memory_timeline": {"small_fixed/arena/64": {
        "t_ns": [0, 1, 2], "footprint_bytes": [1, 2]}}}
    return doc


def _bad_cdf(doc):
    doc["series"] = {"latency_cdf": {"small_fixed/arena/64": {
        "percentile": [0, 99, 50], "ns": [1, 2, 3]}}}
    return doc


def _foreign_names(doc):
    for b in doc["benchmarks"]:
        b["name"] = b["run_name"] = "BM_something"
    return doc


TEXT_CASES = {   # name -> (file bytes, expected words in the message)
    "empty": (b"", "empty"),
    "whitespace": (b"  \n\t\n", "only whitespace"),
    "truncated": (lambda: open(GOOD, "rb").read()[: os.path.getsize(GOOD) // 2], "truncated"),
    "malformed": (b'{"context": {}, "benchmarks": [}', "malformed JSON at line 1"),
    "binary": (b"\x89PNG\r\n\x1a\n\xff\xfe\x00garbage", "not UTF-8"),
}
DOC_CASES = {    # name -> (document or function of a good document, expected words)
    "top_level_list": ([1, 2, 3], "top level is a JSON list"),
    "no_benchmarks": ({"context": {}}, "no 'benchmarks' list"),
    "no_context": ({"benchmarks": [{"name": "a/b"}]}, "no 'context' object"),
    "benchmarks_empty": ({"context": {}, "benchmarks": []}, "'benchmarks' is empty"),
    "benchmarks_not_list": ({"context": {}, "benchmarks": {"a": 1}}, "'benchmarks' is a dict"),
    "context_not_object": ({"context": [], "benchmarks": [{"name": "a/b"}]}, "'context' is a list"),
    "row_not_object": (lambda d: dict(d, benchmarks=[1]), "benchmarks[0] is a int"),
    "row_without_name": (_drop_name, "benchmarks[0] has no 'name'"),
    "counter_not_number": (lambda d: _bad_row(d, ns_per_alloc="fast"),
                           "'ns_per_alloc' must be a number"),
    "time_not_number": (lambda d: _bad_row(d, real_time=None), "'real_time' must be a number"),
    "bad_time_unit": (lambda d: _bad_row(d, time_unit="fortnights"), "unknown time_unit"),
    "bad_run_type": (lambda d: _bad_row(d, run_type="warmup"), "run_type must be"),
    "series_length": (_bad_series, "'footprint_bytes' has 2 values but 't_ns' has 3"),
    "cdf_not_rising": (_bad_cdf, "'percentile' must rise"),
    "foreign_names": (_foreign_names, "no benchmark is named <workload>/<allocator>"),
    "arena_suite_not_object": (lambda d: (d["context"].update(arena_suite=3), d)[1],
                               "context.arena_suite is a int"),
}


def _assert_rejected(r, path, words, out):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    msg = r.stderr.strip()
    assert str(path) in msg, msg
    assert words in msg, msg
    assert len(msg.splitlines()) == 1, f"one clear line expected, got:\n{msg}"
    assert "Traceback" not in r.stderr
    assert not os.path.exists(out), "no report may be left behind"
    leftovers = [n for n in os.listdir(os.path.dirname(out)) if ".tmp-" in n or ".old-" in n]
    assert not leftovers, leftovers


@pytest.mark.parametrize("case", sorted(TEXT_CASES))
def test_bad_text_is_rejected(tmp_path, case):
    content, words = TEXT_CASES[case]
    path = tmp_path / f"{case}.json"
    path.write_bytes(content() if callable(content) else content)
    out = tmp_path / "report"
    _assert_rejected(run_report(path, "--out", out), path, words, out)


@pytest.mark.parametrize("fraction", [0.001, 0.3, 0.5, 0.77, 0.999])
def test_truncated_anywhere_is_called_truncated(tmp_path, fraction):
    raw = open(GOOD, "rb").read()
    path = tmp_path / "cut.json"
    path.write_bytes(raw[: max(1, int(len(raw.rstrip()) * fraction))])
    out = tmp_path / "report"
    _assert_rejected(run_report(path, "--out", out), path, "truncated", out)


@pytest.mark.parametrize("case", sorted(DOC_CASES))
def test_bad_structure_is_rejected(tmp_path, case):
    doc, words = DOC_CASES[case]
    doc = doc(good_doc()) if callable(doc) else doc
    path = write_json(tmp_path / f"{case}.json", doc)
    out = tmp_path / "report"
    _assert_rejected(run_report(path, "--out", out), path, words, out)


def test_missing_file(tmp_path):
    path, out = tmp_path / "nope.json", tmp_path / "report"
    _assert_rejected(run_report(path, "--out", out), path, "no such file", out)


def test_directory_as_input(tmp_path):
    out = tmp_path / "report"
    _assert_rejected(run_report(tmp_path, "--out", out), tmp_path, "is a directory", out)


def test_one_bad_file_among_good_ones_names_the_bad_one(tmp_path):
    bad = tmp_path / "second.json"
    bad.write_text('{"context": {}, "benchmarks": [')
    out = tmp_path / "report"
    r = run_report(GOOD, bad, "--out", out)
    _assert_rejected(r, bad, "truncated", out)
    assert GOOD not in r.stderr


def test_bad_baseline_is_rejected(tmp_path):
    bad = tmp_path / "old.json"
    bad.write_text("")
    out = tmp_path / "report"
    _assert_rejected(run_report(GOOD, "--out", out, "--baseline", bad), bad, "empty", out)


def test_existing_report_survives_bad_input(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.html").write_text("previous report")
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    r = run_report(bad, "--out", out)
    assert r.returncode == 2
    assert (out / "report.html").read_text() == "previous report"
    assert sorted(os.listdir(tmp_path)) == ["bad.json", "report"]


def test_output_path_that_is_a_file(tmp_path):
    out = tmp_path / "report"
    out.write_text("not a directory")
    r = run_report(GOOD, "--out", out)
    assert r.returncode == 2
    assert str(out) in r.stderr and "not a directory" in r.stderr
    assert out.read_text() == "not a directory"


def test_output_directory_that_cannot_be_created(tmp_path):
    out = "/proc/arena-report-test/report"
    r = run_report(GOOD, "--out", out)
    assert r.returncode == 2, r.stderr
    assert out in r.stderr and "cannot" in r.stderr
    assert not os.path.exists(out)


def test_usage_errors_exit_2(tmp_path):
    r = run_report("--out", tmp_path / "r")          # no results file
    assert r.returncode == 2 and "RESULTS.json" in r.stderr
    r = run_report(GOOD)                             # no --out
    assert r.returncode == 2 and "--out" in r.stderr


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_interrupted_report_leaves_nothing(tmp_path, sig):
    import signal
    import subprocess
    import time
    from conftest import PYTHON, REPORT, default_signals, fixture
    out = tmp_path / "report"
    p = subprocess.Popen([PYTHON, REPORT, fixture("synthetic_run.json"), "--out", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=default_signals)
    deadline = time.time() + 60
    while time.time() < deadline:          # wait until it is writing plots
        tmp = [n for n in os.listdir(tmp_path) if ".tmp-" in n]
        if tmp and os.path.isdir(tmp_path / tmp[0] / "plots"):
            break
        time.sleep(0.05)
    p.send_signal(getattr(signal, sig))
    _, err = p.communicate(timeout=60)
    assert p.returncode != 0
    assert "interrupted" in err
    assert os.listdir(tmp_path) == [], os.listdir(tmp_path)


def test_report_started_with_sigint_ignored_leaves_it_ignored(tmp_path):
    """A background job of a non-interactive shell (`scripts/report ... &`) starts with
    SIGINT ignored so that Ctrl-C at the terminal is not for it: the report keeps it so,
    as Unix tools do, and finishes (SIGTERM still stops it: the test above)."""
    import signal
    import subprocess
    import time
    from conftest import PYTHON, REPORT

    def ignore_sigint():
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    out = tmp_path / "report"
    p = subprocess.Popen([PYTHON, REPORT, GOOD, "--out", str(out)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, preexec_fn=ignore_sigint)
    deadline = time.time() + 60
    while time.time() < deadline and not [n for n in os.listdir(tmp_path) if ".tmp-" in n]:
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    assert (out / "report.md").exists()
