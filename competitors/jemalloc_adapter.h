// jemalloc_adapter.h - jemalloc through plain malloc/free. Only binaries that
// link libjemalloc (target competitors_jemalloc) may include this: linking it
// makes jemalloc's malloc/free replace glibc's in the whole process (symbol
// interposition: the executable's dependencies come before libc).
// verify_live() checks with mallctl("stats.allocated") that a malloc() is
// counted by jemalloc.
#ifndef COMPETITORS_JEMALLOC_ADAPTER_H
#define COMPETITORS_JEMALLOC_ADAPTER_H

#include <jemalloc/jemalloc.h>

#include "malloc_family.h"

namespace competitors {

class JemallocAdapter : public MallocFamilyAdapter<JemallocAdapter> {
public:
    static constexpr std::string_view kName = "jemalloc";
    using MallocFamilyAdapter::MallocFamilyAdapter;

    // Pages backing live allocations, unused dirty pages and metadata.
    std::size_t footprint_bytes() const { return stat("stats.resident"); }
    std::size_t in_use_bytes() const { return stat("stats.allocated"); }

    // Refreshes jemalloc's statistics snapshot and reads one counter.
    static std::size_t stat(const char* name) {
        std::uint64_t epoch = 1;
        std::size_t len = sizeof(epoch);
        mallctl("epoch", &epoch, &len, &epoch, len);
        std::size_t value = 0;
        len = sizeof(value);
        if (mallctl(name, &value, &len, nullptr, 0) != 0) return 0;
        return value;
    }

    static bool verify_live(std::string* why) {
        // A large size class: small ones are served from the thread cache and only
        // reach stats.allocated when the cache is flushed.
        return counts_malloc(256 << 10, [] { return stat("stats.allocated"); }, why,
                             "jemalloc's stats.allocated did not count a 256 KiB malloc()");
    }
};

}  // namespace competitors

#endif  // COMPETITORS_JEMALLOC_ADAPTER_H
