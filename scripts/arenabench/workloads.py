"""The workloads in the reports' fixed order, and the benchmark names the bench binaries
register (a mirror of workloads/registry.h).

The names are used to reject a --filter that matches nothing before anything is built;
the binaries' own --benchmark_list_tests output stays the authority: scripts/bench
enumerates them again after building.
"""
from . import catalogue

# Synthetic workloads, registered by every bench_<allocator> binary
# (capacity_sweep only by bench_arena).
SYNTHETIC = ("small_fixed", "mixed_sizes", "aligned", "reset_cycles", "churn", "large",
             "capacity_sweep", "small_fixed_mt", "locality")
# Realistic workloads (workloads/realistic/), every allocator.
REALISTIC = ("scheme_reader", "compiler_nested", "json_dom", "binary_trees", "request_reset")
# Replays of recorded allocation traces (scripts/record-trace), every allocator.
TRACE = ("trace_replay",)
TRACES = ("python", "sqlite", "guile", "synthetic")

# Order of tables and plot panels: synthetic first, then realistic, then traces.
ORDER = SYNTHETIC + REALISTIC + TRACE

SMALL_FIXED_SIZES = (8, 16, 32, 64, 80, 128, 256)
ALIGNMENTS = (16, 32, 64, 4096)
CAPACITIES = (4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)
FASTPATH_PREFIX = "fastpath/"       # arena/bench's bench_arena_fastpath


def order(names):
    """Known workloads in the fixed order, unknown ones after them, sorted."""
    names = list(dict.fromkeys(names))
    return [w for w in ORDER if w in names] + sorted(w for w in names if w not in ORDER)


def names(allocators=None):
    """Every benchmark name the bench binaries of these allocators register."""
    arena = catalogue.load().arena
    out = []
    for a in catalogue.load().names if allocators is None else allocators:
        out += ["small_fixed/%s/%d" % (a, s) for s in SMALL_FIXED_SIZES]
        out.append("mixed_sizes/%s" % a)
        out += ["aligned/%s/%d" % (a, x) for x in ALIGNMENTS]
        out += ["reset_cycles/%s" % a, "churn/%s" % a, "large/%s" % a]
        if a == arena:
            out += ["capacity_sweep/%s/%d" % (a, c) for c in CAPACITIES]
        out += ["small_fixed_mt/%s/64/threads:%d" % (a, t) for t in (1, 2)]
        out.append("locality/%s" % a)
        out += ["%s/%s" % (w, a) for w in REALISTIC]
        out += ["trace_replay/%s/%s" % (v, t) for v in ([a, a + "_phase_reset"] if a == arena else [a])
                for t in TRACES]
    return out
