// churn.h - manual management's home ground: W live objects, then M
// operations that each kill a random live object (free it where the
// allocator can free one object; a collector just loses the reference; an
// arena cannot free, so its footprint grows with everything ever allocated)
// and allocate a replacement of a power-law size (16 B .. 4 KiB).
// ns_per_alloc is the whole fill (W allocations, then M frees+allocations)
// divided by W + M. Released with release() at the end.
#ifndef WORKLOADS_CHURN_H
#define WORKLOADS_CHURN_H

#include "workload.h"

namespace bench {

class Churn : public Workload<Churn> {
public:
    static constexpr std::string_view kName = "churn";
    static std::size_t default_live() { return pick<std::size_t>(200, 2000, 10000); }
    static std::size_t default_ops() { return pick<std::size_t>(2000, 20000, 100000); }

    Churn(std::size_t live, std::size_t ops)
        : Workload(live, 0xc4c4), live_(live), ops_(ops), sizes_(live + ops), victims_(ops) {
        Rng rng(seed_);
        for (std::size_t i = 0; i < live + ops; ++i) {
            sizes_[i] = power_law_size(rng, 16, 4096, 1.0);
            hint_ += bump_bytes(sizes_[i], 16);
        }
        for (std::size_t k = 0; k < ops; ++k) victims_[k] = static_cast<std::uint32_t>(rng.below(live));
    }

    std::size_t allocs_per_fill() const { return live_ + ops_; }
    std::size_t capacity_hint() const { return hint_; }
    RunOptions options() const {
        RunOptions o;
        o.timeline = true;
        return o;
    }

    template <Adapter A, class P>
    void fill(A& a, P& probe) {
        for (std::size_t i = 0; i < live_; ++i) {
            std::uint32_t size = sizes_[i];
            probe.before();
            void* p = a.allocate_pointer_free(size, 16);
            probe.after(size);
            table_.push(p, size, static_cast<std::uint32_t>(i));
        }
        for (std::size_t k = 0; k < ops_; ++k) {
            Slot& victim = table_[victims_[k]];
            if constexpr (A::kFrees) a.deallocate(victim.ptr, victim.size, 16);
            probe.freed(victim.size);
            std::uint32_t size = sizes_[live_ + k];
            probe.before();
            void* p = a.allocate_pointer_free(size, 16);
            probe.after(size);
            victim = Slot{p, size, static_cast<std::uint32_t>(live_ + k)};
        }
    }

private:
    std::size_t live_, ops_;
    MappedArray<std::uint32_t> sizes_;
    MappedArray<std::uint32_t> victims_;
    std::size_t hint_ = 0;
};

}  // namespace bench

#endif  // WORKLOADS_CHURN_H
