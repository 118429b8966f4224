// mixed_sizes.h - N allocations whose sizes follow a power law
// (P(size > s) = (8/s)^0.9, truncated at 64 KiB: mostly small, a long tail),
// then release them all keeping the memory (reset(), as in small_fixed).
#ifndef WORKLOADS_MIXED_SIZES_H
#define WORKLOADS_MIXED_SIZES_H

#include "fill.h"

namespace bench {

class MixedSizes : public DrawnSizes<MixedSizes> {
public:
    static constexpr std::string_view kName = "mixed_sizes";
    static constexpr double kMin = 8, kMax = 65536, kAlpha = 0.9;
    static std::size_t default_count() { return pick<std::size_t>(1000, 10000, 50000); }

    explicit MixedSizes(std::size_t count, std::uint64_t seed = 0x313ed)
        : DrawnSizes(count, seed, count, 16, [](Rng& rng) { return power_law_size(rng, kMin, kMax, kAlpha); }) {}

    bool keep_memory() const { return true; }
    RunOptions options() const { return {.timeline = true}; }
};

}  // namespace bench

#endif  // WORKLOADS_MIXED_SIZES_H
