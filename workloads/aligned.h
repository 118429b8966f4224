// aligned.h - allocations aligned to 16/32/64/4096 bytes, as for SIMD
// buffers: sizes are multiples of 32 between 32 and 2048 bytes. Released
// keeping the memory (reset(), as in small_fixed).
#ifndef WORKLOADS_ALIGNED_H
#define WORKLOADS_ALIGNED_H

#include "workload.h"

namespace bench {

class Aligned : public Workload<Aligned> {
public:
    static constexpr std::string_view kName = "aligned";
    static std::size_t default_count() { return pick<std::size_t>(500, 4000, 10000); }

    Aligned(std::size_t align, std::size_t count)
        : Workload(count, 0xa11ed + align), align_(align), count_(count), sizes_(count) {
        Rng rng(seed_);
        for (std::size_t i = 0; i < count; ++i) {
            sizes_[i] = static_cast<std::uint32_t>(32 * (1 + rng.below(64)));
            hint_ += bump_bytes(sizes_[i], align);
        }
    }

    std::size_t allocs_per_fill() const { return count_; }
    std::size_t capacity_hint() const { return hint_; }
    std::size_t alignment() const { return align_; }
    bool keep_memory() const { return true; }

    template <Adapter A, class P>
    void fill(A& a, P& probe) {
        // A compile-time alignment, as a SIMD user would have.
        switch (align_) {
            case 16: fill_at<16>(a, probe); break;
            case 32: fill_at<32>(a, probe); break;
            case 64: fill_at<64>(a, probe); break;
            default: fill_at<4096>(a, probe); break;
        }
    }

private:
    template <std::size_t Align, Adapter A, class P>
    void fill_at(A& a, P& probe) {
        for (std::size_t i = 0; i < count_; ++i) {
            std::uint32_t size = sizes_[i];
            probe.before();
            void* p = a.allocate_pointer_free(size, Align);
            probe.after(size);
            table_.push(p, size, static_cast<std::uint32_t>(i));
        }
    }

    std::size_t align_, count_;
    MappedArray<std::uint32_t> sizes_;
    std::size_t hint_ = 0;
};

}  // namespace bench

#endif  // WORKLOADS_ALIGNED_H
