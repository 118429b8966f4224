"""Allocator identity: fixed order, colours and labels; benchmark-name parsing.

Every plot and table uses the same order and colour for an allocator, so a reader
learns them once. Unknown allocators (new adapters, arena variants such as
arena_phase_reset) are appended after the known ones, in order of first appearance.
"""
import re

# Fixed order (results-format.md): the arena first, the physical limit next to it,
# then the other region-style allocators, then the general-purpose heaps, then the GC.
ORDER = ["arena", "ideal_bump", "pmr_monotonic", "mimalloc_heap", "mimalloc",
         "jemalloc", "tcmalloc", "malloc", "boehm"]

LABELS = {
    "arena": "arena (ours)",
    "ideal_bump": "ideal bump (limit)",
    "pmr_monotonic": "std::pmr monotonic",
    "mimalloc_heap": "mimalloc heap",
    "mimalloc": "mimalloc",
    "jemalloc": "jemalloc",
    "tcmalloc": "tcmalloc",
    "malloc": "glibc malloc",
    "boehm": "Boehm GC",
}

# Okabe-Ito colour-blind-safe palette plus grey and brown; the arena gets the loudest one.
COLOURS = {
    "arena": "#D55E00",
    "ideal_bump": "#B0B0B0",
    "pmr_monotonic": "#E69F00",
    "mimalloc_heap": "#56B4E9",
    "mimalloc": "#0072B2",
    "jemalloc": "#009E73",
    "tcmalloc": "#CC79A7",
    "malloc": "#303030",
    "boehm": "#8C564B",
}
# Arena variants (arena_phase_reset, arena_cxx, ...) get shades of the arena's colour.
_ARENA_VARIANT_COLOURS = ["#F4A582", "#B2182B", "#FDDBC7", "#67001F"]
_OTHER_COLOURS = ["#9467BD", "#BCBD22", "#17BECF", "#7F7F7F", "#1F77B4", "#2CA02C"]

# Hatching marks the limit: it is not a real allocator.
HATCH = {"ideal_bump": "//"}

# Roles in the seed's comparison table.
ARENA = "arena"
GC = "boehm"
MANUAL = ["malloc", "mimalloc", "jemalloc", "tcmalloc"]
REGION_PEERS = ["mimalloc_heap", "pmr_monotonic"]   # arena-like, no seed claim
LIMIT = "ideal_bump"                                 # noise floor / lower bound, not real

# Workload order for tables and plot panels: synthetic first, then realistic.
WORKLOAD_ORDER = ["small_fixed", "mixed_sizes", "aligned", "reset_cycles", "churn", "large",
                  "capacity_sweep", "small_fixed_mt",
                  "scheme_reader", "compiler_nested", "json_dom", "binary_trees",
                  "request_reset", "trace_replay"]

# Google Benchmark appends these to a name; they are not workload parameters.
_META_TOKEN = re.compile(r"^(min_time|min_warmup_time|repeats|iterations):|^(real_time|process_time|manual_time)$")


def order_allocators(names):
    """Known allocators in the fixed order, unknown ones appended in first-seen order."""
    names = list(dict.fromkeys(names))
    known = [a for a in ORDER if a in names]
    return known + [a for a in names if a not in ORDER]


def order_workloads(names):
    names = list(dict.fromkeys(names))
    known = [w for w in WORKLOAD_ORDER if w in names]
    return known + sorted(w for w in names if w not in WORKLOAD_ORDER)


def label(alloc):
    return LABELS.get(alloc, alloc)


def colour(alloc, seen=()):
    """Colour of an allocator; `seen` is the ordered list of all allocators in the report
    (so unknown ones get stable, distinct colours)."""
    if alloc in COLOURS:
        return COLOURS[alloc]
    unknown = [a for a in order_allocators(seen) if a not in COLOURS] or [alloc]
    if alloc not in unknown:
        unknown.append(alloc)
    if alloc.startswith("arena"):
        variants = [a for a in unknown if a.startswith("arena")]
        return _ARENA_VARIANT_COLOURS[variants.index(alloc) % len(_ARENA_VARIANT_COLOURS)]
    others = [a for a in unknown if not a.startswith("arena")]
    return _OTHER_COLOURS[others.index(alloc) % len(_OTHER_COLOURS)]


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
