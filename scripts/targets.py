#!/usr/bin/python3
"""Prints the issue's target table (ratios within one run) from a results.json.

usage: scripts/targets.py RESULTS_JSON [--markdown OUT.md]
Exit status: 0 (even when targets are missed: they are measurements, not
tests), 2 for a missing or unreadable file.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import targets  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="results.json written by scripts/bench")
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args(argv)
    try:
        with open(args.results) as f:
            document = json.load(f)
    except (OSError, ValueError) as e:
        print("targets.py: cannot read %s: %s" % (args.results, e), file=sys.stderr)
        return 2
    table = targets.format_table(targets.evaluate(document))
    print(table)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
