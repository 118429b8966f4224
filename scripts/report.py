#!/usr/bin/python3
"""Comparison report for the arena benchmark suite.

    scripts/report.py RESULTS.json... --out DIR [--baseline OLD.json]

Reads one or more results.json files written by scripts/bench (several runs, or runs
from several machines: kept apart by machine, spread shown) and writes into DIR:
report.md, report.html (self-contained), plots/*.png and *.svg, measurements.csv, and
with --baseline a "what changed" section plus changes.csv.

Bad input (missing, empty, truncated or malformed file, wrong structure) or an unusable
output path: one line naming the file and the problem on stderr, exit status 2, and
nothing written: the report is built in a temporary directory next to DIR and renamed
into place only when complete (an existing DIR is replaced only then).
"""
import argparse
import os
import shutil
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from reportlib import output  # noqa: E402
from reportlib.errors import ReportInputError  # noqa: E402
from reportlib.load import load_results  # noqa: E402
from reportlib.output import atomic_dir, check_target  # noqa: E402


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="report.py", description="Comparison report from scripts/bench results files.")
    ap.add_argument("results", nargs="+", metavar="RESULTS.json",
                    help="results files (several runs or machines may be given)")
    ap.add_argument("--out", required=True, metavar="DIR", help="output directory")
    ap.add_argument("--baseline", metavar="OLD.json",
                    help="an older results file: adds a 'what changed' section")
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


def _interrupted(signum, frame):
    output.interrupted = True
    raise KeyboardInterrupt   # unwinds through atomic_dir, which removes the temporary dir


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGTERM, _interrupted)
    signal.signal(signal.SIGINT, _interrupted)
    args = parse_args(argv)
    try:
        check_target(args.out)
        runs = [load_results(p) for p in args.results]        # everything validated first
        base = [load_results(args.baseline)] if args.baseline else None
        from reportlib.build import ReportBuilder              # imports matplotlib
        command = "scripts/report.py " + " ".join(argv)
        with atomic_dir(args.out) as tmp:
            keep_inputs_inside(args.results + ([args.baseline] if args.baseline else []),
                               args.out, tmp)
            ReportBuilder(runs, base, command).build(tmp)
    except ReportInputError as e:
        print(f"report.py: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("report.py: interrupted: no report written", file=sys.stderr)
        return 130
    print(f"report.py: wrote {os.path.join(args.out, 'report.html')} and report.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
