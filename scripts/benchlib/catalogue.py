"""Benchmark names the bench binaries register (mirror of
workloads/registry.h), used to reject a --filter that matches nothing before
anything is built. The binaries' own --benchmark_list_tests output stays the
authority: scripts/bench enumerates them again after building."""

from . import ALLOCATORS, REALISTIC_WORKLOADS

SMALL_FIXED_SIZES = (8, 16, 32, 64, 80, 128, 256)
ALIGNMENTS = (16, 32, 64, 4096)
CAPACITIES = (4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)
FASTPATH_PREFIX = "fastpath/"


def names(allocators=ALLOCATORS):
    out = []
    for a in allocators:
        out += ["small_fixed/%s/%d" % (a, s) for s in SMALL_FIXED_SIZES]
        out.append("mixed_sizes/%s" % a)
        out += ["aligned/%s/%d" % (a, x) for x in ALIGNMENTS]
        out += ["reset_cycles/%s" % a, "churn/%s" % a, "large/%s" % a]
        if a == "arena":
            out += ["capacity_sweep/arena/%d" % c for c in CAPACITIES]
        out += ["small_fixed_mt/%s/64/threads:%d" % (a, t) for t in (1, 2)]
        out += ["%s/%s" % (w, a) for w in REALISTIC_WORKLOADS]
        out += ["trace_replay/%s/%s" % (v, t) for v in ([a, a + "_phase_reset"] if a == "arena" else [a])
                for t in ("python", "sqlite", "guile", "synthetic")]  # scripts/record-trace's traces
    return out
