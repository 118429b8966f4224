"""Helpers behind scripts/bench: argument checks, building, running one
process per benchmark, merging Google Benchmark JSON into results.json,
checksum cross-checks and the target table."""

# Allocators in the reports' fixed order (see notes/results-format.md).
ALLOCATORS = (
    "arena", "ideal_bump", "pmr_monotonic", "mimalloc_heap", "mimalloc",
    "jemalloc", "tcmalloc", "malloc", "boehm",
)

# Synthetic workloads registered by every bench_<allocator> binary
# (capacity_sweep only by bench_arena).
WORKLOADS = (
    "small_fixed", "mixed_sizes", "aligned", "reset_cycles", "churn", "large",
    "capacity_sweep", "small_fixed_mt",
)

# Realistic workloads (workloads/realistic/register.h), every allocator.
REALISTIC_WORKLOADS = ("scheme_reader", "compiler_nested", "json_dom", "binary_trees", "request_reset")
