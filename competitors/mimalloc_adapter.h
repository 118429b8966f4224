// mimalloc_adapter.h - mimalloc through its own entry points (mi_malloc,
// mi_malloc_aligned, mi_free); malloc itself is not overridden, so the harness
// and the C library keep using glibc. verify_live() checks that the adapter's
// memory is in mimalloc's heap region and that plain malloc() memory is not.
#ifndef COMPETITORS_MIMALLOC_ADAPTER_H
#define COMPETITORS_MIMALLOC_ADAPTER_H

#include <mimalloc.h>

#include <cstdlib>

#include "adapter.h"

namespace competitors {

// Memory mimalloc has committed, process-wide (its own statistics).
inline std::size_t mimalloc_committed_bytes() {
    std::size_t elapsed, user, sys, rss, peak_rss, commit = 0, peak_commit, faults;
    mi_process_info(&elapsed, &user, &sys, &rss, &peak_rss, &commit, &peak_commit, &faults);
    return commit;
}

inline bool mimalloc_owns(void* p, void* from_malloc, std::string* why) {
    bool ok = p != nullptr && mi_is_in_heap_region(p) && !mi_is_in_heap_region(from_malloc);
    if (!ok && why) {
        *why = "mimalloc: adapter memory is not in mimalloc's heap region, or malloc() is "
               "unexpectedly overridden by mimalloc";
    }
    return ok;
}

class MimallocAdapter : public AdapterBase {
public:
    static constexpr std::string_view kName = "mimalloc";
    static constexpr bool kFrees = true;
    static constexpr bool kBulkRelease = false;
    static constexpr bool kCollected = false;
    static constexpr FootprintScope kScope = FootprintScope::kProcess;

    explicit MimallocAdapter(const AdapterConfig&) {}

    void* allocate(std::size_t size, std::size_t align) {
        void* p = align <= alignof(std::max_align_t) ? mi_malloc(size) : mi_malloc_aligned(size, align);
        if (__builtin_expect(p == nullptr, 0)) out_of_memory(kName, size, align);
        return p;
    }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void* p, std::size_t, std::size_t) { mi_free(p); }
    void reset() {}
    void release() {}
    std::size_t footprint_bytes() const { return mimalloc_committed_bytes(); }

    static bool verify_live(std::string* why) {
        MimallocAdapter a{AdapterConfig{}};
        void* p = a.allocate(64, 16);
        void* q = std::malloc(64);
        bool ok = mimalloc_owns(p, q, why);
        std::free(q);
        a.deallocate(p, 64, 16);
        return ok;
    }
};

}  // namespace competitors

#endif  // COMPETITORS_MIMALLOC_ADAPTER_H
