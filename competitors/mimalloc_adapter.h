// mimalloc_adapter.h - mimalloc through its own entry points (mi_malloc,
// mi_malloc_aligned, mi_free) on the default heap, which is per thread: the
// footprint is that heap's committed pages (mimalloc_heap_committed_bytes).
// malloc itself is not overridden (see mimalloc_api.h), so the harness and
// the C library keep using glibc. verify_live() checks that the adapter's
// memory is owned by mimalloc's default heap and that plain malloc() memory
// is not.
#ifndef COMPETITORS_MIMALLOC_ADAPTER_H
#define COMPETITORS_MIMALLOC_ADAPTER_H

#include <string>

#include "adapter.h"
#include "mimalloc_api.h"

namespace competitors {

// Scope: per instance, the thread's heap.
class MimallocAdapter : public AdapterBase<lifetime::Free> {
public:
    static constexpr std::string_view kName = "mimalloc";

    explicit MimallocAdapter(const AdapterConfig&) : mi_(mimalloc_api()) {}
    static void process_init() { mimalloc_api(); }

    void* allocate(std::size_t size, std::size_t align) {
        void* p = align <= alignof(std::max_align_t) ? mi_.malloc(size) : mi_.malloc_aligned(size, align);
        if (__builtin_expect(p == nullptr, 0)) out_of_memory(kName, size, align);
        return p;
    }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void* p, std::size_t, std::size_t) { mi_.free(p); }
    void reset() {}
    void release() {}
    std::size_t footprint_bytes() const { return mimalloc_heap_committed_bytes(mi_.heap_get_default()); }

    static bool verify_live(std::string* why) {
        MimallocAdapter a{AdapterConfig{}};
        return mimalloc_serves(a, mimalloc_api().heap_get_default(), nullptr, why);
    }

private:
    MimallocApi mi_;  // a copy: one load per call, no guard
};

}  // namespace competitors

#endif  // COMPETITORS_MIMALLOC_ADAPTER_H
