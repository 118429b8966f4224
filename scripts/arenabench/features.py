"""The feature matrix of the arena libraries (scripts/features, and scripts/bench once per
run): each probe binary (competitors/probes/, arena_probe_<library>) runs one case per
process; its one printed line, or how the process ended, is the cell.

A probe prints  probe<TAB><case><TAB><result><TAB><detail>  (competitors/probes/probe.h).
Classification of one process:
  its line                      -> the line's result (pointer, misaligned, null, exception,
                                   reused, new_memory, unknown, yes, partial, no); a later
                                   death or nonzero exit is added to the detail
  killed by SIGABRT, no line    -> abort (std::terminate from an uncaught exception too)
  killed by another signal      -> crash (the signal's name in "signal")
  still running after TIMEOUT   -> timeout
  nonzero exit without a line   -> error (the exit status and stderr's last line)
  exit 0 without a line         -> error
  binary not built              -> missing

The matrix (context.arena_suite.features in results.json, and scripts/features --out):
  {"version": 1, "timeout_s": T, "libraries": [...], "cases": [...],
   "results": {library: {case: {"outcome", "detail", "exit", "signal", "calls"?}}}}
"calls" and "first_calls" (reset_reuse): the upstream calls of the fill after the reset, and
of the first fill.
"""
import argparse
import os
import re
import signal
import subprocess
import sys

from . import atomic, cmake
from .errors import InputError

VERSION = 1
# Ours first, then the peer arena libraries: the report's row order.
LIBRARIES = ("arena", "llvm_bump", "obstack", "apr_pool", "protobuf_arena", "foonathan_stack",
             "talloc_pool", "jemalloc_arena")
CASES = ("align_4096", "oversized", "size_zero", "size_max", "reset_reuse", "child_region",
         "savepoint", "destructor", "statistics")
TARGETS = tuple("arena_probe_" + name for name in LIBRARIES)
TIMEOUT = 30  # seconds per probe process; a probe takes milliseconds

# What a probe may print as its result.
PRINTED = {"pointer", "misaligned", "null", "exception", "reused", "new_memory", "unknown",
           "yes", "partial", "no"}
# What the runner adds.
DEATHS = {"abort", "crash", "timeout", "error", "missing"}

# Short cell text per outcome (the report and the console).
CELL = {"pointer": "pointer", "misaligned": "misaligned", "null": "NULL",
        "exception": "exception", "reused": "reused", "new_memory": "new memory",
        "unknown": "unknown", "yes": "yes", "partial": "partial", "no": "no",
        "abort": "abort", "crash": "crash", "timeout": "timeout", "error": "error",
        "missing": "not built"}

# What each case asks, for the report and scripts/features --help.
CASE_TEXT = {
    "align_4096": "100 bytes aligned to 4096, the way the library allows",
    "oversized": "64 MiB, larger than any block",
    "size_zero": "size 0",
    "size_max": "SIZE_MAX",
    "reset_reuse": "1 MiB in 64-byte pieces, the bulk release, the same again: new upstream "
                   "calls?",
    "child_region": "a nested region (reset or freed with its parent)",
    "savepoint": "a mark to rewind to",
    "destructor": "a cleanup that runs at reset or destroy",
    "statistics": "usage statistics from the library's API",
}


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _last_line(text):
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def classify(case, returncode, stdout, stderr, timed_out=False, timeout=TIMEOUT):
    """The cell of one probe process: {"outcome", "detail", "exit", "signal"} (and "calls"
    for new_memory). returncode as subprocess gives it (negative: killed by a signal)."""
    line = None
    for text in (stdout or "").splitlines():
        fields = text.rstrip("\n").split("\t", 3)
        if len(fields) >= 3 and fields[0] == "probe" and fields[1] == case:
            line = fields + [""] * (4 - len(fields))
    sig = _signal_name(-returncode) if returncode is not None and returncode < 0 else None
    cell = {"outcome": None, "detail": "", "exit": None if sig or timed_out else returncode,
            "signal": sig}
    if line is not None:
        result, detail = line[2], line[3]
        if result in PRINTED:
            cell["outcome"], cell["detail"] = result, detail
        else:
            cell["outcome"], cell["detail"] = "error", f"unknown result {result!r}: {detail}"
        if result in ("new_memory", "reused"):
            m = re.search(r"after reset (\d+)", detail)
            if m:
                cell["calls"] = int(m.group(1))
            m = re.search(r"first fill (\d+)", detail)
            if m:
                cell["first_calls"] = int(m.group(1))
        after = None
        if timed_out:
            after = f"then no exit within {timeout} s"
        elif sig:
            after = f"then killed by {sig}"
        elif returncode:
            after = f"then exit status {returncode}"
        if after:
            cell["detail"] = f"{cell['detail']}; {after}" if cell["detail"] else after
        return cell
    tail = _last_line(stderr)
    if timed_out:
        cell["outcome"], cell["detail"] = "timeout", f"no result within {timeout} s"
    elif sig == "SIGABRT":
        cell["outcome"], cell["detail"] = "abort", tail or "killed by SIGABRT"
    elif sig:
        cell["outcome"] = "crash"
        cell["detail"] = f"killed by {sig}" + (f": {tail}" if tail else "")
    else:
        cell["outcome"] = "error"
        cell["detail"] = f"exit status {returncode} without a result line" + (
            f": {tail}" if tail else "")
    return cell


