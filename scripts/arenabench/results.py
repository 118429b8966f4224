"""Reading and validating results files: the results format, and its one loader.

The results format
------------------
A results file (scripts/bench writes DIR/results.json) is Google Benchmark JSON
(--benchmark_out_format=json), merged from one process per benchmark:

  context      Google Benchmark's context of the first process (host_name, num_cpus,
               caches, ...) plus the harness's own keys (arena_bench_*), and
  context.arena_suite   what scripts/bench adds (every field optional for readers):
      command           the command that produced the file
      machine           {cpu_model, cores, memory_bytes, kernel, os}
      compiler, cxx_flags, build_type, library_versions {name: version}
      repetitions, quick, allocators (the allocators run, in the fixed order)
      catalogue         the allocator catalogue the run used, from
                        competitors/catalogue.txt: [{name, label, colour, role, flags}]
                        in the fixed order (catalogue.py; absent in older files)
      checksum_mismatches  {case: {allocator: [checksums]}} when allocators disagreed
      features          the feature matrix of the arena libraries, from the probes
                        (arenabench/features.py documents it; absent in older files)
  benchmarks   one row per repetition (run_type "iteration") and Google Benchmark's
               aggregates (run_type "aggregate": mean, median, stddev, cv). Names are
               <workload>/<allocator>[/<params>] (names.py: "/manual_time" removed);
               real_time and cpu_time in time_unit; the harness's counters are numbers
               (their meanings: report/environment.py COUNTERS; a missing counter is
               "not measured", never an error). Exception: the fastpath benchmarks
               (arena/bench's bench_arena_fastpath) write ns_per_alloc as a Google
               Benchmark inverted rate, which is seconds per allocation; the loader
               converts it to ns (SECONDS_COUNTERS), so every reader sees ns.
  series       optional: {"memory_timeline": {name: {t_ns, footprint_bytes, rss_bytes}},
                          "latency_cdf": {name: {percentile, ns}}} (lists of equal length).

A bench binary's own --benchmark_out file, or a directory of them, is accepted by
scripts/compare (repetition_times below), which needs only the iteration rows.

Every problem raises InputError naming the file and what is wrong, before anything is
written.
"""
import glob
import json
import math
import os
from dataclasses import dataclass, field

from . import catalogue as catalogue_mod
from .errors import InputError
from .names import clean_name, parse_name

# Keys Google Benchmark writes on every row that are not user counters.
GB_FIELDS = {"name", "run_name", "run_type", "aggregate_name", "aggregate_unit",
             "family_index", "per_family_instance_index", "repetitions", "repetition_index",
             "threads", "iterations", "real_time", "cpu_time", "time_unit", "label",
             "error_occurred", "error_message", "big_o", "rms", "complexity"}
# Counters of the contract: when present they must be numbers.
KNOWN_COUNTERS = {"ns_per_alloc", "release_ns", "live_peak_bytes", "footprint_peak_bytes",
                  "rss_peak_bytes", "overhead_ratio", "fragmentation", "lat_p50_ns",
                  "lat_p99_ns", "lat_p999_ns", "lat_max_ns", "page_faults", "gc_count",
                  "gc_pause_total_ns", "gc_pause_max_ns", "retained_after_release_bytes",
                  "checksum", "allocs", "sys_allocs_per_cycle", "blocks", "waste_bytes",
                  "committed_bytes", "suggested_capacity_bytes", "initial_capacity"}
TIME_UNITS_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
AGGREGATES = {"mean", "median", "stddev", "cv"}
# Counters written in seconds although their name says ns, per workload: bench_fastpath.h's
# ns_per_alloc is Counter(kAllocations, kIsIterationInvariantRate | kInvert), i.e. seconds
# per allocation. Converted on load, here and nowhere else.
SECONDS_COUNTERS = {"fastpath": ("ns_per_alloc",)}


