// The arena's C API from a translation unit that opts out of fast-path
// statistics (ARENA_FAST_STATS=0): the price of exact allocation counts.
#define ARENA_FAST_STATS 0
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "arena/arena.h"
#include "bench_fastpath_sizes.h"

namespace {

void BM_ArenaCNoStats(benchmark::State &state) {
    const auto &table = fastpath::sizes();
    Arena *arena = arena_create(static_cast<size_t>(state.range(0)));
    if (arena == nullptr) {
        state.SkipWithError("arena_create failed");
        return;
    }
    for (auto _ : state) {
        for (uint32_t size : table) {
            void *result = arena_alloc(arena, size);
            benchmark::DoNotOptimize(result);
        }
        arena_reset(arena);
    }
    fastpath::set_counters(state);
    arena_destroy(arena);
}

} // namespace

BENCHMARK(BM_ArenaCNoStats)->Name("fastpath/arena_c_nostats")->Arg(4096)->Arg(8 << 20);
