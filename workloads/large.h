// large.h - K allocations of 1..32 MiB (log-uniform), then release. Only the
// stamp (first 8 bytes and last byte) touches each object, so page faults
// and mapping costs, not memset, dominate. Released with release() (give
// everything back): getting and returning big blocks is the point.
#ifndef WORKLOADS_LARGE_H
#define WORKLOADS_LARGE_H

#include "fill.h"

namespace bench {

// 1 to 32 MiB, log-uniform.
inline std::uint32_t large_size(Rng& rng) {
    double mib = std::exp2(5.0 * (rng.unit() - 1e-12));  // [1, 32]
    return static_cast<std::uint32_t>(mib * 1048576.0);
}

class Large : public DrawnSizes<Large> {
public:
    static constexpr std::string_view kName = "large";
    static std::size_t default_count() { return pick<std::size_t>(2, 4, 8); }

    explicit Large(std::size_t count) : DrawnSizes(count, 0x1a46e, count, 16, large_size) {}

    RunOptions options() const { return {.latency_max_fills = 32}; }
};

}  // namespace bench

#endif  // WORKLOADS_LARGE_H