@dataclass
class Row:
    """One row of `benchmarks`: an iteration (one repetition) or an aggregate."""
    name: str
    run_name: str
    workload: str
    allocator: str
    params: str
    run_type: str                 # "iteration" | "aggregate"
    aggregate: str | None         # "median", "mean", "stddev", "cv" or another aggregate
    threads: int
    repetitions: int
    values: dict                  # metric -> float; includes real_time_ns / cpu_time_ns
    error: str | None = None


@dataclass
class Run:
    """One results file."""
    path: str
    context: dict
    suite: dict                   # context.arena_suite ({} when absent)
    rows: list
    series: dict                  # {"memory_timeline": {...}, "latency_cdf": {...}}
    skipped_names: list = field(default_factory=list)   # rows not named workload/allocator
    catalogue: object = None      # catalogue.Catalogue recorded by scripts/bench, or None

    @property
    def host(self):
        return str(self.context.get("host_name") or "unknown host")

    @property
    def machine(self):
        m = self.suite.get("machine")
        return m if isinstance(m, dict) else {}

    @property
    def machine_key(self):
        cpu = self.machine.get("cpu_model") or "unknown CPU"
        cores = self.machine.get("cores") or self.context.get("num_cpus") or "?"
        return f"{self.host} · {cpu} · {cores} cores"


def _fail(path, problem):
    raise InputError(path, problem)


def read_json(path):
    """The parsed JSON of a file, or InputError saying why it cannot be had."""
    if not os.path.exists(path):
        _fail(path, "cannot read: no such file")
    if os.path.isdir(path):
        _fail(path, "cannot read: it is a directory, expected a results.json file")
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        _fail(path, f"cannot read: {e.strerror or e}")
    if not raw.strip():
        _fail(path, "file is empty" if not raw else "file contains only whitespace")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        _fail(path, f"not UTF-8 text (byte {e.start}): not a results.json file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        if e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string"):
            _fail(path, f"not valid JSON, truncated: the text ends before the document is "
                        f"complete (line {e.lineno}, column {e.colno}: {e.msg})")
        _fail(path, f"malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}")


