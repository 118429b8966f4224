"""Benchmark names: <workload>/<allocator>[/<params>].

Google Benchmark appends "/manual_time" (or "/real_time", "/process_time") to the
names of benchmarks that time themselves; the suite's names never carry them.
"""
import re

_TIME_TOKEN = re.compile(r"/(manual_time|real_time|process_time)(?=/|_|$)")
# Google Benchmark appends these to a name; they are not workload parameters.
_META_TOKEN = re.compile(r"^(min_time|min_warmup_time|repeats|iterations):"
                         r"|^(real_time|process_time|manual_time)$")


def clean_name(name):
    """Drops Google Benchmark's timing suffix ("/manual_time") from a benchmark name, also
    before an aggregate's "_median"; "/threads:2" stays."""
    return _TIME_TOKEN.sub("", name)


def split_name(run_name):
    """(workload, allocator, params) of a clean run name; params may be ""."""
    parts = run_name.split("/")
    workload = parts[0]
    allocator = parts[1] if len(parts) > 1 else ""
    return workload, allocator, "/".join(parts[2:])


def case_key(run_name):
    """The run name without its allocator: rows with the same key ran the same
    workload with the same parameters and must share a checksum."""
    workload, _, params = split_name(run_name)
    return workload + ("/" + params if params else "")


def parse_name(run_name):
    """'small_fixed/arena/64/threads:2/min_time:0.010' -> ('small_fixed', 'arena', '64/threads:2').

    Returns None when the name does not follow <workload>/<allocator>[/<parameters>].
    """
    parts = [p for p in str(run_name).split("/") if p != ""]
    if len(parts) < 2:
        return None
    workload, alloc = parts[0], parts[1]
    params = [p for p in parts[2:] if not _META_TOKEN.match(p)]
    return workload, alloc, "/".join(params)


def natural_key(text):
    """Sort '8' < '64' < '4096' and 'threads:1' < 'threads:2' naturally."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", text) if t]
