"""Running bench_arena_tune: bench_arena linked with wraps (scripts/tuner/tune_wrap.cpp)
that impose ARENA_TUNE_INITIAL_CAPACITY / ARENA_TUNE_GROWTH_FACTOR on every top-level
arena and write the arena's fullest statistics to ARENA_TUNE_STATS_OUT."""
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field

from .. import cmake, stats
from ..errors import Failure
from ..names import clean_name

TARGET = "bench_arena_tune"


class TuneError(Failure):
    """Bad input (status 2) or a failed step (status 1); the message says which."""


@dataclass
class Setting:
    capacity: int | None          # None: the library default (what the code asks for)
    growth: float | None          # None: the library default


@dataclass
class Result:
    setting: Setting
    times_ns: list                # real (manual) time per iteration, one per repetition
    ns_per_alloc: list
    stats: dict                   # from ARENA_TUNE_STATS_OUT
    extra: dict = field(default_factory=dict)

    @property
    def median_ns(self):
        return stats.median(self.times_ns)


def build(build_dir):
    """Configures (if needed) and builds bench_arena_tune; returns its path."""
    return cmake.build_and_find(build_dir, [TARGET])[0]


def environment(trace=None, setting=None, stats_out=None, children=False):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ARENA_TUNE_") and k != "ARENA_TRACE_FILES"}
    if trace is not None:
        env["ARENA_TRACE_FILES"] = os.path.abspath(trace)
    if setting is not None and setting.capacity is not None:
        env["ARENA_TUNE_INITIAL_CAPACITY"] = str(int(setting.capacity))
    if setting is not None and setting.growth is not None:
        env["ARENA_TUNE_GROWTH_FACTOR"] = repr(float(setting.growth))
    if stats_out is not None:
        env["ARENA_TUNE_STATS_OUT"] = stats_out
    if children:
        env["ARENA_TUNE_CHILDREN"] = "1"
    return env


def list_benchmarks(binary, scale, trace=None):
    return [clean_name(n) for n in cmake.list_benchmarks(binary, scale, environment(trace))]


def resolve_benchmark(names, workload=None, trace=None, variant="arena"):
    """The one benchmark to tune: by workload name ("mixed_sizes", or a full name such as
    "small_fixed/arena/64"), or the trace's trace_replay/<variant>/<name>."""
    if trace is not None:
        stem = os.path.basename(trace)
        for suffix in (".quick.trace", ".full.trace", ".trace"):
            if stem.endswith(suffix) and len(stem) > len(suffix):
                stem = stem[:-len(suffix)]
                break
        want = f"trace_replay/{variant}/{stem}"
        if want not in names:
            raise TuneError(f"bench_arena_tune has no benchmark {want} for trace {trace}", 2)
        return want
    if workload in names:
        return workload
    parts = workload.split("/")
    if len(parts) > 1 and parts[1] not in ("arena", "arena_phase_reset"):
        raise TuneError(f"{workload!r}: the tuner runs the arena only (names <workload>/arena[/...])", 2)
    matches = [n for n in names if n == f"{workload}/arena" or n.startswith(f"{workload}/arena/")]
    if not matches:
        workloads = sorted({n.split("/")[0] for n in names})
        raise TuneError(f"unknown workload {workload!r} (known: {', '.join(workloads)})", 2)
    if len(matches) > 1:
        raise TuneError(f"{workload!r} has several benchmarks; name one of: {', '.join(matches)}", 2)
    return matches[0]


def run_setting(binary, benchmark, setting, scale, repetitions, min_time, trace=None,
                children=False):
    """One process: the benchmark at one setting. Returns a Result."""
    with tempfile.TemporaryDirectory(prefix="arena-tune-") as tmp:
        out_json = os.path.join(tmp, "run.json")
        stats = os.path.join(tmp, "stats.json")
        cmd = [binary, "--scale=" + scale, f"--benchmark_filter=^{re.escape(benchmark)}(/manual_time)?$",
               f"--benchmark_repetitions={repetitions}", f"--benchmark_min_time={min_time:g}",
               "--benchmark_report_aggregates_only=false", "--benchmark_out=" + out_json,
               "--benchmark_out_format=json"]
        r = subprocess.run(cmd, env=environment(trace, setting, stats, children),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0 or not os.path.exists(out_json):
            tail = "\n".join(r.stderr.strip().splitlines()[-5:])
            raise TuneError(f"{benchmark} at {describe(setting)} failed (exit {r.returncode}):\n{tail}")
        with open(out_json) as f:
            doc = json.load(f)
        rows = [b for b in doc.get("benchmarks", []) if b.get("run_type") == "iteration"]
        if not rows:
            raise TuneError(f"{benchmark} at {describe(setting)} reported no iterations")
        try:
            with open(stats) as f:
                st = json.load(f)
        except (OSError, ValueError) as e:
            raise TuneError(f"{benchmark} at {describe(setting)}: no arena statistics ({e})")
        extra = {k: rows[0][k] for k in ("checksum", "footprint_peak_bytes", "rss_peak_bytes",
                                         "page_faults", "release_ns") if k in rows[0]}
        return Result(setting, [b["real_time"] for b in rows],
                      [b.get("ns_per_alloc", 0.0) for b in rows], st, extra)


def describe(setting):
    cap = "default capacity" if setting.capacity is None else f"capacity {setting.capacity}"
    growth = "default growth" if setting.growth is None else f"growth {setting.growth:g}"
    return f"{cap}, {growth}"
