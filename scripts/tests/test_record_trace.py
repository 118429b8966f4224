"""scripts/record-trace: bad arguments, and (with the tracer built in ARENA_BUILD_DIR,
default build/bench, by the tests themselves) recording a real program, a failing program
(nothing left behind) and --if-missing."""
import json
import os
import subprocess

import pytest
from conftest import BUILD, PYTHON, SCRIPTS, bad_arguments_test, built

RECORD = f"{SCRIPTS}/record-trace"


def record(*args):
    return subprocess.run([PYTHON, RECORD, *map(str, args)], capture_output=True, text=True,
                          timeout=600)


test_bad_arguments = bad_arguments_test(record, [
    (["--jobs", "python,cobol"], "unknown job(s) cobol"),
    (["--jobs", ","], "--jobs is empty"),
    (["--scale", "huge"], "invalid choice"),
    (["--name", "x"], "--name needs a command after --"),
    (["--", "/bin/true"], "a command after -- needs --name"),
    (["--name", "a/b", "--", "/bin/true"], "bad --name"),
    (["--phase-open", ".py"], "--phase-open goes with --name"),
])


@pytest.fixture(scope="module")
def trace_info():
    """arena_trace_info, built with the tracer (record-trace builds the same targets)."""
    return built("libarena_trace.so", "arena_trace_info",
                 targets=["arena_trace", "arena_trace_info"])[1]


def test_records_a_real_program(tmp_path, trace_info):
    script = tmp_path / "job.py"
    script.write_text("import json\nfor i in range(3):\n    open(%r).close()\n"
                      "    json.dumps([str(x) for x in range(2000)])\n" % str(tmp_path / "unit.data"))
    (tmp_path / "unit.data").write_text("x")
    r = record("--name", "job", "--out", tmp_path, "--build-dir", BUILD, "--phase-open", ".data",
               "--", "/usr/bin/python3", script)
    assert r.returncode == 0, r.stdout + r.stderr
    path = tmp_path / "job.trace"
    assert path.exists() and "wrote" in r.stdout
    info = json.loads(subprocess.run([trace_info, "--json", path], capture_output=True, text=True,
                                     check=True).stdout)[0]
    assert info["mallocs"] > 1000 and info["frees"] > 1000
    assert info["phases"] >= 4            # start, main, unit.data (consecutive opens: one), exit
    assert "job.py" in info["command"]
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".recording-")]


def test_failing_program_leaves_nothing(tmp_path, trace_info):
    r = record("--name", "bad", "--out", tmp_path, "--build-dir", BUILD, "--",
               "/usr/bin/python3", "-c", "raise SystemExit(3)")
    assert r.returncode == 1
    assert "the traced command failed (exit 3)" in r.stderr
    assert os.listdir(tmp_path) == []


def test_if_missing_keeps_existing_traces(tmp_path, trace_info):
    keep = tmp_path / "python.quick.trace"
    keep.write_text("an existing trace")
    r = record("--jobs", "python", "--scale", "quick", "--if-missing", "--out", tmp_path,
               "--build-dir", BUILD)
    assert r.returncode == 0, r.stderr
    assert keep.read_text() == "an existing trace"
