// small_fixed.h - N allocations of one small size (8..256 bytes), then release
// them all the way the allocator releases a phase and keeps its memory for
// the next (arena: arena_reset; malloc-family: free each; boehm: drop the
// references, the collector decides). Iterations after the warm-up fill are
// the allocator's steady state; destroy_ns gives the full give-back cost.
#ifndef WORKLOADS_SMALL_FIXED_H
#define WORKLOADS_SMALL_FIXED_H

#include "fill.h"

namespace bench {

class SmallFixed : public Workload<SmallFixed> {
public:
    static constexpr std::string_view kName = "small_fixed";
    static std::size_t default_count() { return pick<std::size_t>(2000, 20000, 100000); }

    SmallFixed(std::size_t size, std::size_t count)
        : Workload(count, 0x5f11ed + size), size_(size), count_(count) {}

    std::size_t allocs_per_fill() const { return count_; }
    std::size_t capacity_hint() const { return count_ * bump_bytes(size_, 16); }
    bool keep_memory() const { return true; }

    template <Adapter A, class P>
    void fill(A& a, P& probe) {
        fill_loop<16>(a, probe, table_, count_, [size = size_](std::size_t) { return size; });
    }

private:
    std::size_t size_, count_;
};

}  // namespace bench

#endif  // WORKLOADS_SMALL_FIXED_H
