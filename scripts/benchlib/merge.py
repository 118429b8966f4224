"""Merging per-process Google Benchmark JSON files into one results.json."""

import json
import os
import re
import tempfile

_MANUAL_TIME = re.compile(r"/manual_time(?=/|_|$)")


def clean_name(name):
    """Drops Google Benchmark's "/manual_time" from a benchmark name, so that
    names follow <workload>/<allocator>[/<params>] (threads stay: "/threads:2")."""
    return _MANUAL_TIME.sub("", name)


def split_name(run_name):
    """(workload, allocator, params) of a run name; params may be ""."""
    parts = run_name.split("/")
    workload = parts[0]
    allocator = parts[1] if len(parts) > 1 else ""
    return workload, allocator, "/".join(parts[2:])


def case_key(run_name):
    """The run name without its allocator: rows with the same key ran the same
    workload with the same parameters and must share a checksum."""
    workload, _, params = split_name(run_name)
    return workload + ("/" + params if params else "")


def clean_benchmark(row):
    row = dict(row)
    for key in ("name", "run_name"):
        if key in row:
            row[key] = clean_name(row[key])
    return row


def merge_runs(runs):
    """runs: parsed Google Benchmark JSON documents, in order. Returns one
    document: the first context, every benchmark row (names cleaned)."""
    merged = {"context": {}, "benchmarks": []}
    for doc in runs:
        if not merged["context"] and doc.get("context"):
            merged["context"] = dict(doc["context"])
        merged["benchmarks"].extend(clean_benchmark(b) for b in doc.get("benchmarks", []))
    return merged


def merge_series(target, series):
    """Adds one process' series document into target (both dicts of
    {"memory_timeline": {...}, "latency_cdf": {...}})."""
    for kind in ("memory_timeline", "latency_cdf"):
        for name, value in (series or {}).get(kind, {}).items():
            target.setdefault(kind, {})[clean_name(name)] = value
    return target


def checksum_mismatches(benchmarks):
    """Cases whose rows disagree on the checksum counter, as
    {case_key: {allocator: [checksums...]}}. Only rows carrying a checksum
    and no error count; every row type is compared (iterations, aggregates
    but stddev/cv, whose checksum is a spread, not a value)."""
    seen = {}
    for row in benchmarks:
        if "checksum" not in row or row.get("error_occurred"):
            continue
        if row.get("aggregate_name") in ("stddev", "cv"):
            continue
        run_name = row.get("run_name", row.get("name", ""))
        _, allocator, _ = split_name(run_name)
        seen.setdefault(case_key(run_name), {}).setdefault(allocator, set()).add(row["checksum"])
    bad = {}
    for case, by_alloc in seen.items():
        values = set().union(*by_alloc.values())
        if len(values) > 1:
            bad[case] = {a: sorted(v) for a, v in sorted(by_alloc.items())}
    return bad


def write_json_atomic(path, document):
    """Writes JSON to a temporary file beside path, then renames it over path:
    readers see the old file or the new one, never a partial one."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".results-", suffix=".json.tmp", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(document, f, indent=1)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
