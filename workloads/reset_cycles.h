// reset_cycles.h - the arena's steady state: fill (N allocations of 16..256
// bytes), release keeping the memory (arena_reset; malloc-family: free each;
// boehm: drop the references, the collector decides), repeat. One benchmark
// iteration is one cycle, measured after warm-up cycles; page_faults and
// sys_allocs_per_cycle (blocks obtained from upstream, where the adapter can
// count them) are per cycle.
#ifndef WORKLOADS_RESET_CYCLES_H
#define WORKLOADS_RESET_CYCLES_H

#include "fill.h"

namespace bench {

// 16 to 256 bytes, uniform.
inline std::uint32_t reset_cycles_size(Rng& rng) { return static_cast<std::uint32_t>(16 + rng.below(241)); }

class ResetCycles : public DrawnSizes<ResetCycles> {
public:
    static constexpr std::string_view kName = "reset_cycles";
    static std::size_t default_count() { return pick<std::size_t>(500, 5000, 20000); }

    explicit ResetCycles(std::size_t count) : DrawnSizes(count, 0xc1c1e5, count, 16, reset_cycles_size) {}

    bool keep_memory() const { return true; }
    RunOptions options() const { return {.warmup_fills = 3, .memory_fills = 6, .timeline = true, .sys_allocs = true}; }
};

}  // namespace bench

#endif  // WORKLOADS_RESET_CYCLES_H
