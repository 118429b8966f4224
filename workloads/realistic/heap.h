// heap.h - how the realistic workloads allocate: every allocation goes through
// a Heap (probe calls and live-byte accounting around an adapter or a
// temporary region of it), objects that must stay reachable for a collector
// sit in a RootSet, and reference runs use RefAdapter (private mmap'd memory,
// so computing a workload's expected checksum never touches the heap being
// measured).
//
// Lifetimes, written once for every allocator:
//   Heap::free(p, n)   an object died in the middle of a phase (a grown
//                      table's old array, a vector's old buffer): freed at once
//                      where the allocator frees (kFreeDead), else abandoned.
//   Heap::kFreeAtEnd   at the end of a phase (release, region close) the
//                      workload walks its structures and frees them object by
//                      object only for allocators without bulk release
//                      (malloc, mimalloc, jemalloc, tcmalloc); bulk allocators
//                      drop everything at once, a collector drops the roots.
//
// Regions (competitors/region.h): temporaries of one pass, with their own
// lifetime inside the adapter's, opened with open_region(a, capacity): a child
// arena, a separate mi_heap, a nested monotonic resource, or the adapter
// itself where it offers none. A Heap runs over an adapter or a region alike.
#ifndef WORKLOADS_REALISTIC_HEAP_H
#define WORKLOADS_REALISTIC_HEAP_H

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory_resource>
#include <new>
#include <utility>

#include "adapter.h"
#include "measure.h"
#include "region.h"

namespace bench::realistic {

using competitors::Adapter;
using competitors::AdapterConfig;
using competitors::open_region;
using competitors::RegionOf;

// Every realistic allocation asks for this alignment (pairs and objects use
// the low 3 bits of their addresses as tags).
inline constexpr std::size_t kAlign = 16;

// ---- probes -------------------------------------------------------------------------

// Counts allocations (reference runs).
struct CountProbe {
    std::size_t count = 0;
    void before() {}
    void after(std::size_t) { ++count; }
    void freed(std::size_t) {}
    void released() {}
};

// ---- Heap ---------------------------------------------------------------------------

// B is an adapter or a region: allocate / allocate_pointer_free / deallocate and
// the traits kFrees, kBulkRelease, kCollected.
template <class B, class P>
class Heap {
public:
    static constexpr bool kFreeDead = B::kFrees;
    static constexpr bool kFreeAtEnd = B::kFrees && !B::kBulkRelease;
    static constexpr bool kCollected = B::kCollected;

    // live: bytes still live from an earlier Heap over the same objects (a
    // workload's release picks up where its fill stopped).
    Heap(B& backend, P& probe, std::size_t live = 0) : b_(&backend), probe_(&probe), live_(live) {}
    Heap(const Heap&) = delete;
    Heap& operator=(const Heap&) = delete;

    // Memory that may hold pointers to other objects.
    void* alloc(std::size_t n) {
        return counted(n, [&] { return b_->allocate(n, kAlign); });
    }
    // Memory that holds no pointers (strings, numbers): never scanned by a collector.
    void* alloc_data(std::size_t n) {
        return counted(n, [&] { return b_->allocate_pointer_free(n, kAlign); });
    }
    template <class T>
    T* alloc_array(std::size_t count) {
        return static_cast<T*>(alloc(count * sizeof(T)));
    }
    // p (n bytes) is dead.
    void free(void* p, std::size_t n) {
        if constexpr (kFreeDead) b_->deallocate(p, n, kAlign);
        live_ -= n;
        probe_->freed(n);
    }
    // Everything still counted as live died at once (bulk release, region
    // reset, dropped roots).
    void all_dead() {
        if (live_ != 0) probe_->freed(live_);
        live_ = 0;
    }

    std::size_t live_bytes() const { return live_; }
    std::size_t allocations() const { return count_; }
    B& backend() const { return *b_; }
    P& probe() const { return *probe_; }

private:
    // One allocation of n bytes, inside the probe's before()/after().
    template <class Allocate>
    void* counted(std::size_t n, Allocate allocate) {
        probe_->before();
        void* p = allocate();
        probe_->after(n);
        live_ += n;
        ++count_;
        return p;
    }

    B* b_;
    P* probe_;
    std::size_t live_ = 0;
    std::size_t count_ = 0;
};

// ---- roots --------------------------------------------------------------------------

// Slots for the pointers a workload keeps between fill, verify and release,
// in mapped pages a collector is told to scan (the workload's table(): the
// driver attaches it to each adapter it creates).
class RootSet {
public:
    static constexpr std::size_t kSlots = 16;
    RootSet() : slots_(kSlots) { clear(); }
    template <class A>
    void attach(A& a) {
        a.add_roots(begin(), end());
    }
    template <class A>
    void detach(A& a) {
        a.remove_roots(begin(), end());
    }
    void*& operator[](std::size_t i) const { return slots_[i]; }
    void clear() { std::memset(static_cast<void*>(slots_.data()), 0, kSlots * sizeof(void*)); }

private:
    void* begin() const { return slots_.data(); }
    void* end() const { return reinterpret_cast<char*>(slots_.data()) + slots_.mapped_bytes(); }
    MappedArray<void*> slots_;
};

// ---- reference adapter --------------------------------------------------------------

// A bump allocator over its own mmap'd chunks: reference runs (expected
// checksum, allocation count, ideal_bump's capacity hint) and input
// validation run on it, so they never warm or fragment the allocator being
// measured in the same process. reset() rewinds (chunks are reused);
// release() unmaps everything.
class RefAdapter : public competitors::AdapterBase<competitors::lifetime::Bulk> {
public:
    static constexpr std::string_view kName = "reference";

