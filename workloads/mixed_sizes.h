// mixed_sizes.h - N allocations whose sizes follow a power law
// (P(size > s) = (8/s)^0.9, truncated at 64 KiB: mostly small, a long tail),
// then release them all keeping the memory (reset(), as in small_fixed).
#ifndef WORKLOADS_MIXED_SIZES_H
#define WORKLOADS_MIXED_SIZES_H

#include "workload.h"

namespace bench {

class MixedSizes : public Workload<MixedSizes> {
public:
    static constexpr std::string_view kName = "mixed_sizes";
    static constexpr double kMin = 8, kMax = 65536, kAlpha = 0.9;
    static std::size_t default_count() { return pick<std::size_t>(1000, 10000, 50000); }

    explicit MixedSizes(std::size_t count, std::uint64_t seed = 0x313ed)
        : Workload(count, seed), count_(count), sizes_(count) {
        Rng rng(seed);
        for (std::size_t i = 0; i < count; ++i) {
            sizes_[i] = power_law_size(rng, kMin, kMax, kAlpha);
            hint_ += bump_bytes(sizes_[i], 16);
        }
    }

    std::size_t allocs_per_fill() const { return count_; }
    std::size_t capacity_hint() const { return hint_; }
    bool keep_memory() const { return true; }
    RunOptions options() const {
        RunOptions o;
        o.timeline = true;
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
    MappedArray<std::uint32_t> sizes_;  // precomputed: no RNG in the timed loop
    std::size_t hint_ = 0;
};

}  // namespace bench

#endif  // WORKLOADS_MIXED_SIZES_H
