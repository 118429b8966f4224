// Feature probe of a private jemalloc arena (libjemalloc): arenas.create,
// mallocx(MALLOCX_ARENA | MALLOCX_TCACHE_NONE), arena.<i>.reset.
#include <jemalloc/jemalloc.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "probe.h"

namespace probe {
namespace {

std::size_t g_extent_calls = 0;
extent_hooks_t* g_default_hooks = nullptr;

// jemalloc's allocator hook: extent hooks given to arenas.create. The alloc
// hook counts and forwards to the default one.
void* counting_extent_alloc(extent_hooks_t*, void* new_addr, std::size_t size, std::size_t alignment, bool* zero,
                            bool* commit, unsigned arena_ind) {
    ++g_extent_calls;
    return g_default_hooks->alloc(g_default_hooks, new_addr, size, alignment, zero, commit, arena_ind);
}
extent_hooks_t g_counting_hooks;

unsigned create_arena(bool counting) {
    unsigned index = 0;
    std::size_t size = sizeof index;
    if (!counting) {
        if (mallctl("arenas.create", &index, &size, nullptr, 0) != 0) throw std::runtime_error("arenas.create failed");
        return index;
    }
    std::size_t hooks_size = sizeof g_default_hooks;
    if (mallctl("arena.0.extent_hooks", &g_default_hooks, &hooks_size, nullptr, 0) != 0)
        throw std::runtime_error("reading arena.0.extent_hooks failed");
    g_counting_hooks = *g_default_hooks;
    g_counting_hooks.alloc = counting_extent_alloc;
    extent_hooks_t* hooks = &g_counting_hooks;
    if (mallctl("arenas.create", &index, &size, &hooks, sizeof hooks) != 0)
        throw std::runtime_error("arenas.create with extent hooks failed");
    return index;
}

int flags(unsigned arena) { return static_cast<int>(MALLOCX_ARENA(arena) | MALLOCX_TCACHE_NONE); }

void reset(unsigned arena) {
    const std::string name = "arena." + std::to_string(arena) + ".reset";
    if (mallctl(name.c_str(), nullptr, nullptr, nullptr, 0) != 0) throw std::runtime_error(name + " failed");
}

}  // namespace

void align_4096() {
    unsigned a = create_arena(false);
    void* p = mallocx(100, flags(a) | MALLOCX_ALIGN(4096));
    report_pointer(p, "mallocx(100, MALLOCX_ARENA(i) | MALLOCX_TCACHE_NONE | MALLOCX_ALIGN(4096))", 4096);
}

void oversized() {
    unsigned a = create_arena(false);
    void* p = mallocx(kOversized, flags(a));
    report_pointer(p, "mallocx(64 MiB, MALLOCX_ARENA(i) | MALLOCX_TCACHE_NONE) (a huge extent)");
}

void size_zero() {
    unsigned a = create_arena(false);
    void* p = mallocx(0, flags(a));
    report_pointer(p, "mallocx(0, ...) (the manual calls size 0 undefined behaviour)");
}

void size_max() {
    unsigned a = create_arena(false);
    void* p = mallocx(opaque(SIZE_MAX), flags(a));
    report_pointer(p, "mallocx(SIZE_MAX, ...)");
}

void reset_reuse() {
    unsigned a = create_arena(true);
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(mallocx(kPiece, flags(a)));
    const std::size_t first = g_extent_calls;
    reset(a);
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(mallocx(kPiece, flags(a)));
    report_reuse(first, g_extent_calls - first,
                 "extent hooks given to arenas.create (alloc hook counting); bulk release arena.<i>.reset");
}

void child_region() {
    report(kNo, "arenas are flat: arenas.create makes an independent arena, with no parent to reset it");
}

void savepoint() {
    report(kNo, "no mark/rewind: arena.<i>.reset discards everything (objects are freed one by one otherwise)");
}

void destructor() {
    report(kNo, "no cleanup registration: arena.<i>.reset discards allocations without calling anything");
}

void statistics() {
    bool stats = false;
    std::size_t size = sizeof stats;
    if (mallctl("config.stats", &stats, &size, nullptr, 0) != 0 || !stats) {
        report(kNo, "this jemalloc was built without statistics (config.stats false)");
        return;
    }
    unsigned a = create_arena(false);
    for (int i = 0; i < 10; ++i) static_cast<void>(mallocx(100, flags(a)));
    std::uint64_t epoch = 1;
    size = sizeof epoch;
    mallctl("epoch", &epoch, &size, &epoch, sizeof epoch);
    std::size_t allocated = 0, pactive = 0;
    size = sizeof allocated;
    const std::string prefix = "stats.arenas." + std::to_string(a);
    mallctl((prefix + ".small.allocated").c_str(), &allocated, &size, nullptr, 0);
    size = sizeof pactive;
    mallctl((prefix + ".pactive").c_str(), &pactive, &size, nullptr, 0);
    if (allocated >= 1000 && pactive > 0)
        report(kYes, "mallctl stats.arenas.<i>.small.allocated " + std::to_string(allocated) + ", .pactive " +
                         std::to_string(pactive) + " pages (after an epoch refresh), and the rest of stats.arenas.<i>.*");
    else
        report(kPartial, "stats.arenas.<i>.small.allocated " + std::to_string(allocated) +
                             " after 10 objects of 100 bytes");
}

}  // namespace probe
