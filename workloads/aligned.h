// aligned.h - allocations aligned to 16/32/64/4096 bytes, as for SIMD
// buffers: sizes are multiples of 32 between 32 and 2048 bytes. Released
// keeping the memory (reset(), as in small_fixed).
#ifndef WORKLOADS_ALIGNED_H
#define WORKLOADS_ALIGNED_H

#include "fill.h"

namespace bench {

// 32 to 2048 bytes in steps of 32, uniform.
inline std::uint32_t aligned_size(Rng& rng) { return static_cast<std::uint32_t>(32 * (1 + rng.below(64))); }

class Aligned : public DrawnSizes<Aligned> {
public:
    static constexpr std::string_view kName = "aligned";
    static std::size_t default_count() { return pick<std::size_t>(500, 4000, 10000); }

    Aligned(std::size_t align, std::size_t count)
        : DrawnSizes(count, 0xa11ed + align, count, align, aligned_size), align_(align) {}

    std::size_t alignment() const { return align_; }
    bool keep_memory() const { return true; }

    template <Adapter A, class P>
    void fill(A& a, P& probe) {
        const std::size_t n = sizes_.capacity();
        // A compile-time alignment, as a SIMD user would have.
        switch (align_) {
            case 16: fill_first<16>(a, probe, n); break;
            case 32: fill_first<32>(a, probe, n); break;
            case 64: fill_first<64>(a, probe, n); break;
            default: fill_first<4096>(a, probe, n); break;
        }
    }

private:
    std::size_t align_;
};

}  // namespace bench

#endif  // WORKLOADS_ALIGNED_H
