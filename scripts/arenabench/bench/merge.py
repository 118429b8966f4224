"""Merging per-process Google Benchmark JSON files into one results.json."""

from ..names import case_key, clean_name, split_name


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
