"""scripts/record-trace: bad arguments, and (with a build that has the tracer,
ARENA_BUILD_DIR, default build/release) recording a real program, a failing program
(nothing left behind) and --if-missing."""
import json
import os
import subprocess

import pytest
from conftest import PYTHON, SCRIPTS

RECORD = f"{SCRIPTS}/record-trace"
ROOT = os.path.dirname(SCRIPTS)
BUILD = os.environ.get("ARENA_BUILD_DIR", os.path.join(ROOT, "build", "release"))
TRACER = os.path.join(BUILD, "workloads", "trace", "libarena_trace.so")
INFO = os.path.join(BUILD, "workloads", "trace", "arena_trace_info")


def record(*args):
    return subprocess.run([PYTHON, RECORD, *map(str, args)], capture_output=True, text=True,
                          timeout=600)


@pytest.mark.parametrize("args,message", [
    (["--jobs", "python,cobol"], "unknown job(s) cobol"),
    (["--jobs", ","], "--jobs is empty"),
    (["--scale", "huge"], "invalid choice"),
    (["--name", "x"], "--name needs a command after --"),
    (["--", "/bin/true"], "a command after -- needs --name"),
    (["--name", "a/b", "--", "/bin/true"], "bad --name"),
    (["--phase-open", ".py"], "--phase-open goes with --name"),
])
def test_bad_arguments(args, message):
    r = record(*args)
    assert r.returncode == 2
    assert message in r.stderr


needs_tracer = pytest.mark.skipif(not (os.path.exists(TRACER) and os.path.exists(INFO)),
                                  reason=f"the tracer is not built in {BUILD} (ARENA_BUILD_DIR)")


@needs_tracer
def test_records_a_real_program(tmp_path):
    script = tmp_path / "job.py"
    script.write_text("import json\nfor i in range(3):\n    open(%r).close()\n"
                      "    json.dumps([str(x) for x in range(2000)])\n" % str(tmp_path / "unit.data"))
    (tmp_path / "unit.data").write_text("x")
    r = record("--name", "job", "--out", tmp_path, "--build-dir", BUILD, "--phase-open", ".data",
               "--", "/usr/bin/python3", script)
    assert r.returncode == 0, r.stdout + r.stderr
    path = tmp_path / "job.trace"
    assert path.exists() and "wrote" in r.stdout
    info = json.loads(subprocess.run([INFO, "--json", path], capture_output=True, text=True,
                                     check=True).stdout)[0]
    assert info["mallocs"] > 1000 and info["frees"] > 1000
    assert info["phases"] >= 4            # start, main, unit.data (consecutive opens: one), exit
    assert "job.py" in info["command"]
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".recording-")]


@needs_tracer
def test_failing_program_leaves_nothing(tmp_path):
    r = record("--name", "bad", "--out", tmp_path, "--build-dir", BUILD, "--",
               "/usr/bin/python3", "-c", "raise SystemExit(3)")
    assert r.returncode == 1
    assert "the traced command failed (exit 3)" in r.stderr
    assert os.listdir(tmp_path) == []


@needs_tracer
def test_if_missing_keeps_existing_traces(tmp_path):
    keep = tmp_path / "python.quick.trace"
    keep.write_text("an existing trace")
    r = record("--jobs", "python", "--scale", "quick", "--if-missing", "--out", tmp_path,
               "--build-dir", BUILD)
    assert r.returncode == 0, r.stderr
    assert keep.read_text() == "an existing trace"
