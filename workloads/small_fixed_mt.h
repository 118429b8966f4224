// small_fixed_mt.h - small_fixed (64-byte objects) in 1 and 2 threads at once.
// Every thread has its own workload and its own adapter instance: one arena
// (or ideal_bump buffer, pmr resource, mimalloc heap) per thread, versus thin
// instances over the shared general-purpose heaps (malloc, mimalloc, jemalloc,
// tcmalloc, boehm).
#ifndef WORKLOADS_SMALL_FIXED_MT_H
#define WORKLOADS_SMALL_FIXED_MT_H

#include "small_fixed.h"

namespace bench {

class SmallFixedMt : public SmallFixed {
public:
    static constexpr std::string_view kName = "small_fixed_mt";
    static constexpr std::size_t kSize = 64;
    static constexpr int kThreadCounts[] = {1, 2};
    explicit SmallFixedMt(std::size_t count) : SmallFixed(kSize, count) {}
};

}  // namespace bench

#endif  // WORKLOADS_SMALL_FIXED_MT_H
