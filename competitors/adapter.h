// adapter.h - the one small interface every competitor implements.
//
// A workload is written once, as a template over an adapter type A, and is
// instantiated for every allocator. An adapter instance is used by one thread.
// Process-wide allocators (malloc, jemalloc, ...) have thin instances over the
// shared heap; arena-like allocators own their memory per instance.
//
//   A a(config);                      // config: AdapterConfig below
//   void* p = a.allocate(size, align);            // never NULL (aborts on OOM)
//   void* q = a.allocate_pointer_free(size, align); // data holding no pointers
//   a.deallocate(p, size, align);     // one object; a no-op unless A::kFrees
//   a.reset();                        // end of a phase: everything allocated is
//                                     // dead, memory may be kept for reuse
//   a.release();                      // give everything back that can be
//   a.footprint_bytes();              // memory held (see kScope)
//   a.upstream_allocations();         // blocks/system allocations so far, if known
//   A::verify_live(&why);             // proves this allocator is the one serving
//                                     // allocations in this process
//
// Traits (static constexpr; kFrees, kBulkRelease and kCollected come from the
// adapter's kind in namespace lifetime, kScope from AdapterBase):
//   kName        benchmark name of the allocator ("arena", "malloc", ...)
//   kFrees       deallocate() really frees one object
//   kBulkRelease reset()/release() free every object at once; per-object frees
//                before them are unnecessary (the workloads skip them)
//   kCollected   a garbage collector reclaims unreachable objects: workloads
//                drop references and never call deallocate()
//   kScope       kInstance: footprint_bytes() is what this instance holds;
//                kProcess: what the allocator holds process-wide; such an
//                adapter also has in_use_bytes() (bytes allocated and not yet
//                freed, process-wide), and the harness subtracts the in-use
//                bytes seen before the measured section (the harness' own)
//
// What reset() and release() do per allocator:
//   allocator      reset()                     release()
//   arena          arena_reset (keeps blocks)  arena_destroy + arena_create
//   ideal_bump     rewind the cursor           rewind the cursor (buffer kept)
//   pmr_monotonic  release()                   release()
//   mimalloc_heap  mi_heap_destroy + new       mi_heap_destroy + new
//   malloc-family  nothing (objects were freed one by one)
//   boehm          nothing (collector decides) GC_gcollect()
//
// Optional hooks, with their defaults in AdapterBase:
//   static void process_init();       once per process before any use (GC_INIT)
//   static void thread_enter()/thread_leave();  around use from a new thread
//   void add_roots(lo, hi)/remove_roots(lo, hi); a region holding pointers to
//                                     objects (a collector must scan it)
//   static GcStats gc_stats(); static void gc_reset_max();  collections so far
//   const char* exhausted_reason();   why the last fill overran a fixed buffer
//                                     (capacity_hint too small), nullptr if not
//   kPhaseResetVariant                trace_replay also runs <name>_phase_reset:
//                                     phase-local objects in a region reset at
//                                     every phase boundary (needs open_region)
//
// Optional capabilities (no default; see the concepts at the end):
//   BlockStats block_stats();         the allocator's blocks (capacity_sweep runs
//                                     for adapters that report them)
//   R open_region(initial_capacity);  a nested region (region.h)
#ifndef COMPETITORS_ADAPTER_H
#define COMPETITORS_ADAPTER_H

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace competitors {

enum class FootprintScope { kInstance, kProcess };

struct AdapterConfig {
    // Upper bound of the bytes (alignment padding included) allocated between
    // two reset()/release() calls. ideal_bump sizes its buffer from it; the
    // others ignore it.
    std::size_t capacity_hint = 0;
    // arena: usable bytes of the first block (0: the library default).
    std::size_t initial_capacity = 0;
};

[[noreturn]] inline void out_of_memory(std::string_view allocator, std::size_t size,
                                       std::size_t align) {
    std::fprintf(stderr, "%.*s: out of memory allocating %zu bytes (alignment %zu)\n",
                 static_cast<int>(allocator.size()), allocator.data(), size, align);
    std::abort();
}

constexpr bool is_power_of_two(std::size_t x) { return x != 0 && (x & (x - 1)) == 0; }

constexpr std::uintptr_t align_up(std::uintptr_t x, std::size_t align) {
    return (x + (align - 1)) & ~static_cast<std::uintptr_t>(align - 1);
}

// Collections seen so far (a garbage collector's adapter fills it).
struct GcStats {
    std::uint64_t collections = 0;
    std::uint64_t pause_total_ns = 0;
    std::uint64_t pause_max_ns = 0;  // longest pause since gc_reset_max()
};

// The allocator's blocks, for adapters that can report them.
struct BlockStats {
    std::size_t blocks = 0;
    std::size_t committed_bytes = 0;            // held from upstream, headers included
    std::size_t requested_bytes = 0;            // what callers asked for since the last reset
    std::size_t suggested_initial_capacity = 0;  // one first block that would have held the peak
};

// How objects die, one set of traits per kind of allocator (an adapter or a
// region of one derives from the kind it is).
namespace lifetime {
// Nothing is freed one by one; reset()/release() drop everything (arena,
// bump, monotonic resource).
struct Bulk {
    static constexpr bool kFrees = false, kBulkRelease = true, kCollected = false;
};
// Objects are freed one by one, or all at once (a private heap).
struct FreeOrBulk {
    static constexpr bool kFrees = true, kBulkRelease = true, kCollected = false;
};
// Objects are freed one by one (malloc and friends).
struct Free {
    static constexpr bool kFrees = true, kBulkRelease = false, kCollected = false;
};
// A collector reclaims what is unreachable.
struct Collected {
    static constexpr bool kFrees = false, kBulkRelease = false, kCollected = true;
};
}  // namespace lifetime

// Lifetime traits, footprint scope and the optional hooks' defaults. Adapters
// own allocator state: not copyable.
template <class Lifetime, FootprintScope Scope = FootprintScope::kInstance>
struct AdapterBase : Lifetime {
    static constexpr FootprintScope kScope = Scope;
    static constexpr bool kPhaseResetVariant = false;

    AdapterBase() = default;
    AdapterBase(const AdapterBase&) = delete;
    AdapterBase& operator=(const AdapterBase&) = delete;

    static GcStats gc_stats() { return {}; }
    static void gc_reset_max() {}
    static void process_init() {}
    static void thread_enter() {}
    static void thread_leave() {}
    void add_roots(void*, void*) {}
    void remove_roots(void*, void*) {}
    std::optional<std::size_t> upstream_allocations() const { return std::nullopt; }
    const char* exhausted_reason() const { return nullptr; }
};

template <class A>
concept Adapter = requires(A a, const A ca, std::size_t n, void* p, std::string* why) {
    { A::kName } -> std::convertible_to<std::string_view>;
    { A::kFrees } -> std::convertible_to<bool>;
    { A::kBulkRelease } -> std::convertible_to<bool>;
    { A::kCollected } -> std::convertible_to<bool>;
    { A::kScope } -> std::convertible_to<FootprintScope>;
    requires std::constructible_from<A, const AdapterConfig&>;
    { a.allocate(n, n) } -> std::same_as<void*>;
    { a.allocate_pointer_free(n, n) } -> std::same_as<void*>;
    a.deallocate(p, n, n);
    a.reset();
    a.release();
    { ca.footprint_bytes() } -> std::same_as<std::size_t>;
    { ca.upstream_allocations() } -> std::same_as<std::optional<std::size_t>>;
    requires A::kScope == FootprintScope::kInstance || requires {
        { ca.in_use_bytes() } -> std::same_as<std::size_t>;
    };
    a.add_roots(p, p);
    a.remove_roots(p, p);
    A::process_init();
    A::thread_enter();
    A::thread_leave();
    { A::verify_live(why) } -> std::same_as<bool>;
    { A::gc_stats() } -> std::same_as<GcStats>;
    A::gc_reset_max();
    { ca.exhausted_reason() } -> std::same_as<const char*>;
    { A::kPhaseResetVariant } -> std::convertible_to<bool>;
};

// Capability: the adapter reports its blocks.
template <class A>
concept ReportsBlocks = Adapter<A> && requires(const A& a) {
    { a.block_stats() } -> std::same_as<BlockStats>;
};

}  // namespace competitors

#endif  // COMPETITORS_ADAPTER_H
