// churn.h - manual management's home ground: W live objects, then M
// operations that each kill a random live object (free it where the
// allocator can free one object; a collector just loses the reference; an
// arena cannot free, so its footprint grows with everything ever allocated)
// and allocate a replacement of a power-law size (16 B .. 4 KiB).
// ns_per_alloc is the whole fill (W allocations, then M frees+allocations)
// divided by W + M. Released with release() at the end.
#ifndef WORKLOADS_CHURN_H
#define WORKLOADS_CHURN_H

#include "fill.h"

namespace bench {

// P(size > s) = 16/s, truncated to 16 B .. 4 KiB.
inline std::uint32_t churn_size(Rng& rng) { return power_law_size(rng, 16, 4096, 1.0); }

class Churn : public DrawnSizes<Churn> {
public:
    static constexpr std::string_view kName = "churn";
    static std::size_t default_live() { return pick<std::size_t>(200, 2000, 10000); }
    static std::size_t default_ops() { return pick<std::size_t>(2000, 20000, 100000); }

    // Sizes of the W first objects, then of the M replacements; then the victims.
    Churn(std::size_t live, std::size_t ops)
        : DrawnSizes(live, 0xc4c4, live + ops, 16, churn_size),
          live_(live), ops_(ops), victims_(ops) {
        for (std::size_t k = 0; k < ops; ++k) victims_[k] = static_cast<std::uint32_t>(rng_.below(live));
    }

    RunOptions options() const { return {.timeline = true}; }

    template <Adapter A, class P>
    void fill(A& a, P& probe) {
        fill_first<16>(a, probe, live_);
        for (std::size_t k = 0; k < ops_; ++k) {
            Slot& victim = table_[victims_[k]];
            if constexpr (A::kFrees) a.deallocate(victim.ptr, victim.size, 16);
            probe.freed(victim.size);
            std::uint32_t size = sizes_[live_ + k];
            victim = Slot{timed_allocate<16>(a, probe, size), size, static_cast<std::uint32_t>(live_ + k)};
        }
    }

private:
    std::size_t live_, ops_;
    MappedArray<std::uint32_t> victims_;
};

}  // namespace bench

#endif  // WORKLOADS_CHURN_H
