// mimalloc_heap_adapter.h - a private mimalloc heap per adapter instance
// (mi_heap_new, mi_heap_malloc[_aligned]); objects can be freed one by one
// (mi_free) and the whole heap at once: reset() and release() are
// mi_heap_destroy followed by mi_heap_new, mimalloc's arena-like bulk release.
// Nested regions are further heaps, attached to the adapter so that their
// pages count in footprint_bytes(). A mimalloc heap belongs to the thread
// that created it. Loaded privately, as explained in mimalloc_api.h.
#ifndef COMPETITORS_MIMALLOC_HEAP_ADAPTER_H
#define COMPETITORS_MIMALLOC_HEAP_ADAPTER_H

#include <string>

#include "adapter.h"
#include "mimalloc_api.h"

namespace competitors {

class MimallocHeapAdapter : public AdapterBase<lifetime::FreeOrBulk> {
public:
    static constexpr std::string_view kName = "mimalloc_heap";

    explicit MimallocHeapAdapter(const AdapterConfig&) : mi_(mimalloc_api()), heap_(new_heap(kName)) {}
    ~MimallocHeapAdapter() { mi_.heap_destroy(heap_); }
    static void process_init() { mimalloc_api(); }

    void* allocate(std::size_t size, std::size_t align) { return allocate_in(heap_, size, align, kName); }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void* p, std::size_t, std::size_t) { mi_.free(p); }
    void reset() { release(); }
    void release() {
        mi_.heap_destroy(heap_);
        heap_ = new_heap(kName);
    }
    std::size_t footprint_bytes() const {
        std::size_t bytes = mimalloc_heap_committed_bytes(heap_);
        for (int i = 0; i < children_; ++i) bytes += mimalloc_heap_committed_bytes(child_[i]);
        return bytes;
    }

    // A separate heap; reset() destroys it and starts a new one, as the
    // adapter's reset() does.
    class SeparateHeap : public lifetime::FreeOrBulk {
    public:
        static constexpr const char* kKind = "separate mi_heap";
        explicit SeparateHeap(MimallocHeapAdapter& owner) : owner_(owner), heap_(owner.attach()) {}
        ~SeparateHeap() { owner_.detach(heap_); }
        SeparateHeap(const SeparateHeap&) = delete;
        SeparateHeap& operator=(const SeparateHeap&) = delete;
        void* allocate(std::size_t n, std::size_t align) { return owner_.allocate_in(heap_, n, align, kRegionName); }
        void* allocate_pointer_free(std::size_t n, std::size_t align) { return allocate(n, align); }
        void deallocate(void* p, std::size_t, std::size_t) { owner_.mi_.free(p); }
        void reset() {
            owner_.detach(heap_);
            heap_ = owner_.attach();
        }

    private:
        MimallocHeapAdapter& owner_;
        mi_heap_t* heap_;
    };
    SeparateHeap open_region(std::size_t) { return SeparateHeap(*this); }

    static bool verify_live(std::string* why) {
        MimallocHeapAdapter a{AdapterConfig{}};
        return mimalloc_serves(a, a.heap_, mimalloc_api().heap_get_default(), why);
    }

private:
    static constexpr std::string_view kRegionName = "mimalloc_heap region";
    static constexpr int kMaxChildren = 8;

    void* allocate_in(mi_heap_t* heap, std::size_t size, std::size_t align, std::string_view who) {
        void* p = align <= alignof(std::max_align_t) ? mi_.heap_malloc(heap, size)
                                                     : mi_.heap_malloc_aligned(heap, size, align);
        if (__builtin_expect(p == nullptr, 0)) out_of_memory(who, size, align);
        return p;
    }
    mi_heap_t* new_heap(std::string_view who) {
        mi_heap_t* h = mi_.heap_new();
        if (h == nullptr) out_of_memory(who, 0, 0);
        return h;
    }
    // A region's heap, counted in footprint_bytes() until detach() destroys it.
    mi_heap_t* attach() {
        if (children_ == kMaxChildren) {
            std::fprintf(stderr, "mimalloc_heap: more than %d regions open\n", kMaxChildren);
            std::abort();
        }
        mi_heap_t* h = new_heap(kRegionName);
        child_[children_++] = h;
        return h;
    }
    void detach(mi_heap_t* h) {
        for (int i = 0; i < children_; ++i) {
            if (child_[i] == h) child_[i] = child_[--children_];
        }
        mi_.heap_destroy(h);
    }

    MimallocApi mi_;
    mi_heap_t* heap_;
    mi_heap_t* child_[kMaxChildren] = {};
    int children_ = 0;
};

}  // namespace competitors

#endif  // COMPETITORS_MIMALLOC_HEAP_ADAPTER_H
