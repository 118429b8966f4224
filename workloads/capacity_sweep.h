// capacity_sweep.h - for adapters that report their blocks (the arena): the
// same fixed workload (power-law sizes as in mixed_sizes) with first-block
// capacities from 4 KiB to 64 MiB. Extra counters from block_stats() after
// the first fill of the memory pass: initial_capacity, blocks,
// committed_bytes, waste_bytes (committed minus requested: headers, padding,
// abandoned tails, unused block ends) and suggested_capacity_bytes (the
// allocator's one-block suggestion).
#ifndef WORKLOADS_CAPACITY_SWEEP_H
#define WORKLOADS_CAPACITY_SWEEP_H

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
    // Between iterations the blocks are kept (reset(), as in mixed_sizes): the
    // time is the steady-state fill with the block layout each capacity gives;
    // the blocks it took from a new arena show in the counters read after the
    // memory pass' first fill (blocks, committed_bytes, waste_bytes).
    RunOptions options() const { return {}; }

    template <competitors::ReportsBlocks A>
    void extra_counters(A& a, Extras& out) const {
        out.emplace_back("initial_capacity", static_cast<double>(capacity_));
        add_block_counters(a.block_stats(), out);
    }

private:
    std::size_t capacity_;
};

}  // namespace bench

#endif  // WORKLOADS_CAPACITY_SWEEP_H
