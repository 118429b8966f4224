"""Repetition times per benchmark from a Google Benchmark JSON file.

Accepts what the bench binaries write (--benchmark_out, names ending in /manual_time),
scripts/bench's merged results.json (names cleaned), and a directory of such files
(merged, e.g. one per bench binary); names are normalised to
<workload>/<allocator>[/<params>]. Only iteration rows count (one per repetition);
aggregates (mean, median, stddev, cv) are Google Benchmark's summaries of them.
"""
import glob
import json
import os
import re

_TIME_TOKEN = re.compile(r"/(manual_time|real_time|process_time)(?=/|$)")
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


class InputError(Exception):
    """A results file that cannot be compared; the message names the file and the problem."""


def clean_name(name):
    return _TIME_TOKEN.sub("", name)


def load(path):
    """{benchmark name: {"real": [ns...], "cpu": [ns...]}} of the iteration rows, plus the
    context (of the first file). Raises InputError."""
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, "*.json")))
        if not files:
            raise InputError(f"{path}: a directory without *.json results files")
        runs, context = {}, None
        for f in files:
            r, c = load_file(f)
            for name, times in r.items():
                entry = runs.setdefault(name, {"real": [], "cpu": []})
                entry["real"] += times["real"]
                entry["cpu"] += times["cpu"]
            context = context or c
        return runs, context
    return load_file(path)


def load_file(path):
    try:
        with open(path) as f:
            doc = json.load(f)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg}); "
                         f"truncated or not a results file?") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
        raise InputError(f"{path}: not Google Benchmark JSON (no \"benchmarks\" list)")
    if not doc["benchmarks"]:
        raise InputError(f"{path}: the \"benchmarks\" list is empty")
    runs = {}
    aggregates = 0
    for i, row in enumerate(doc["benchmarks"]):
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            raise InputError(f"{path}: benchmark row {i} has no name")
        if row.get("run_type") == "aggregate":
            aggregates += 1
            continue
        if row.get("error_occurred"):
            continue
        unit = row.get("time_unit", "ns")
        if unit not in UNIT_NS:
            raise InputError(f"{path}: {row['name']}: unknown time_unit {unit!r}")
        try:
            real = float(row["real_time"]) * UNIT_NS[unit]
            cpu = float(row.get("cpu_time", row["real_time"])) * UNIT_NS[unit]
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{path}: {row['name']}: no numeric real_time") from None
        if not real > 0:
            raise InputError(f"{path}: {row['name']}: real_time {row['real_time']!r} is not positive")
        name = clean_name(row.get("run_name", row["name"]) if row.get("run_type") == "iteration"
                          else row["name"])
        entry = runs.setdefault(name, {"real": [], "cpu": []})
        entry["real"].append(real)
        entry["cpu"].append(cpu)
    if not runs:
        if aggregates:
            raise InputError(f"{path}: aggregates only (no per-repetition rows): the U test needs "
                             f"every repetition; run with --benchmark_report_aggregates_only=false "
                             f"(scripts/bench keeps them)")
        raise InputError(f"{path}: no benchmark rows without errors")
    return runs, doc.get("context", {})
