"""scripts/report: arguments, input validation and the atomic output directory.

    scripts/report RESULTS.json... --out DIR [--baseline OLD.json] [--counts-from COUNTS]

Reads one or more results files written by scripts/bench (several runs, or runs from
several machines: kept apart by machine, spread shown) and writes into DIR: report.md,
report.html (self-contained), plots/*.png and *.svg, measurements.csv, and with
--baseline a "what changed" section plus changes.csv. Counts results (scripts/bench
--counts), given with --counts-from or among the results, add a Counts section (report/
counts.py) and feed the Cache Locality row; they are never pooled with times.

Bad input (missing, empty, truncated or malformed file, wrong structure) or an unusable
output path: one line naming the file and the problem on stderr, exit status 2, and
nothing written: the report is built in a temporary directory next to DIR and renamed
into place only when complete (an existing DIR is replaced only then).
"""
import argparse
import os
import shutil
import sys

from .. import atomic, countgate, interrupt
from ..errors import InputError
from ..results import load_results



def prog_name():
    """The name messages start with: the command as the user typed it (scripts/report, or
    its alias scripts/report.py)."""
    return "report.py" if sys.argv[0].endswith("report.py") else "report"


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog=prog_name(), description="Comparison report from scripts/bench results files.")
    ap.add_argument("results", nargs="+", metavar="RESULTS.json",
                    help="results files (several runs or machines may be given)")
    # --out is checked after the inputs (main): a missing results file is named first
    ap.add_argument("--out", metavar="DIR", help="output directory (required)")
    ap.add_argument("--baseline", metavar="OLD.json",
                    help="an older results file: adds a 'what changed' section")
    ap.add_argument("--counts-from", metavar="COUNTS", action="append", default=[],
                    help="a counts result of scripts/bench --counts (its results.json or its "
                         "directory): adds the instructions-per-allocation plot, the counts "
                         "table and where counts and times disagree (repeatable)")
    return ap.parse_args(argv)


def keep_inputs_inside(paths, out, tmp):
    """Results files that live inside the output directory (regenerating a report in place,
    e.g. reports/reference/results.json) are carried over into the new directory."""
    out = os.path.abspath(out)
    for p in paths:
        rel = os.path.relpath(os.path.abspath(p), out)
        if not rel.startswith(os.pardir + os.sep) and rel != os.pardir:
            os.makedirs(os.path.join(tmp, os.path.dirname(rel)), exist_ok=True)
            shutil.copy2(p, os.path.join(tmp, rel))


def build_report(runs, baseline_runs, out, command, inputs=(), counts_runs=()):
    """Writes the report of loaded runs into out, atomically (see atomic.atomic_dir).
    scripts/bench calls this directly after a run. Counts results among runs are set apart
    (report/counts.py); a report of counts alone is built from them."""
    from .build import ReportBuilder              # imports matplotlib
    from .counts import split
    timed, counted = split(runs)
    counted += [r for r in counts_runs if r not in counted]
    with atomic.atomic_dir(out) as tmp:
        keep_inputs_inside(list(inputs), out, tmp)
        ReportBuilder(timed or counted, baseline_runs, command,
                      counted if timed else None).build(tmp)


def counts_path(path):
    """A --counts-from argument: a results file, or the directory scripts/bench wrote."""
    inside = os.path.join(path, "results.json")
    return inside if os.path.isdir(path) and os.path.exists(inside) else path


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    interrupt.install()          # an interrupted report is never put in place
    args = parse_args(argv)
    prog = prog_name()
    try:
        runs = [load_results(p) for p in args.results]        # everything validated first
        base = [load_results(args.baseline)] if args.baseline else None
        counts_files = [counts_path(p) for p in args.counts_from]
        counts_runs = [load_results(p) for p in counts_files]
        for p, run in zip(counts_files, counts_runs):
            if run.suite.get("mode") != "counts":
                raise InputError(p, "--counts-from needs a counts result (scripts/bench "
                                    "--counts; context.arena_suite.mode \"counts\"), this "
                                    "is a timed one: give it without --counts-from")
        for p, run in zip(args.results + counts_files, runs + counts_runs):
            if run.suite.get("mode") == "counts":
                countgate.load(p)         # the counts checked as strictly as the gate does
        if not args.out:
            raise InputError(None, "--out DIR is required: the directory to write the report "
                                   "into")
        atomic.check_target(args.out)
        build_report(runs, base, args.out, f"scripts/{prog} " + " ".join(argv),
                     args.results + ([args.baseline] if args.baseline else []) + counts_files,
                     counts_runs)
    except InputError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted: no report written", file=sys.stderr)
        return 130
    print(f"{prog}: wrote {os.path.join(args.out, 'report.html')} and report.md")
    return 0
