"""scripts/bench's console: the build's progress from CMake's output (one updating line on
a terminal, plain lines otherwise), a heading for the trace recording, and per benchmark a
counter that counts what the header counts, the elapsed time and an estimate of what is left."""
import io
import os
import re
import subprocess

from conftest import PYTHON, SCRIPTS
from arenabench.bench import progress


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


class Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self._tty = tty

    def isatty(self):
        return self._tty


MAKE_LINES = [
    "[  5%] Building CXX object third_party/CMakeFiles/benchmark.dir/src/benchmark.cc.o\n",
    "[  8%] Building CXX object arena/CMakeFiles/arena.dir/src/arena.cpp.o\n",
    "[ 12%] Building CXX object arena/CMakeFiles/arena.dir/src/stats.cpp.o\n",
    "warning: something CMake said on stdout\n",
    "[ 51%] Building CXX object workloads/CMakeFiles/w.dir/realistic/json_dom.cpp.o\n",
    "[100%] Linking CXX executable bench_arena\n",
    "[100%] Built target bench_arena\n",
]


def test_clock_and_estimate():
    assert progress.clock(0) == "0:00"
    assert progress.clock(65.4) == "1:05"
    assert progress.clock(3725) == "1:02:05"
    assert progress.estimate(10.0, 0, 5) is None
    assert progress.estimate(10.0, 2, 6) == 20.0        # 5 s each so far, 4 to go
    assert progress.estimate(10.0, 6, 6) == 0.0


def test_build_percent_reads_make_and_ninja_lines():
    assert progress.build_percent("[ 45%] Building CXX object a/b.cpp.o") == (45, "Building CXX object a/b.cpp.o")
    assert progress.build_percent("[100%] Built target x")[0] == 100
    assert progress.build_percent("[3/12] Building CXX object a.o")[0] == 25
    assert progress.build_percent("-- Configuring done") is None
    assert progress.build_percent("In file included from x.h:3:") is None


def test_build_progress_on_a_terminal_is_one_updating_line():
    clock, out = Clock(), Stream(tty=True)
    bp = progress.BuildProgress(out, now=clock, width=80)
    for i, line in enumerate(MAKE_LINES):
        clock.t = 100.0 + 10 * i
        bp.line(line)
    bp.done()
    text = out.getvalue()
    assert text.count("\r\x1b[K") == 6
    # progress lines overwrite each other; the other line ends the updating line, is
    # printed whole, and the updating line starts again below it
    assert text.count("\n") == 3, repr(text)
    assert "building stats.cpp\nwarning: something CMake said on stdout\n\r" in text
    last = text.rsplit("\r\x1b[K", 1)[1]
    assert last == "build 100%  1:00  built bench_arena\n"
    assert "build  51%  0:40  building json_dom.cpp" in text
    assert "\nwarning: something CMake said on stdout\n" in text
    assert all(len(seg.rstrip("\n")) <= 79 for seg in text.split("\r\x1b[K"))


def test_build_progress_without_a_terminal_prints_plain_steps():
    clock, out = Clock(), Stream(tty=False)
    bp = progress.BuildProgress(out, now=clock)
    for i, line in enumerate(MAKE_LINES):
        clock.t = 100.0 + 10 * i
        bp.line(line)
    bp.done()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()
    assert lines == ["build   5%  0:00  building benchmark.cc",
                     "build  12%  0:20  building stats.cpp",
                     "warning: something CMake said on stdout",
                     "build  51%  0:40  building json_dom.cpp",
                     "build 100%  0:50  linking bench_arena"]


def test_run_line_has_count_time_elapsed_and_estimate():
    line = progress.run_line(12, 246, "small_fixed/arena/64", 1.23, 75, 1430)
    assert re.match(r"^\[ 12/246\] small_fixed/arena/64 +1\.2 s  1:15 elapsed, ~23:50 left$", line), line
    assert progress.run_line(246, 246, "x", 2, 600, None, ok=False).endswith(
        "10:00 elapsed  FAILED")


def test_a_small_run_shows_build_progress_trace_heading_and_counted_progress(tmp_path):
    """A real scripts/bench --quick on two malloc benchmarks (stdout not a terminal)."""
    out = tmp_path / "out"
    p = subprocess.run([PYTHON, os.path.join(SCRIPTS, "bench"), "--quick", "--allocators",
                        "malloc", "--filter", "^small_fixed/malloc/(16|64)$", "--out", str(out)],
                       capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    text = p.stdout
    assert "\r" not in text and "\x1b" not in text
    build_part = text.split("== build bench_malloc", 1)[1].split("== build took", 1)[0]
    steps = re.findall(r"^build +(\d+)%  \d+:\d\d  ", build_part, re.M)
    assert steps and steps[-1] == "100", build_part
    assert re.search(r"^== traces for trace_replay: ", text, re.M), text
    header = re.search(r"^== running (\d+) benchmarks ", text, re.M)
    assert header and header.group(1) == "2", text
    counted = re.findall(r"^\[  (\d)/(\d)\] small_fixed/malloc/(?:16|64) +[\d.]+ s  "
                         r"(\d+:\d\d) elapsed(, ~\d+:\d\d left)?$", text, re.M)
    assert [(d, t) for d, t, _, _ in counted] == [("1", "2"), ("2", "2")], text
    assert counted[0][3] and counted[1][3] == ", ~0:00 left"
