"""Bad input to the tools: scripts/bench and scripts/report (here through its alias
scripts/report.py, whose messages start with "report.py:").

Each bad argument, unreadable or broken input file, unwritable output path and
interruption gets one clear message (no traceback), a non-zero exit status (2 for
bad arguments and input), and leaves no results file or report half-written: an
earlier results.json or report survives untouched.

The interruption test runs a real `scripts/bench --quick` on a dozen small
malloc benchmarks (it builds build/bench's bench_malloc first if needed), with
SIGINT and SIGTERM at their default disposition whatever pytest was started with."""
import json
import os
import queue
import re
import signal
import subprocess
import threading
import time

import pytest

from conftest import PYTHON, ROOT, SCRIPTS, default_signals, fixture

BENCH = os.path.join(SCRIPTS, "bench")
REPORT = os.path.join(SCRIPTS, "report.py")
GOOD = fixture("synthetic_sparse.json")


def run_tool(tool, *args, timeout=120):
    return subprocess.run([PYTHON, tool, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def assert_clear_failure(result, status, *words):
    assert result.returncode == status, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    for word in words:
        assert word in result.stderr, (word, result.stderr[-2000:])


# ---- scripts/bench: bad arguments are refused before anything is built ----------

BENCH_BAD_ARGUMENTS = {  # case -> (arguments, words the message must contain)
    "unknown allocator": (["--allocators", "arena,nosuch"], "unknown allocator(s) nosuch"),
    "empty allocator list": (["--allocators", ","], "--allocators is empty"),
    "unknown workload": (["--filter", "no_such_workload/"], "matches no benchmark"),
    "workload the allocators lack": (["--filter", "^capacity_sweep", "--allocators", "malloc"],
                                     "matches no benchmark"),
    "bad regex": (["--filter", "small_fixed/(arena"], "bad --filter regex"),
    "unknown flag": (["--bogus"], "unrecognized arguments: --bogus"),
    "flag without its value": (["--filter"], "expected one argument"),
    "value given to a switch": (["--quick=yes"], "ignored explicit argument"),
    "empty output directory": (["--out", ""], "--out needs a directory"),
}


@pytest.mark.parametrize("case", sorted(BENCH_BAD_ARGUMENTS))
def test_bench_bad_arguments_exit_2_before_building(tmp_path, case):
    args, words = BENCH_BAD_ARGUMENTS[case]
    out = tmp_path / "out"
    r = run_tool(BENCH, "--out", out, *args)
    assert_clear_failure(r, 2, "scripts/bench: error:", words)
    assert "== configure" not in r.stdout, "built before checking the arguments"
    assert not out.exists()


def _unwritable_outputs(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    return blocker, {
        "output path is a file": blocker,
        "parent is a file": blocker / "out",
        "cannot be created (/proc)": "/proc/arena-bench-test/out",
    }


@pytest.mark.parametrize("case", ["output path is a file", "parent is a file", "cannot be created (/proc)"])
def test_bench_unwritable_output_directory_exits_2_before_building(tmp_path, case):
    blocker, outputs = _unwritable_outputs(tmp_path)
    out = outputs[case]
    r = run_tool(BENCH, "--quick", "--allocators", "malloc", "--filter", "small_fixed/", "--out", out)
    assert_clear_failure(r, 2, "scripts/bench: error:", str(out))
    assert "== configure" not in r.stdout, "built before checking the output directory"
    assert blocker.read_text() == "not a directory"
    assert sorted(os.listdir(tmp_path)) == ["a-file"]


# ---- scripts/bench: interrupted in the middle of a run -----------------------------

def _lines(stream, sink):
    for line in stream:
        sink.put(line)
    sink.put(None)


@pytest.mark.parametrize("how", ["ctrl-c to the process group", "SIGINT to bench only", "SIGTERM to bench only"])
def test_bench_interrupted_mid_run_writes_no_results(tmp_path, how):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("previous results")
    cmd = [PYTHON, BENCH, "--quick", "--allocators", "malloc",
           "--filter", "^(small_fixed|aligned|mixed_sizes)/malloc/", "--out", str(out)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                         start_new_session=True, preexec_fn=default_signals)
    lines = queue.Queue()
    threading.Thread(target=_lines, args=(p.stdout, lines), daemon=True).start()
    seen = []
    deadline = time.monotonic() + 900           # the first run may build bench_malloc
    try:
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=5)
            except queue.Empty:
                continue
            if line is None:
                pytest.fail("scripts/bench ended before the interruption:\n" + "".join(seen)
                            + p.stderr.read())
            seen.append(line)
            if line.startswith("[  1/"):         # one benchmark done, the others to come
                break
        else:
            pytest.fail("scripts/bench never started running benchmarks:\n" + "".join(seen))
        if how.startswith("ctrl-c"):
            os.killpg(p.pid, signal.SIGINT)
        else:
            p.send_signal(signal.SIGTERM if how.startswith("SIGTERM") else signal.SIGINT)
        p.wait(timeout=120)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    err = p.stderr.read()
    stdout = "".join(seen)
    while True:
        line = lines.get(timeout=10)
        if line is None:
            break
        stdout += line
    assert p.returncode != 0
    assert "interrupted" in err, err[-2000:]
    assert "Traceback" not in err, err[-2000:]
    planned = re.search(r"== running (\d+) benchmarks", stdout)
    assert planned and int(planned.group(1)) >= 4, stdout
    last = "[%3d/%d]" % (int(planned.group(1)), int(planned.group(1)))
    assert last not in stdout, "the run finished before the interruption: nothing tested"
    assert (out / "results.json").read_text() == "previous results"
    leftovers = [n for n in os.listdir(out) if "results" in n and n != "results.json"]
    assert leftovers == [], "temporary results file left behind"
    raw = out / "raw"
    for name in os.listdir(raw) if raw.is_dir() else []:
        if name.endswith(".json"):          # per-process outputs: each one complete
            json.loads((raw / name).read_text())
    assert not (out / "report").exists()


# ---- scripts/report(.py): unreadable, malformed, truncated, empty input -------------

def _truncated(path):
    data = open(GOOD, "rb").read()
    path.write_bytes(data[: len(data) * 2 // 3])


REPORT_BAD_INPUTS = {  # case -> (how to make the file, words the message must contain)
    "missing": (lambda p: None, "no such file"),
    "empty": (lambda p: p.write_bytes(b""), "empty"),
    "truncated": (_truncated, "truncated"),
    "malformed": (lambda p: p.write_text('{"context": {}, "benchmarks": [1,,]}'), "malformed"),
    "not json at all": (lambda p: p.write_text("name,ns\nsmall_fixed/arena/16,1.0\n"), "malformed"),
    "wrong structure": (lambda p: p.write_text('{"context": {}}'), "benchmarks"),
    "a directory": (lambda p: p.mkdir(), "directory"),
    "dangling symlink": (lambda p: p.symlink_to(p.parent / "nowhere"), "no such file"),
    "unreadable (/proc/self/mem)": (lambda p: p.symlink_to("/proc/self/mem"), "cannot read"),
}


@pytest.mark.parametrize("case", sorted(REPORT_BAD_INPUTS))
def test_report_bad_input_exits_2_naming_the_file(tmp_path, case):
    make, words = REPORT_BAD_INPUTS[case]
    bad = tmp_path / "results.json"
    make(bad)
    before = sorted(os.listdir(tmp_path))
    out = tmp_path / "report"
    r = run_tool(REPORT, GOOD, bad, "--out", out)
    assert_clear_failure(r, 2, "report.py: error:", str(bad), words)
    assert sorted(os.listdir(tmp_path)) == before, "a partial report or temporary directory was left"


def test_report_unreadable_file_for_an_ordinary_user(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode (the /proc/self/mem case covers it)")
    bad = tmp_path / "results.json"
    bad.write_text(open(GOOD).read())
    bad.chmod(0)
    r = run_tool(REPORT, bad, "--out", tmp_path / "report")
    assert_clear_failure(r, 2, str(bad))
    assert not (tmp_path / "report").exists()


@pytest.mark.parametrize("case", ["output path is a file", "parent is a file", "cannot be created (/proc)"])
def test_report_unwritable_output_directory_exits_2(tmp_path, case):
    blocker, outputs = _unwritable_outputs(tmp_path)
    out = outputs[case]
    r = run_tool(REPORT, GOOD, "--out", out)
    assert_clear_failure(r, 2, "report.py: error:", str(out))
    assert blocker.read_text() == "not a directory"
    assert sorted(os.listdir(tmp_path)) == ["a-file"]


def test_report_bad_input_keeps_an_earlier_report(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.md").write_text("earlier report")
    bad = tmp_path / "results.json"
    bad.write_text(json.dumps({"context": {}, "benchmarks": []}))
    r = run_tool(REPORT, bad, "--out", out)
    assert_clear_failure(r, 2, str(bad))
    assert os.listdir(out) == ["report.md"] and (out / "report.md").read_text() == "earlier report"


def test_report_messages_name_the_command_used(tmp_path):
    missing = tmp_path / "results.json"
    r = run_tool(os.path.join(SCRIPTS, "report"), missing, "--out", tmp_path / "report")
    assert_clear_failure(r, 2, "report: error:", str(missing), "no such file")
    assert "report.py" not in r.stderr
