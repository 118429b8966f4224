// jemalloc_arena_adapter.h - a private jemalloc arena per adapter instance:
// arenas.create, mallocx(MALLOCX_ARENA(i) | MALLOCX_TCACHE_NONE [|
// MALLOCX_ALIGN(a)]), dallocx for the objects a workload frees, and
// arena.<i>.reset as reset(): every object at once, the pages kept (dirty) for
// the next cycle. release() is arena.<i>.destroy and a new arenas.create
// (jemalloc reuses the destroyed arena's index).
//
// Which jemalloc: a private copy linked into the binary, whose only global
// symbols are jemalloc's non-standard API (mallocx, dallocx, mallctl, ...):
// malloc, free and operator new stay glibc's (CMakeLists.txt builds the copy
// from libjemalloc_pic.a with objcopy), so the harness is not measured on
// jemalloc and the adapter runs under ASan. dlopen(RTLD_LOCAL), as for
// mimalloc, is impossible: Debian's libjemalloc.so.2 needs 2.6 KB of static
// TLS, more than glibc keeps for dlopen ("cannot allocate memory in static TLS
// block"). Linking the shared library would replace malloc process-wide.
//
// The first block: jemalloc has none to size (extents come from its own
// growth policy, opt.retain on Linux): the library default is used.
//
// Footprint: jemalloc's own statistics, stats.arenas.<i>.resident after an
// epoch refresh: pages backing live objects, unused dirty pages and the
// arena's metadata (about 90 KiB of it per arena); open regions' arenas
// included. Upstream allocations: extent hooks given to arenas.create that
// count calls of the alloc hook (new memory from the OS) per arena and forward
// every call to jemalloc's default hooks.
//
// Nested regions are a second private arena (at most 8 open at once);
// reset() resets it. Closing one resets its arena and keeps it for the next
// region, as a jemalloc user keeps arenas rather than create one per task
// (arenas.create costs about 90 KiB of fresh metadata); release() destroys
// the kept ones. Open and kept arenas count in footprint_bytes() and
// upstream_allocations().
#ifndef COMPETITORS_JEMALLOC_ARENA_ADAPTER_H
#define COMPETITORS_JEMALLOC_ARENA_ADAPTER_H

#include <jemalloc/jemalloc.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "adapter.h"

namespace competitors {

namespace jemalloc_arena_detail {

constexpr unsigned kMaxArenas = 4096;  // MALLOCX_ARENA encodes fewer
// Calls of the alloc hook per arena index (the hook may run on any thread).
inline std::atomic<std::size_t> extent_allocs[kMaxArenas];

[[noreturn]] inline void fail(const char* what) {
    std::fprintf(stderr, "jemalloc_arena: %s failed\n", what);
    std::abort();
}

inline extent_hooks_t* default_hooks() {
    static extent_hooks_t* const hooks = [] {
        extent_hooks_t* h = nullptr;
        std::size_t size = sizeof h;
        if (mallctl("arena.0.extent_hooks", &h, &size, nullptr, 0) != 0 || h == nullptr) {
            fail("reading arena.0.extent_hooks");
        }
        return h;
    }();
    return hooks;
}

inline void* counting_alloc(extent_hooks_t*, void* new_addr, std::size_t size, std::size_t alignment, bool* zero,
                            bool* commit, unsigned arena_ind) {
    if (arena_ind < kMaxArenas) extent_allocs[arena_ind].fetch_add(1, std::memory_order_relaxed);
    extent_hooks_t* d = default_hooks();
    return d->alloc(d, new_addr, size, alignment, zero, commit, arena_ind);
}

// jemalloc's default hooks with a counting alloc; they outlive every arena.
inline extent_hooks_t* counting_hooks() {
    static extent_hooks_t hooks = [] {
        extent_hooks_t h = *default_hooks();
        h.alloc = counting_alloc;
        return h;
    }();
    return &hooks;
}

// A private arena: its index and the MIBs of its controls.
class PrivateArena {
public:
    PrivateArena() { create(); }
    ~PrivateArena() { destroy(); }
    PrivateArena(const PrivateArena&) = delete;
    PrivateArena& operator=(const PrivateArena&) = delete;

