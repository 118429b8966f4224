// reset_cycles.h - the arena's steady state: fill (N allocations of 16..256
// bytes), release keeping the memory (arena_reset; malloc-family: free each;
// boehm: drop the references, the collector decides), repeat. One benchmark
// iteration is one cycle, measured after warm-up cycles; page_faults and
// sys_allocs_per_cycle (blocks obtained from upstream, where the adapter can
// count them) are per cycle.
#ifndef WORKLOADS_RESET_CYCLES_H
#define WORKLOADS_RESET_CYCLES_H

#include "workload.h"

namespace bench {

class ResetCycles : public Workload<ResetCycles> {
public:
    static constexpr std::string_view kName = "reset_cycles";
    static std::size_t default_count() { return pick<std::size_t>(500, 5000, 20000); }

    explicit ResetCycles(std::size_t count) : Workload(count, 0xc1c1e5), count_(count), sizes_(count) {
        Rng rng(seed_);
        for (std::size_t i = 0; i < count; ++i) {
            sizes_[i] = static_cast<std::uint32_t>(16 + rng.below(241));
            hint_ += bump_bytes(sizes_[i], 16);
        }
    }

    std::size_t allocs_per_fill() const { return count_; }
    std::size_t capacity_hint() const { return hint_; }
    bool keep_memory() const { return true; }
    RunOptions options() const {
        RunOptions o;
        o.warmup_fills = 3;
        o.memory_fills = 6;
        o.timeline = true;
        o.sys_allocs = true;
        return o;
    }

    template <Adapter A, class P>
    void fill(A& a, P& probe) {
        for (std::size_t i = 0; i < count_; ++i) {
            std::uint32_t size = sizes_[i];
            probe.before();
            void* p = a.allocate_pointer_free(size, 16);
            probe.after(size);
            table_.push(p, size, static_cast<std::uint32_t>(i));
        }
    }

private:
    std::size_t count_;
    MappedArray<std::uint32_t> sizes_;
    std::size_t hint_ = 0;
};

}  // namespace bench

#endif  // WORKLOADS_RESET_CYCLES_H
