// boehm_adapter.h - Boehm-Demers-Weiser conservative GC. GC_MALLOC for data
// that may hold pointers, GC_MALLOC_ATOMIC for pointer-free data (never
// scanned), GC_memalign beyond 16-byte alignment. Nothing is freed
// explicitly: workloads drop their references and the collector reclaims the
// objects when it decides to; release() forces a full collection (GC_gcollect)
// so that "releasing everything" has a measurable cost under a collector.
// Collections are timed from GC_EVENT_START to GC_EVENT_END through
// GC_set_on_collection_event (see gc_stats()).
#ifndef COMPETITORS_BOEHM_ADAPTER_H
#define COMPETITORS_BOEHM_ADAPTER_H

#ifndef GC_THREADS
#define GC_THREADS 1
#endif
#ifndef GC_NO_THREAD_REDIRECTS
#define GC_NO_THREAD_REDIRECTS 1  // threads are registered explicitly (thread_enter)
#endif
#include <gc/gc.h>

#include <atomic>
#include <ctime>

#include "adapter.h"

namespace competitors {

namespace boehm_detail {

struct Events {
    std::atomic<std::uint64_t> collections{0};
    std::atomic<std::uint64_t> pause_total_ns{0};
    std::atomic<std::uint64_t> pause_max_ns{0};
    std::uint64_t started_ns = 0;  // written under the collector's lock
};

inline Events& events() {
    static Events e;
    return e;
}

inline std::uint64_t monotonic_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

inline void on_collection_event(GC_EventType type) {
    Events& e = events();
    if (type == GC_EVENT_START) {
        e.started_ns = monotonic_ns();
    } else if (type == GC_EVENT_END && e.started_ns != 0) {
        std::uint64_t pause = monotonic_ns() - e.started_ns;
        e.started_ns = 0;
        e.collections.fetch_add(1, std::memory_order_relaxed);
        e.pause_total_ns.fetch_add(pause, std::memory_order_relaxed);
        if (pause > e.pause_max_ns.load(std::memory_order_relaxed)) {
            e.pause_max_ns.store(pause, std::memory_order_relaxed);
        }
    }
}

inline thread_local bool registered_here = false;

}  // namespace boehm_detail

class BoehmAdapter : public AdapterBase<lifetime::Collected, FootprintScope::kProcess> {
public:
    static constexpr std::string_view kName = "boehm";

    explicit BoehmAdapter(const AdapterConfig&) { process_init(); }

    // GC_INIT from the main thread before anything else; idempotent.
    static void process_init() {
        static const bool done = [] {
            GC_INIT();
            GC_allow_register_threads();
            GC_set_on_collection_event(boehm_detail::on_collection_event);
            return true;
        }();
        (void)done;
    }
    static void thread_enter() {
        GC_stack_base sb;
        if (GC_get_stack_base(&sb) == GC_SUCCESS && GC_register_my_thread(&sb) == GC_SUCCESS) {
            boehm_detail::registered_here = true;
        }
    }
    static void thread_leave() {
        if (boehm_detail::registered_here) {
            GC_unregister_my_thread();
            boehm_detail::registered_here = false;
        }
    }

    void* allocate(std::size_t size, std::size_t align) {
        void* p = align <= 16 ? GC_MALLOC(size) : GC_memalign(align, size);
        if (__builtin_expect(p == nullptr, 0)) out_of_memory(kName, size, align);
        return p;
    }
    void* allocate_pointer_free(std::size_t size, std::size_t align) {
        void* p = align <= 16 ? GC_MALLOC_ATOMIC(size) : GC_memalign(align, size);
        if (__builtin_expect(p == nullptr, 0)) out_of_memory(kName, size, align);
        return p;
    }
    void deallocate(void*, std::size_t, std::size_t) {}  // the collector reclaims
    void reset() {}                                        // the collector decides
    void release() { GC_gcollect(); }
    // Heap size, unmapped pages excluded.
    std::size_t footprint_bytes() const { return GC_get_heap_size(); }
    // Heap minus its free bytes (reachable or not yet collected).
    std::size_t in_use_bytes() const {
        std::size_t heap = GC_get_heap_size(), free = GC_get_free_bytes();
        return heap > free ? heap - free : 0;
    }
    void add_roots(void* lo, void* hi) { GC_add_roots(lo, hi); }
    void remove_roots(void* lo, void* hi) { GC_remove_roots(lo, hi); }

    static GcStats gc_stats() {
        auto& e = boehm_detail::events();
        return {e.collections.load(), e.pause_total_ns.load(), e.pause_max_ns.load()};
    }
    static void gc_reset_max() { boehm_detail::events().pause_max_ns.store(0); }

    static bool verify_live(std::string* why) {
        BoehmAdapter a{AdapterConfig{}};
        void* p = a.allocate_pointer_free(64, 16);
        bool ok = p != nullptr && GC_base(p) == p && GC_get_heap_size() > 0;
        if (!ok && why) *why = "boehm: GC_base() does not recognise the adapter's allocation";
        return ok;
    }
};

}  // namespace competitors

#endif  // COMPETITORS_BOEHM_ADAPTER_H
