"""What scripts/bench shows while it works: the build's progress from CMake's own output
(one updating line on a terminal, a plain line per 10 % step otherwise) and, per benchmark,
how far the run is, the time since the start and an estimate of what is left."""
import re
import shutil
import sys
import time

# CMake's Makefile generator: "[ 45%] Building CXX object ..."; Ninja: "[12/80] Building ..."
_MAKE = re.compile(r"^\[\s*(\d{1,3})%\]\s*(.*)$")
_NINJA = re.compile(r"^\[(\d+)/(\d+)\]\s*(.*)$")


def clock(seconds):
    """Seconds as m:ss, or h:mm:ss from an hour on (a progress line's elapsed time)."""
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def build_percent(line):
    """(percent, what) of one line of CMake's build output, or None for other lines."""
    line = line.strip()
    m = _MAKE.match(line)
    if m:
        return min(100, int(m.group(1))), m.group(2)
    m = _NINJA.match(line)
    if m and int(m.group(2)) > 0:
        return 100 * int(m.group(1)) // int(m.group(2)), m.group(3)
    return None


def _short(what):
    """'Building CXX object workloads/CMakeFiles/x.dir/realistic/json_dom.cpp.o' ->
    'building json_dom.cpp'; 'Linking CXX executable bench_arena' -> 'linking bench_arena'."""
    m = re.match(r"Building \w+ object (\S+)", what)
    if m:
        name = m.group(1).rsplit("/", 1)[-1]
        return "building " + (name[:-2] if name.endswith(".o") else name)
    m = re.match(r"Linking \w+ (?:executable|static library|shared library|shared module) (\S+)",
                 what)
    if m:
        return "linking " + m.group(1).rsplit("/", 1)[-1]
    m = re.match(r"Built target (\S+)", what)
    if m:
        return "built " + m.group(1)
    return what


def estimate(elapsed, done, total):
    """Seconds left, from the average so far; None before anything is done."""
    if done <= 0 or total <= done:
        return None if done <= 0 else 0.0
    return elapsed / done * (total - done)


class BuildProgress:
    """Feeds on CMake's output lines. On a terminal: one line rewritten in place
    ("build  45%  0:31  building json_dom.cpp"); otherwise a plain line at each 10 % step.
    Lines that are not progress (warnings CMake prints on stdout) pass through."""

    def __init__(self, stream=None, tty=None, now=time.monotonic, width=None):
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.now = now
        self.start = now()
        self.width = width or shutil.get_terminal_size((100, 20)).columns
        self.step = -1              # last 10 % step printed (not a tty)
        self.open = False           # an updating line is on screen

    def line(self, raw):
        p = build_percent(raw)
        if p is None:
            text = raw.rstrip("\n")
            if text.strip() and not text.startswith(("Consolidate compiler generated",
                                                      "Built target", "gmake", "make")):
                self._end_line()
                self.stream.write(text + "\n")
            return
        percent, what = p
        text = f"build {percent:3d}%  {clock(self.now() - self.start)}  {_short(what)}"
        if self.tty:
            self.stream.write("\r\x1b[K" + text[: self.width - 1])
            self.open = True
        elif percent // 10 > self.step:
            self.step = percent // 10
            self.stream.write(text + "\n")
        self.stream.flush()

    def _end_line(self):
        if self.open:
            self.stream.write("\n")
            self.open = False

    def done(self):
        self._end_line()
        self.stream.flush()


def run_line(done, total, name, seconds, elapsed, left, ok=True):
    """One benchmark's progress line: the count of benchmarks done (the header counts the
    same), its name and time, the run's elapsed time and the estimate of what is left."""
    tail = f"{clock(elapsed)} elapsed"
    if left is not None:
        tail += f", ~{clock(left)} left"
    return (f"[{done:3d}/{total}] {name:<44} {seconds:6.1f} s  {tail}"
            + ("" if ok else "  FAILED"))