def run_probe(binary, case, timeout=TIMEOUT):
    """Runs `binary case` in its own process; its cell (classify)."""
    try:
        r = subprocess.run([binary, case], capture_output=True, text=True, errors="replace",
                           timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else e.stdout
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
        return classify(case, None, out, err, timed_out=True, timeout=timeout)
    except OSError as e:
        return {"outcome": "error", "detail": f"cannot run {binary}: {e.strerror or e}",
                "exit": None, "signal": None}
    return classify(case, r.returncode, r.stdout, r.stderr)


def probe_all(build_dir, libraries=LIBRARIES, cases=CASES, timeout=TIMEOUT):
    """The matrix (see the module's docstring) from the probe binaries built in build_dir;
    a library whose binary is missing gets "missing" cells."""
    paths = cmake.find_all(build_dir, ["arena_probe_" + n for n in libraries], required=False)
    results = {}
    for name in libraries:
        binary = paths["arena_probe_" + name]
        row = {}
        for case in cases:
            if binary is None:
                row[case] = {"outcome": "missing", "detail": f"arena_probe_{name} is not built "
                             f"in {build_dir}", "exit": None, "signal": None}
            else:
                row[case] = run_probe(binary, case, timeout)
        results[name] = row
    return {"version": VERSION, "timeout_s": timeout, "libraries": list(libraries),
            "cases": list(cases), "results": results}


def cell_text(cell):
    """The short text of a cell: pointer / NULL / exception / abort / crash (SIGSEGV) /
    reused / new memory (N calls) / yes / partial / no ..."""
    if not isinstance(cell, dict):
        return "—"
    outcome = cell.get("outcome")
    text = CELL.get(outcome, str(outcome))
    if outcome == "crash" and cell.get("signal"):
        text += f" ({cell['signal']})"
    elif outcome == "pointer" and str(cell.get("detail", "")).startswith("by hand"):
        text += ", by hand"             # the library has no aligned allocation
    elif outcome == "new_memory" and isinstance(cell.get("calls"), int):
        text += f" ({cell['calls']} call{'s' if cell['calls'] != 1 else ''}"
        if isinstance(cell.get("first_calls"), int):
            text += f"; {cell['first_calls']} at first"
        text += ")"
    return text


def check(matrix, where="features"):
    """Raises InputError unless matrix has the shape probe_all returns."""
    if not isinstance(matrix, dict):
        raise InputError(None, f"{where}: expected an object")
    for key in ("libraries", "cases"):
        if not isinstance(matrix.get(key), list) or not all(isinstance(x, str)
                                                            for x in matrix[key]):
            raise InputError(None, f"{where}: '{key}' must be a list of names")
    if not isinstance(matrix.get("results"), dict):
        raise InputError(None, f"{where}: 'results' must be an object")
    return matrix


def format_table(matrix, labels=None):
    """The matrix as a plain-text table (rows: libraries, columns: cases)."""
    labels = labels or {}
    cases = matrix["cases"]
    rows = [["library"] + cases]
    for name in matrix["libraries"]:
        row = matrix["results"].get(name, {})
        rows.append([labels.get(name, name)] + [cell_text(row.get(c)) for c in cases])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows)


def format_details(matrix, labels=None):
    labels = labels or {}
    lines = []
    for name in matrix["libraries"]:
        lines.append(f"{labels.get(name, name)}:")
        for case in matrix["cases"]:
            cell = matrix["results"].get(name, {}).get(case) or {}
            lines.append(f"  {case}: {cell_text(cell)} — {cell.get('detail', '')}")
    return "\n".join(lines)


def _labels():
    from . import catalogue
    try:
        cat = catalogue.load()
    except catalogue.CatalogueError:
        return {}
    return {name: cat.label(name) for name in LIBRARIES}


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="scripts/features",
        description="Runs the feature probes of ours and the peer arena libraries "
                    "(competitors/probes/, one process per library and case) and prints the "
                    "feature matrix. Cases: " + "; ".join(f"{c}: {t}" for c, t in
                                                        CASE_TEXT.items()) + ".")
    parser.add_argument("--build-dir", metavar="DIR", default=cmake.DEFAULT_BUILD_DIR,
                        help="build directory holding the arena_probe_* binaries (default: "
                             "build/bench, where scripts/bench builds them; build them with "
                             "cmake --build DIR --target arena_probes)")
    parser.add_argument("--out", metavar="FILE", help="also write the matrix as JSON here")
    parser.add_argument("--details", action="store_true",
                        help="also print each cell's detail (the API used, why)")
    args = parser.parse_args(argv)
    try:
        if not os.path.isdir(args.build_dir):
            raise InputError(args.build_dir, "no such build directory")
        found = cmake.find_all(args.build_dir, list(TARGETS), required=False)
        if not any(found.values()):
            raise InputError(args.build_dir, "no arena_probe_* binary here (build them: cmake "
                                             "--build DIR --target arena_probes)")
        if args.out:
            out = os.path.abspath(args.out)
            if os.path.isdir(out):
                raise InputError(args.out, "is a directory; --out takes a file")
            if not os.path.isdir(os.path.dirname(out)):
                raise InputError(args.out, "its directory does not exist")
    except InputError as e:
        print(f"scripts/features: error: {e}", file=sys.stderr)
        return 2
    matrix = probe_all(args.build_dir)
    labels = _labels()
    print(format_table(matrix, labels))
    if args.details:
        print()
        print(format_details(matrix, labels))
    if args.out:
        atomic.write_json_atomic(args.out, matrix)
    return 0
