// The arena's fast path against its physical limit: 100,000 allocations of
// 16-80 bytes, then release, for an ideal hand-inlined bump into a pre-sized
// buffer, the arena through the C and the C++ API, and
// std::pmr::monotonic_buffer_resource (default upstream, and pre-sized).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <memory_resource>
#include <vector>

#include "arena/arena.h"
#include "arena/arena.hpp"
#include "bench_fastpath.h"

namespace {

using fastpath::run_rounds;
using fastpath::set_counters;
using fastpath::sizes;

size_t total_rounded_bytes() {
    size_t total = 0;
    for (uint32_t size : sizes()) total += (size + 15) & ~size_t{15};
    return total;
}

// The limit: no bounds check, no bookkeeping, cursor in a register.
void BM_IdealBump(benchmark::State &state) {
    const auto &table = sizes();
    std::unique_ptr<char[]> buffer(new char[total_rounded_bytes() + 16]);
    char *base = reinterpret_cast<char *>((reinterpret_cast<uintptr_t>(buffer.get()) + 15) & ~uintptr_t{15});
    for (auto _ : state) {
        char *cursor = base;
        for (uint32_t size : table) {
            void *result = cursor;
            cursor += (size + 15) & ~size_t{15};
            benchmark::DoNotOptimize(result);
        }
        benchmark::DoNotOptimize(cursor); // release: drop the cursor
    }
    set_counters(state);
}

// The same bump, but with its cursor in memory that escapes, as the state of
// any allocator called from opaque code must be: it shows how much of the
// gap to the limit is the cursor's round trip through memory.
void BM_IdealBumpInMemory(benchmark::State &state) {
    const auto &table = sizes();
    std::unique_ptr<char[]> buffer(new char[total_rounded_bytes() + 16]);
    char *base = reinterpret_cast<char *>((reinterpret_cast<uintptr_t>(buffer.get()) + 15) & ~uintptr_t{15});
    struct Bump {
        char *cursor;
    } bump{base};
    Bump *escaped = &bump;
    benchmark::DoNotOptimize(escaped);
    for (auto _ : state) {
        escaped->cursor = base;
        for (uint32_t size : table) {
            void *result = escaped->cursor;
            escaped->cursor += (size + 15) & ~size_t{15};
            benchmark::DoNotOptimize(result);
        }
    }
    set_counters(state);
}

void BM_ArenaC(benchmark::State &state) {
    Arena *arena = arena_create(static_cast<size_t>(state.range(0)));
    if (arena == nullptr) {
        state.SkipWithError("arena_create failed");
        return;
    }
    run_rounds(state, [&](uint32_t size) { return arena_alloc(arena, size); }, [&] { arena_reset(arena); });
    ArenaStats stats;
    arena_get_stats(arena, &stats, 0);
    state.counters["blocks"] = static_cast<double>(stats.block_count);
    state.counters["upstream_allocations"] = static_cast<double>(stats.upstream_allocations);
    arena_destroy(arena);
}

void BM_ArenaCpp(benchmark::State &state) {
    arena::Arena arena(static_cast<size_t>(state.range(0)));
    run_rounds(state, [&](uint32_t size) { return arena.allocate(size); }, [&] { arena.reset(); });
}

// Aligned to max_align_t, as the arena aligns to 16 bytes.
void BM_PmrMonotonic(benchmark::State &state) {
    std::pmr::monotonic_buffer_resource resource;
    run_rounds(
        state, [&](uint32_t size) { return resource.allocate(size, alignof(std::max_align_t)); },
        [&] { resource.release(); });
}

void BM_PmrMonotonicPresized(benchmark::State &state) {
    std::vector<char> buffer(total_rounded_bytes() + 4096);
    std::pmr::monotonic_buffer_resource resource(buffer.data(), buffer.size(), std::pmr::null_memory_resource());
    run_rounds(
        state, [&](uint32_t size) { return resource.allocate(size, alignof(std::max_align_t)); },
        [&] { resource.release(); });
}

} // namespace

BENCHMARK(BM_IdealBump)->Name("fastpath/ideal_bump");
BENCHMARK(BM_IdealBumpInMemory)->Name("fastpath/ideal_bump_in_memory");
// Arg: initial capacity. 4 KiB grows a chain of blocks (kept by reset);
// 8 MiB holds the whole round in one block.
BENCHMARK(BM_ArenaC)->Name("fastpath/arena_c")->Arg(4096)->Arg(8 << 20);
BENCHMARK(BM_ArenaCpp)->Name("fastpath/arena_cpp")->Arg(4096)->Arg(8 << 20);
BENCHMARK(BM_PmrMonotonic)->Name("fastpath/pmr_monotonic");
BENCHMARK(BM_PmrMonotonicPresized)->Name("fastpath/pmr_monotonic_presized");

BENCHMARK_MAIN();
