// large.h - K allocations of 1..32 MiB (log-uniform), then release. Only the
// stamp (first 8 bytes and last byte) touches each object, so page faults
// and mapping costs, not memset, dominate. Released with release() (give
// everything back): getting and returning big blocks is the point.
#ifndef WORKLOADS_LARGE_H
#define WORKLOADS_LARGE_H

#include "workload.h"

namespace bench {

class Large : public Workload<Large> {
public:
    static constexpr std::string_view kName = "large";
    static std::size_t default_count() { return pick<std::size_t>(2, 4, 8); }

    explicit Large(std::size_t count) : Workload(count, 0x1a46e), count_(count), sizes_(count) {
        Rng rng(seed_);
        for (std::size_t i = 0; i < count; ++i) {
            double mib = std::exp2(5.0 * (rng.unit() - 1e-12));  // [1, 32]
            sizes_[i] = static_cast<std::uint32_t>(mib * 1048576.0);
            hint_ += bump_bytes(sizes_[i], 16);
        }
    }

    std::size_t allocs_per_fill() const { return count_; }
    std::size_t capacity_hint() const { return hint_; }
    RunOptions options() const {
        RunOptions o;
        o.latency_max_fills = 32;
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

#endif  // WORKLOADS_LARGE_H