    int flags() const { return flags_; }
    void reset() { control(reset_mib_, "arena.<i>.reset"); }
    // Destroys the arena and creates a fresh one; the alloc hook's calls so far are kept.
    void recreate() {
        destroy();
        create();
    }
    std::size_t resident_bytes() const {
        std::uint64_t epoch = 1;
        std::size_t len = sizeof epoch;
        mallctl("epoch", &epoch, &len, &epoch, len);  // refreshes the statistics
        std::size_t bytes = 0;
        len = sizeof bytes;
        if (mallctlbymib(resident_mib_, kMibLength, &bytes, &len, nullptr, 0) != 0) return 0;
        return bytes;
    }
    std::size_t extent_allocations() const {
        return retired_allocs_ + extent_allocs[index_].load(std::memory_order_relaxed);
    }
    unsigned index() const { return index_; }

private:
    static constexpr std::size_t kMibLength = 4;  // "stats.arenas.<i>.resident" is the longest

    void create() {
        extent_hooks_t* hooks = counting_hooks();
        std::size_t size = sizeof index_;
        if (mallctl("arenas.create", &index_, &size, &hooks, sizeof hooks) != 0) fail("arenas.create");
        if (index_ >= kMaxArenas) fail("arenas.create (too many arenas)");
        extent_allocs[index_].store(0, std::memory_order_relaxed);
        flags_ = static_cast<int>(MALLOCX_ARENA(index_)) | MALLOCX_TCACHE_NONE;
        name_to_mib("arena.0.reset", reset_mib_, 1);
        name_to_mib("arena.0.destroy", destroy_mib_, 1);
        name_to_mib("stats.arenas.0.resident", resident_mib_, 2);
    }
    void destroy() {
        retired_allocs_ += extent_allocs[index_].load(std::memory_order_relaxed);
        control(destroy_mib_, "arena.<i>.destroy");
    }
    void name_to_mib(const char* name, std::size_t* mib, std::size_t index_at) {
        std::size_t len = kMibLength;
        if (mallctlnametomib(name, mib, &len) != 0) fail(name);
        mib[index_at] = index_;
    }
    // "arena.<i>.reset" and "arena.<i>.destroy": three components.
    static void control(const std::size_t* mib, const char* what) {
        if (mallctlbymib(mib, 3, nullptr, nullptr, nullptr, 0) != 0) fail(what);
    }

    unsigned index_ = 0;
    int flags_ = 0;
    std::size_t retired_allocs_ = 0;  // alloc hook calls of the arenas destroyed by recreate()
    std::size_t reset_mib_[kMibLength] = {};
    std::size_t destroy_mib_[kMibLength] = {};
    std::size_t resident_mib_[kMibLength] = {};
};

// The alignment test folds away for the constant alignments workloads pass.
// mallocx(0) is undefined: 0 bytes become 1.
inline void* allocate_in(const PrivateArena& arena, std::size_t size, std::size_t align, std::string_view who) {
    const int flags = align <= alignof(std::max_align_t) ? arena.flags() : arena.flags() | MALLOCX_ALIGN(align);
    void* p = mallocx(size + (size == 0), flags);
    if (__builtin_expect(p == nullptr, 0)) out_of_memory(who, size, align);
    return p;
}

}  // namespace jemalloc_arena_detail

class JemallocArenaAdapter : public AdapterBase<lifetime::FreeOrBulk> {
public:
    static constexpr std::string_view kName = "jemalloc_arena";

    explicit JemallocArenaAdapter(const AdapterConfig&) {}
    ~JemallocArenaAdapter() { drop_spares(); }
    static void process_init() { jemalloc_arena_detail::counting_hooks(); }

    void* allocate(std::size_t size, std::size_t align) {
        return jemalloc_arena_detail::allocate_in(arena_, size, align, kName);
    }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    // The arena is found from the pointer (the workloads' alignment argument may not be the one allocated with).
    void deallocate(void* p, std::size_t, std::size_t) { dallocx(p, MALLOCX_TCACHE_NONE); }
    void reset() { arena_.reset(); }
    void release() {
        arena_.recreate();
        drop_spares();
    }
    std::size_t footprint_bytes() const {
        std::size_t bytes = arena_.resident_bytes();
        for (int i = 0; i < children_; ++i) bytes += child_[i]->resident_bytes();
        for (int i = 0; i < spares_; ++i) bytes += spare_[i]->resident_bytes();
        return bytes;
    }
    std::optional<std::size_t> upstream_allocations() const {
        std::size_t n = arena_.extent_allocations() + retired_child_allocs_;
        for (int i = 0; i < children_; ++i) n += child_[i]->extent_allocations();
        for (int i = 0; i < spares_; ++i) n += spare_[i]->extent_allocations();
        return n;
    }

