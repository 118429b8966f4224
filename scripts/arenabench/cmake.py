"""Configuring and building the C++ targets the tools run, finding their binaries and
listing the benchmarks a binary registers.

Binaries are found by their file name anywhere in the build tree, so the tools do not
depend on which directory of the source tree defines a target.
"""
import os
import subprocess

from . import ROOT
from .errors import Failure

DEFAULT_BUILD_DIR = os.path.join(ROOT, "build", "bench")
CONFIGURE_FLAGS = ["-DCMAKE_BUILD_TYPE=Release", "-DARENA_BUILD_TESTS=OFF",
                   "-DARENA_BUILD_BENCHMARKS=ON"]


def configure(build_dir, always=True):
    """Configures build_dir as a Release build of the suite (only when it has no
    CMakeCache.txt yet, unless always)."""
    if not always and os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        return
    r = subprocess.run(["cmake", "-S", ROOT, "-B", build_dir] + CONFIGURE_FLAGS,
                       stdout=subprocess.DEVNULL)
    if r.returncode != 0:
        raise Failure(f"cmake configure of {build_dir} failed (exit {r.returncode})")


def build(build_dir, targets, what=None, progress=None):
    """Builds the targets (2 jobs: the machine is shared). CMake's output goes to
    progress.line() line by line when given (progress.done() at the end), else nowhere."""
    cmd = ["cmake", "--build", build_dir, "-j", "2", "--target"] + list(targets)
    if progress is None:
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL)
        status = r.returncode
    else:
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, errors="replace")
        try:
            for line in process.stdout:
                progress.line(line)
            status = process.wait()
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            progress.done()
    if status != 0:
        raise Failure(f"building {what or ' '.join(targets)} in {build_dir} failed "
                      f"(exit {status})")


def find_all(build_dir, filenames, required=True):
    """{filename: path} of built files (executables or libraries) anywhere in build_dir;
    the newest where there are several. Missing ones: Failure when required, else None."""
    found = {f: [] for f in filenames}
    for top, dirs, files in os.walk(build_dir):
        dirs[:] = [d for d in dirs if d != "CMakeFiles" and not d.startswith(".")]
        for f in found.keys() & set(files):
            path = os.path.join(top, f)
            if os.path.isfile(path):
                found[f].append(path)
    missing = [f for f, paths in found.items() if not paths]
    if missing and required:
        raise Failure(f"{', '.join(missing)} missing in {build_dir} after the build")
    return {f: max(paths, key=os.path.getmtime) if paths else None for f, paths in found.items()}


def find(build_dir, filename, required=True):
    """The path of one built file (see find_all), or None."""
    return find_all(build_dir, [filename], required)[filename]


def build_and_find(build_dir, targets, filenames=None, configure_always=False):
    """Configures if needed, builds the targets, returns their paths (filenames default
    to the target names: executables)."""
    configure(build_dir, always=configure_always)
    build(build_dir, targets)
    paths = find_all(build_dir, filenames or targets)
    return [paths[f] for f in filenames or targets]


def list_benchmarks(binary, scale=None, env=None):
    """The benchmark names a Google Benchmark binary registers (--benchmark_list_tests)."""
    cmd = [binary] + (["--scale=" + scale] if scale else []) + ["--benchmark_list_tests=true"]
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    except OSError as e:
        raise Failure(f"listing the benchmarks of {binary} failed: {e.strerror or e}") from None
    if r.returncode != 0:
        tail = r.stderr.strip().splitlines()[-3:]
        raise Failure(f"listing the benchmarks of {binary} failed (exit {r.returncode})"
                      + (": " + " ".join(tail) if tail else ""))
    return [line.strip() for line in r.stdout.splitlines() if line.strip()]
