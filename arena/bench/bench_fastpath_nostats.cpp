// The arena's C API from a translation unit that opts out of fast-path
// statistics (ARENA_FAST_STATS=0): the price of exact allocation counts.
#define ARENA_FAST_STATS 0
#include <benchmark/benchmark.h>

#include <cstdint>

#include "arena/arena.h"
#include "bench_fastpath.h"

namespace {

void BM_ArenaCNoStats(benchmark::State &state) {
    Arena *arena = arena_create(static_cast<size_t>(state.range(0)));
    if (arena == nullptr) {
        state.SkipWithError("arena_create failed");
        return;
    }
    fastpath::run_rounds(
        state, [&](uint32_t size) { return arena_alloc(arena, size); }, [&] { arena_reset(arena); });
    arena_destroy(arena);
}

} // namespace

BENCHMARK(BM_ArenaCNoStats)->Name("fastpath/arena_c_nostats")->Arg(4096)->Arg(8 << 20);