    // A second private arena.
    class SecondArena : public lifetime::FreeOrBulk {
    public:
        static constexpr const char* kKind = "second jemalloc arena";
        explicit SecondArena(JemallocArenaAdapter& owner) : owner_(owner), arena_(owner.attach()) {}
        ~SecondArena() { owner_.detach(arena_); }
        SecondArena(const SecondArena&) = delete;
        SecondArena& operator=(const SecondArena&) = delete;
        void* allocate(std::size_t n, std::size_t align) {
            return jemalloc_arena_detail::allocate_in(*arena_, n, align, kRegionName);
        }
        void* allocate_pointer_free(std::size_t n, std::size_t align) { return allocate(n, align); }
        void deallocate(void* p, std::size_t, std::size_t) { dallocx(p, MALLOCX_TCACHE_NONE); }
        void reset() { arena_->reset(); }

    private:
        static constexpr std::string_view kRegionName = "jemalloc_arena region";
        JemallocArenaAdapter& owner_;
        jemalloc_arena_detail::PrivateArena* arena_;
    };
    SecondArena open_region(std::size_t) { return SecondArena(*this); }

    // jemalloc's statistics see the allocations in this arena, which
    // arenas.lookup names as the owner of the pointer.
    static bool verify_live(std::string* why) {
        JemallocArenaAdapter a{AdapterConfig{}};
        const std::size_t before = a.footprint_bytes();
        void* p = a.allocate(1 << 20, 64);
        std::memset(p, 1, 1 << 20);
        unsigned owner = ~0u;
        std::size_t len = sizeof owner;
        bool looked_up = mallctl("arenas.lookup", &owner, &len, &p, sizeof p) == 0;
        bool ok = looked_up && owner == a.arena_.index() && a.footprint_bytes() >= before + (1 << 20) &&
                  a.upstream_allocations().value_or(0) >= 1;
        a.deallocate(p, 1 << 20, 64);
        if (!ok && why) *why = "jemalloc's statistics or arenas.lookup do not see the adapter's private arena";
        return ok;
    }

private:
    static constexpr int kMaxChildren = 8;

    // A region's arena: a kept one, or a new one.
    jemalloc_arena_detail::PrivateArena* attach() {
        if (children_ == kMaxChildren) {
            std::fprintf(stderr, "jemalloc_arena: more than %d regions open\n", kMaxChildren);
            std::abort();
        }
        auto* arena = spares_ > 0 ? spare_[--spares_] : new jemalloc_arena_detail::PrivateArena();
        child_[children_++] = arena;
        return arena;
    }
    // A closed region's arena, reset and kept for the next region.
    void detach(jemalloc_arena_detail::PrivateArena* arena) {
        for (int i = 0; i < children_; ++i) {
            if (child_[i] == arena) child_[i] = child_[--children_];
        }
        arena->reset();
        spare_[spares_++] = arena;  // at most kMaxChildren arenas exist besides arena_
    }
    void drop_spares() {
        while (spares_ > 0) {
            jemalloc_arena_detail::PrivateArena* arena = spare_[--spares_];
            retired_child_allocs_ += arena->extent_allocations();
            delete arena;  // arena.<i>.destroy
        }
    }

    jemalloc_arena_detail::PrivateArena arena_;
    jemalloc_arena_detail::PrivateArena* child_[kMaxChildren] = {};
    jemalloc_arena_detail::PrivateArena* spare_[kMaxChildren] = {};
    int children_ = 0;
    int spares_ = 0;
    std::size_t retired_child_allocs_ = 0;  // alloc hook calls of destroyed region arenas
};

}  // namespace competitors

#endif  // COMPETITORS_JEMALLOC_ARENA_ADAPTER_H
