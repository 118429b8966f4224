// Shared by the fast-path benchmark files: the size table, the timed loop
// and the counters.
#ifndef ARENA_BENCH_FASTPATH_H
#define ARENA_BENCH_FASTPATH_H

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fastpath {

inline constexpr size_t kAllocations = 100000;

// 100,000 sizes of 16-80 bytes, drawn once (xorshift, fixed seed), the same
// for every contender.
inline const std::vector<uint32_t> &sizes() {
    static const std::vector<uint32_t> table = [] {
        std::vector<uint32_t> v(kAllocations);
        uint64_t state = 0x9E3779B97F4A7C15ull;
        for (auto &size : v) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            size = 16 + static_cast<uint32_t>(state % 65);
        }
        return v;
    }();
    return table;
}

inline void set_counters(benchmark::State &state) {
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kAllocations));
    state.counters["ns_per_alloc"] = benchmark::Counter(
        static_cast<double>(kAllocations), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// The timed loop of every allocator benchmark: one round allocates the
// whole table, then releases everything at once. Forced inline, with the
// lambdas, into each benchmark: the loop compiles as if written there (the
// allocator's concrete type stays known, so pmr calls can be devirtualised),
// and each file keeps its own ARENA_FAST_STATS setting for arena_alloc.
template <typename Allocate, typename Release>
inline __attribute__((always_inline)) void run_rounds(benchmark::State &state, Allocate allocate, Release release) {
    const auto &table = sizes();
    for (auto _ : state) {
        for (uint32_t size : table) {
            void *result = allocate(size);
            benchmark::DoNotOptimize(result);
        }
        release();
    }
    set_counters(state);
}

} // namespace fastpath

#endif