def _number(path, where, key, value):
    """A finite number, or None for NaN/Infinity (Google Benchmark writes those for 0/0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(path, f"{where}: '{key}' must be a number, got {type(value).__name__} {value!r:.40}")
    value = float(value)
    return value if math.isfinite(value) else None


def _parse_row(path, i, b):
    where = f"benchmarks[{i}]"
    if not isinstance(b, dict):
        _fail(path, f"{where} is a {type(b).__name__}, expected an object")
    name = b.get("name")
    if not isinstance(name, str) or not name:
        _fail(path, f"{where} has no 'name' string")
    where = f"benchmarks[{i}] ('{name}')"
    run_type = b.get("run_type", "iteration")
    if run_type not in ("iteration", "aggregate"):
        _fail(path, f"{where}: run_type must be 'iteration' or 'aggregate', got {run_type!r}")
    aggregate = None
    if run_type == "aggregate":
        aggregate = b.get("aggregate_name")
        if not isinstance(aggregate, str):
            _fail(path, f"{where}: aggregate row without an 'aggregate_name' string")
    run_name = b.get("run_name", name)
    if not isinstance(run_name, str):
        _fail(path, f"{where}: 'run_name' must be a string")
    if aggregate and run_name == name and name.endswith("_" + aggregate):
        run_name = name[: -len(aggregate) - 1]     # older writers omit run_name
    error = None
    if b.get("error_occurred"):
        error = str(b.get("error_message") or "benchmark reported an error")

    values = {}
    unit = b.get("time_unit", "ns")
    if unit not in TIME_UNITS_NS:
        _fail(path, f"{where}: unknown time_unit {unit!r} (expected ns, us, ms or s)")
    for key in ("real_time", "cpu_time"):
        if key in b:
            v = _number(path, where, key, b[key])
            if v is not None:
                # cv rows are ratios whatever the time unit says
                values[key + "_ns"] = v if aggregate == "cv" else v * TIME_UNITS_NS[unit]
        elif error is None:
            _fail(path, f"{where}: missing '{key}'")
    for key, value in b.items():
        if key in GB_FIELDS:
            continue
        if (isinstance(value, (str, list, dict)) or value is None) and key not in KNOWN_COUNTERS:
            continue          # not a counter (Google Benchmark never writes these as counters)
        v = _number(path, where, key, value)
        if v is not None:
            values[key] = v
    threads = b.get("threads", 1)
    reps = b.get("repetitions", 1)
    for key, v in (("threads", threads), ("repetitions", reps)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            _fail(path, f"{where}: '{key}' must be a non-negative integer, got {v!r}")

    if error is not None:
        values = {}       # a failed benchmark's numbers (often zeros) are not measurements
    parsed = parse_name(run_name)
    if parsed is None:
        return None, run_name
    workload, alloc, params = parsed
    if aggregate != "cv":         # cv rows are ratios, unit-free
        for key in SECONDS_COUNTERS.get(workload, ()):
            if key in values:
                values[key] *= 1e9
    return Row(name, run_name, workload, alloc, params, run_type, aggregate, threads,
               reps, values, error), None


def _check_series(path, series):
    if not isinstance(series, dict):
        _fail(path, f"'series' is a {type(series).__name__}, expected an object")
    out = {}
    specs = {"memory_timeline": ("t_ns", ["footprint_bytes", "rss_bytes"]),
             "latency_cdf": ("percentile", ["ns"])}
    for kind, entries in series.items():
        if kind not in specs:
            out[kind] = entries       # unknown series: kept, unused
            continue
        xkey, ykeys = specs[kind]
        if not isinstance(entries, dict):
            _fail(path, f"series.{kind} is a {type(entries).__name__}, expected an object")
        clean = {}
        for run_name, s in entries.items():
            where = f"series.{kind}['{run_name}']"
            if not isinstance(s, dict):
                _fail(path, f"{where} is a {type(s).__name__}, expected an object")
            if xkey not in s:
                _fail(path, f"{where} has no '{xkey}' list")
            present = [k for k in ykeys if k in s]
            if not present:
                _fail(path, f"{where} has none of {', '.join(repr(k) for k in ykeys)}")
            arrays = {}
            for k in [xkey] + present:
                arr = s[k]
                if not isinstance(arr, list):
                    _fail(path, f"{where}['{k}'] is a {type(arr).__name__}, expected a list")
                for j, v in enumerate(arr):
                    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                        _fail(path, f"{where}['{k}'][{j}] is {v!r}, expected a finite number")
                arrays[k] = [float(v) for v in arr]
                if len(arrays[k]) != len(arrays[xkey]):
                    _fail(path, f"{where}: '{k}' has {len(arrays[k])} values but '{xkey}' has "
                                f"{len(arrays[xkey])}")
            if kind == "latency_cdf":
                p = arrays["percentile"]
                if any(v < 0 or v > 100 for v in p) or any(b < a for a, b in zip(p, p[1:])):
                    _fail(path, f"{where}: 'percentile' must rise from 0 to 100")
            clean[run_name] = arrays
        out[kind] = clean
    return out


def load_results(path):
    """Read and validate one results file; returns a Run or raises InputError."""
    path = str(path)
    doc = read_json(path)
    if not isinstance(doc, dict):
        _fail(path, f"top level is a JSON {type(doc).__name__}, expected an object with "
                    f"'context' and 'benchmarks' (Google Benchmark JSON)")
    if "benchmarks" not in doc:
        _fail(path, "no 'benchmarks' list: not a Google Benchmark results file")
    if "context" not in doc:
        _fail(path, "no 'context' object: not a Google Benchmark results file")
    context, benches = doc["context"], doc["benchmarks"]
    if not isinstance(context, dict):
        _fail(path, f"'context' is a {type(context).__name__}, expected an object")
    if not isinstance(benches, list):
        _fail(path, f"'benchmarks' is a {type(benches).__name__}, expected a list")
    if not benches:
        _fail(path, "'benchmarks' is empty: the run measured nothing")
    suite = context.get("arena_suite", {})
    if not isinstance(suite, dict):
        _fail(path, f"context.arena_suite is a {type(suite).__name__}, expected an object")
    recorded = None
    if "catalogue" in suite:
        try:
            recorded = catalogue_mod.from_context(suite["catalogue"], path)
        except catalogue_mod.CatalogueError as e:
            _fail(path, str(e))
    rows, skipped = [], []
    for i, b in enumerate(benches):
        row, skipped_name = _parse_row(path, i, b)
        if row is not None:
            rows.append(row)
        else:
            skipped.append(skipped_name)
    if not rows:
        _fail(path, f"no benchmark is named <workload>/<allocator>[/<parameters>] "
                    f"(first name: '{skipped[0]}'): not an arena-suite results file")
    series = _check_series(path, doc.get("series", {}))
    return Run(path, context, suite, rows, series, sorted(set(skipped)), recorded)


# ---- repetition times (scripts/compare) -----------------------------------------------------

def repetition_times(path):
    """{benchmark name: {"real": [ns...], "cpu": [ns...]}} of the iteration rows (one per
    repetition), plus the context of the first file. path: scripts/bench's results.json,
    a bench binary's --benchmark_out file, or a directory of such files (merged, e.g.
    one per bench binary). Aggregates are Google Benchmark's summaries of the iteration
    rows and are not used. Raises InputError."""
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, "*.json")))
        if not files:
            _fail(path, "a directory without *.json results files")
        runs, context = {}, None
        for f in files:
            r, c = _repetition_times_of_file(f)
            for name, times in r.items():
                entry = runs.setdefault(name, {"real": [], "cpu": []})
                entry["real"] += times["real"]
                entry["cpu"] += times["cpu"]
            context = context or c
        return runs, context
    return _repetition_times_of_file(path)


def _repetition_times_of_file(path):
    doc = read_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
        _fail(path, "not Google Benchmark JSON (no \"benchmarks\" list)")
    if not doc["benchmarks"]:
        _fail(path, "the \"benchmarks\" list is empty")
    runs = {}
    aggregates = 0
    for i, row in enumerate(doc["benchmarks"]):
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            _fail(path, f"benchmark row {i} has no name")
        if row.get("run_type") == "aggregate":
            aggregates += 1
            continue
        if row.get("error_occurred"):
            continue
        unit = row.get("time_unit", "ns")
        if unit not in TIME_UNITS_NS:
            _fail(path, f"{row['name']}: unknown time_unit {unit!r}")
        try:
            real = float(row["real_time"]) * TIME_UNITS_NS[unit]
            cpu = float(row.get("cpu_time", row["real_time"])) * TIME_UNITS_NS[unit]
        except (KeyError, TypeError, ValueError):
            _fail(path, f"{row['name']}: no numeric real_time")
        if not real > 0:
            _fail(path, f"{row['name']}: real_time {row['real_time']!r} is not positive")
        name = clean_name(row.get("run_name", row["name"]) if row.get("run_type") == "iteration"
                          else row["name"])
        entry = runs.setdefault(name, {"real": [], "cpu": []})
        entry["real"].append(real)
        entry["cpu"].append(cpu)
    if not runs:
        if aggregates:
            _fail(path, "aggregates only (no per-repetition rows): the U test needs every "
                        "repetition; run with --benchmark_report_aggregates_only=false "
                        "(scripts/bench keeps them)")
        _fail(path, "no benchmark rows without errors")
    context = doc.get("context", {})
    return runs, context if isinstance(context, dict) else {}
