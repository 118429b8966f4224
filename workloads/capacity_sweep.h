// capacity_sweep.h - the arena only: the same fixed workload (power-law sizes
// as in mixed_sizes) with first-block capacities from 4 KiB to 64 MiB.
// Extra counters read from arena_get_stats after the first fill of the memory
// pass: initial_capacity, blocks, committed_bytes, waste_bytes (committed
// minus requested: headers, padding, abandoned tails, unused block ends) and
// suggested_capacity_bytes (the library's one-block suggestion).
#ifndef WORKLOADS_CAPACITY_SWEEP_H
#define WORKLOADS_CAPACITY_SWEEP_H

#include "arena_adapter.h"
#include "mixed_sizes.h"

namespace bench {

class CapacitySweep : public MixedSizes {
public:
    static constexpr std::string_view kName = "capacity_sweep";
    static std::size_t default_count() { return pick<std::size_t>(1000, 10000, 20000); }
    static constexpr std::size_t kCapacities[] = {4096, 16384, 65536, 262144,
                                                  1048576, 4194304, 16777216, 67108864};

    CapacitySweep(std::size_t initial_capacity, std::size_t count)
        : MixedSizes(count, 0x5eeb), capacity_(initial_capacity) {}

    std::size_t initial_capacity() const { return capacity_; }
    // Every iteration starts from a new arena (release(): arena_destroy +
    // arena_create), so the time includes getting the blocks.
    bool keep_memory() const { return false; }
    RunOptions options() const { return {}; }

    void extra_counters(competitors::ArenaAdapter& a, Extras& out) const {
        ArenaStats s = a.stats();
        out.emplace_back("initial_capacity", static_cast<double>(capacity_));
        out.emplace_back("blocks", static_cast<double>(s.block_count));
        out.emplace_back("committed_bytes", static_cast<double>(s.committed_bytes));
        out.emplace_back("waste_bytes", static_cast<double>(s.committed_bytes - s.requested_bytes));
        out.emplace_back("suggested_capacity_bytes", static_cast<double>(s.suggested_initial_capacity));
    }

private:
    std::size_t capacity_;
};

}  // namespace bench

#endif  // WORKLOADS_CAPACITY_SWEEP_H