    explicit RefAdapter(const AdapterConfig& = {}) {}
    ~RefAdapter() { unmap_all(); }

    void* allocate(std::size_t size, std::size_t align) {
        // ideal_bump's cost of this allocation (its cursor starts 16-aligned
        // after a rounded size): an exact upper bound of its buffer use.
        std::size_t a = align < 16 ? 16 : align;
        phase_bytes_ += ((size + 15) & ~std::size_t{15}) + (a - 16);
        if (phase_bytes_ > peak_phase_bytes_) peak_phase_bytes_ = phase_bytes_;
        total_bytes_ += size;
        std::uintptr_t p = competitors::align_up(reinterpret_cast<std::uintptr_t>(cursor_), a);
        if (cursor_ == nullptr || p + size > reinterpret_cast<std::uintptr_t>(end_)) {
            next_chunk(size + a);
            p = competitors::align_up(reinterpret_cast<std::uintptr_t>(cursor_), a);
        }
        cursor_ = reinterpret_cast<char*>(p + size);
        return reinterpret_cast<void*>(p);
    }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void*, std::size_t, std::size_t) {}
    void reset() {
        phase_bytes_ = 0;
        current_ = nullptr;
        cursor_ = end_ = nullptr;
    }
    void release() {
        unmap_all();
        reset();
    }
    std::size_t footprint_bytes() const { return mapped_; }
    static bool verify_live(std::string*) { return true; }

    // Largest ideal_bump buffer use between two reset()/release() calls.
    std::size_t peak_phase_bytes() const { return peak_phase_bytes_; }
    std::size_t total_requested_bytes() const { return total_bytes_; }

private:
    struct Chunk {
        Chunk* next;
        std::size_t bytes;
    };
    static constexpr std::size_t kChunk = std::size_t{1} << 20;

    void next_chunk(std::size_t need) {
        // Reuse the chunks kept by reset() while they are big enough.
        Chunk* c = current_ == nullptr ? first_ : current_->next;
        if (c == nullptr || c->bytes - sizeof(Chunk) < need) {
            std::size_t bytes = need + sizeof(Chunk) > kChunk ? (need + sizeof(Chunk) + 4095) & ~std::size_t{4095} : kChunk;
            void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (m == MAP_FAILED) competitors::out_of_memory(kName, need, 0);
            mapped_ += bytes;
            Chunk* fresh = static_cast<Chunk*>(m);
            fresh->bytes = bytes;
            // Splice in after current_ (unused chunks after it stay reachable).
            fresh->next = c;
            if (current_ == nullptr) {
                first_ = fresh;
            } else {
                current_->next = fresh;
            }
            c = fresh;
        }
        current_ = c;
        cursor_ = reinterpret_cast<char*>(c) + sizeof(Chunk);
        end_ = reinterpret_cast<char*>(c) + c->bytes;
    }
    void unmap_all() {
        for (Chunk* c = first_; c != nullptr;) {
            Chunk* next = c->next;
            munmap(c, c->bytes);
            c = next;
        }
        first_ = current_ = nullptr;
        mapped_ = 0;
    }

    Chunk* first_ = nullptr;
    Chunk* current_ = nullptr;
    char* cursor_ = nullptr;
    char* end_ = nullptr;
    std::size_t mapped_ = 0;
    std::size_t phase_bytes_ = 0, peak_phase_bytes_ = 0, total_bytes_ = 0;
};

// ---- std::pmr over a Heap -----------------------------------------------------------

// A memory_resource drawing from a Heap: pmr containers of the workloads
// allocate through the adapter (and its probe); do_deallocate frees where the
// allocator frees dead objects.
template <class H>
class HeapResource final : public std::pmr::memory_resource {
public:
    explicit HeapResource(H& heap) : heap_(heap) {}

private:
    void* do_allocate(std::size_t bytes, std::size_t align) override {
        if (align > kAlign) competitors::out_of_memory("HeapResource (over-aligned request)", bytes, align);
        return heap_.alloc(bytes == 0 ? 1 : bytes);
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t) override { heap_.free(p, bytes == 0 ? 1 : bytes); }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

    H& heap_;
};

// A memory_resource that forwards to another one, rebound per phase: pmr
// containers that outlive one Heap (a DOM built in fill and destroyed in
// release) keep a pointer to this instead.
class ForwardingResource final : public std::pmr::memory_resource {
public:
    void bind(std::pmr::memory_resource* target) { target_ = target; }

private:
    void* do_allocate(std::size_t bytes, std::size_t align) override { return target_->allocate(bytes, align); }
    void do_deallocate(void* p, std::size_t bytes, std::size_t align) override { target_->deallocate(p, bytes, align); }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

    std::pmr::memory_resource* target_ = nullptr;
};

}  // namespace bench::realistic

#endif  // WORKLOADS_REALISTIC_HEAP_H
