// mimalloc_heap_adapter.h - a private mimalloc heap per adapter instance
// (mi_heap_new, mi_heap_malloc[_aligned]); objects can be freed one by one
// (mi_free) and the whole heap at once: reset() and release() are
// mi_heap_destroy followed by mi_heap_new, mimalloc's arena-like bulk release.
// A mimalloc heap belongs to the thread that created it. Loaded privately, as
// explained in mimalloc_api.h.
#ifndef COMPETITORS_MIMALLOC_HEAP_ADAPTER_H
#define COMPETITORS_MIMALLOC_HEAP_ADAPTER_H

#include <string>

#include "adapter.h"
#include "mimalloc_api.h"

namespace competitors {

class MimallocHeapAdapter : public AdapterBase {
public:
    static constexpr std::string_view kName = "mimalloc_heap";
    static constexpr bool kFrees = true;
    static constexpr bool kBulkRelease = true;
    static constexpr bool kCollected = false;
    static constexpr FootprintScope kScope = FootprintScope::kInstance;

    explicit MimallocHeapAdapter(const AdapterConfig&) : mi_(mimalloc_api()), heap_(new_heap()) {}
    ~MimallocHeapAdapter() { mi_.heap_destroy(heap_); }
    static void process_init() { mimalloc_api(); }
    MimallocHeapAdapter(const MimallocHeapAdapter&) = delete;
    MimallocHeapAdapter& operator=(const MimallocHeapAdapter&) = delete;

    void* allocate(std::size_t size, std::size_t align) {
        void* p = align <= alignof(std::max_align_t) ? mi_.heap_malloc(heap_, size)
                                                     : mi_.heap_malloc_aligned(heap_, size, align);
        if (__builtin_expect(p == nullptr, 0)) out_of_memory(kName, size, align);
        return p;
    }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void* p, std::size_t, std::size_t) { mi_.free(p); }
    void reset() { release(); }
    void release() {
        mi_.heap_destroy(heap_);
        heap_ = new_heap();
    }
    std::size_t footprint_bytes() const {
        std::size_t bytes = mimalloc_heap_committed_bytes(heap_);
        for (int i = 0; i < children_; ++i) bytes += mimalloc_heap_committed_bytes(child_[i]);
        return bytes;
    }
    mi_heap_t* heap() const { return heap_; }
    const MimallocApi& api() const { return mi_; }
    // Child heaps (workloads/realistic/heap.h: a separate heap for the
    // temporaries of one pass) count in footprint_bytes() while attached.
    void attach_child_heap(mi_heap_t* h) {
        if (children_ == kMaxChildren) {
            std::fprintf(stderr, "mimalloc_heap: more than %d child heaps attached\n", kMaxChildren);
            std::abort();
        }
        child_[children_++] = h;
    }
    void detach_child_heap(mi_heap_t* h) {
        for (int i = 0; i < children_; ++i) {
            if (child_[i] == h) child_[i] = child_[--children_];
        }
    }

    static bool verify_live(std::string* why) {
        MimallocHeapAdapter a{AdapterConfig{}};
        void* p = a.allocate(64, 16);
        void* q = std::malloc(64);
        bool ok = mimalloc_owns(a.heap(), p, q, why) && !mimalloc_api().heap_check_owned(mimalloc_api().heap_get_default(), p);
        if (!ok && why && why->empty()) *why = "mimalloc_heap: memory comes from the default heap";
        std::free(q);
        return ok;
    }

private:
    mi_heap_t* new_heap() {
        mi_heap_t* h = mi_.heap_new();
        if (h == nullptr) out_of_memory(kName, 0, 0);
        return h;
    }

    static constexpr int kMaxChildren = 8;
    MimallocApi mi_;
    mi_heap_t* heap_;
    mi_heap_t* child_[kMaxChildren] = {};
    int children_ = 0;
};

}  // namespace competitors

#endif  // COMPETITORS_MIMALLOC_HEAP_ADAPTER_H
