// Private layout of Arena and its blocks, shared by the arena/src files.
#ifndef ARENA_SRC_ARENA_INTERNAL_H
#define ARENA_SRC_ARENA_INTERNAL_H

#include <cstddef>
#include <cstdint>

#include "arena/arena.h"

#if defined(__GNUC__) || defined(__clang__)
#define ARENA_NOINLINE __attribute__((noinline))
#define ARENA_COLD __attribute__((cold))
#define ARENA_CALLER_ADDRESS() __builtin_extract_return_addr(__builtin_return_address(0))
#else
#define ARENA_CALLER_ADDRESS() nullptr
#define ARENA_NOINLINE
#define ARENA_COLD
#endif

#if ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define ARENA_POISON(p, n) ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#if ARENA_VALGRIND
#include <valgrind/memcheck.h>
#define ARENA_VG_CREATE_POOL(a) VALGRIND_CREATE_MEMPOOL((a), 0, 0)
#define ARENA_VG_DESTROY_POOL(a) VALGRIND_DESTROY_MEMPOOL(a)
#define ARENA_VG_NOACCESS(p, n) VALGRIND_MAKE_MEM_NOACCESS((p), (n))
#define ARENA_VG_POOL_ALLOC(a, p, n) VALGRIND_MEMPOOL_ALLOC((a), (p), (n))
#define ARENA_VG_POOL_TRIM_ALL(a) VALGRIND_MEMPOOL_TRIM((a), 0, 0)
#else
#define ARENA_VG_CREATE_POOL(a) ((void)(a))
#define ARENA_VG_DESTROY_POOL(a) ((void)(a))
#define ARENA_VG_NOACCESS(p, n) ((void)(p), (void)(n))
#define ARENA_VG_POOL_ALLOC(a, p, n) ((void)(a), (void)(p), (void)(n))
#define ARENA_VG_POOL_TRIM_ALL(a) ((void)(a))
#endif

#if ARENA_DEBUG_CHECKS
#include <cstdio>
#include <cstdlib>
#define ARENA_DEBUG_ASSERT(cond)                                                               \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            std::fprintf(stderr, "arena: debug check failed: %s (%s:%d)\n", #cond, __FILE__, \
                         __LINE__);                                                            \
            std::abort();                                                                      \
        }                                                                                      \
    } while (0)
#else
#define ARENA_DEBUG_ASSERT(cond) ((void)0)
#endif

namespace arena_detail {

constexpr size_t kAlign = ARENA_DEFAULT_ALIGNMENT;
// Largest block or request we ever try to get: keeps every sum below overflow.
constexpr size_t kMaxRequest = SIZE_MAX / 4;

// Header in front of every block's data. Blocks of the growth chain are kept
// in creation order; dedicated blocks (one oversized request each) live on
// their own lists so they never change the growth of the chain.
struct Block {
    Block *next;
    size_t capacity;    // usable bytes after the header
    size_t total_bytes; // what upstream gave (header included)
    size_t index;       // position in the growth chain (dedicated: 0)
    char *data() { return reinterpret_cast<char *>(this) + header_size(); }
    char *end() { return data() + capacity; }
    static constexpr size_t header_size() { return (sizeof(Block) + kAlign - 1) & ~(kAlign - 1); }
};

// A rewind that went back to `count` allocations; see Arena::floors.
struct RewindFloor {
    uint64_t rewind; // its number (Arena::rewinds after it)
    size_t count;
};
constexpr size_t kRewindFloors = 8;

struct SiteRecord; // sites.cpp

struct Cleanup {
    Cleanup *next; // older cleanup
    void (*fn)(void *);
    void *data;
};

inline size_t round_up(size_t value, size_t alignment) { return (value + alignment - 1) & ~(alignment - 1); }
inline bool is_power_of_two(size_t value) { return value != 0 && (value & (value - 1)) == 0; }

} // namespace arena_detail

struct Arena {
    ArenaHot hot; // must stay first: the inline fast path casts Arena* to ArenaHot*
    // The cursor as of the last fold: the fast path moves it on inside
    // hot.bump. While the fast path is off (hot.bump == 0) it is the cursor.
    // Read arena_detail::cursor(); change it with set_cursor() + refold().
    char *cursor;
    size_t allocation_count; // as of the last fold; see allocation_count()
    size_t requested_bytes;  // as of the last fold; see requested_bytes()

    arena_detail::Block *first;   // growth chain head
    arena_detail::Block *current; // block the cursor is in (NULL before the first block)
    arena_detail::Block *last;    // growth chain tail (next block grows from it)
    size_t used_before_current;   // bytes handed out in chain blocks before current
    size_t abandoned;             // tails skipped in chain blocks before current

    arena_detail::Block *dedicated_live; // newest first
    arena_detail::Block *dedicated_free; // kept by reset for reuse
    size_t dedicated_used;               // bytes handed out from live dedicated blocks

    arena_detail::Cleanup *cleanups; // newest first

    size_t committed;
    size_t block_count;
    size_t dedicated_count;
    size_t upstream_allocations;
    size_t peak_used;
    size_t peak_used_since_reset;
    size_t reset_count;
    uint64_t epoch; // bumped by every reset: marks from before are stale
    // Rewound-past detection: rewinds so far, and for the newest rewinds the
    // counts they went back to, oldest first with increasing counts (each
    // entry is the lowest count reached by any rewind since it). A mark whose
    // count is above the lowest count reached after it was taken has been
    // rewound past. Exact for up to kRewindFloors nested levels; beyond that
    // the oldest level is forgotten (a very old mark may then be accepted,
    // never a valid one refused).
    uint64_t rewinds;
    arena_detail::RewindFloor floors[arena_detail::kRewindFloors];
    size_t floor_count;

    size_t initial_capacity;
    double growth_factor;
    size_t max_block_size;
    ArenaUpstream upstream;

    Arena *parent;
    Arena *first_child;
    Arena *next_sibling;
    Arena *prev_sibling;

    // Lifetime figures the per-site report (ARENA_STATS, sites.cpp) needs
    // beyond the since-reset ones above. The first three are kept by the
    // block code unconditionally (slow path only); the rest only when site
    // is set, i.e. when ARENA_STATS is on.
    size_t peak_committed;     // max of committed
    size_t peak_blocks;        // max of block_count
    size_t dedicated_obtained; // dedicated blocks ever obtained from upstream
    size_t abandoned_total;    // abandoned, summed over the resets so far
    arena_detail::SiteRecord *site; // creation site's record; NULL: ARENA_STATS off
    Arena *site_prev;               // live arenas with a site, for the report at exit
    Arena *site_next;
};

namespace arena_detail {

// Requested bytes count every size rounded up to the granule (0 stays 0):
// what the fast path's cursor movement gives without a counter of its own.
inline size_t granule_bytes(size_t size) { return round_up(size, kAlign); }

// The cursor, including the fast path's progress since the last fold.
inline char *cursor(const Arena *arena) {
    if (arena->hot.bump == 0) return arena->cursor;
    return reinterpret_cast<char *>(static_cast<uintptr_t>(arena->hot.bump >> ARENA_PACK_SHIFT_));
}
// What the fast path did since the last fold: allocations, and the bytes it
// moved the cursor less the alignment padding it skipped.
inline size_t pending_count(const Arena *arena) {
    return static_cast<size_t>(arena->hot.bump & ARENA_PACK_COUNT_MASK_);
}
inline size_t pending_requested(const Arena *arena) {
    return static_cast<size_t>(cursor(arena) - arena->cursor) - arena->hot.aligned_padding;
}
inline size_t allocation_count(const Arena *arena) { return arena->allocation_count + pending_count(arena); }
inline size_t requested_bytes(const Arena *arena) { return arena->requested_bytes + pending_requested(arena); }

// Moves the fast path's progress into cursor and the totals, and turns the
// fast path off until the next refold.
inline void fold(Arena *arena) {
    arena->allocation_count += pending_count(arena);
    arena->requested_bytes += pending_requested(arena);
    arena->cursor = cursor(arena);
    arena->hot.bump = 0;
    arena->hot.limit = 0;
    arena->hot.aligned_padding = 0;
}
// Every change of the cursor outside the fast path: fold first, so that no
// fast-path progress is lost, then set it; refold() turns the fast path on.
inline void set_cursor(Arena *arena, char *cursor) {
    fold(arena);
    arena->cursor = cursor;
}
// Blocks ending at or above this are not packed (tagged pointers, 5-level
// or 52-bit address spaces): their allocations all take the slow path. The
// tests build a copy with ARENA_TEST_PACKABLE_END=0 to run that way.
#ifdef ARENA_TEST_PACKABLE_END
constexpr uint64_t kPackableEnd = ARENA_TEST_PACKABLE_END;
#else
constexpr uint64_t kPackableEnd = uint64_t{1} << (64 - ARENA_PACK_SHIFT_);
#endif
// Folds the fast path's progress and opens a new fold window at the cursor.
// Must follow every change of cursor or current made outside the fast path.
inline void refold(Arena *arena) {
    fold(arena);
    char *at = arena->cursor;
    if (arena->current == nullptr || at == nullptr) return; // off: no block
    char *end = arena->current->end();
    size_t room = static_cast<size_t>(end - at);
    char *limit = room > ARENA_FOLD_WINDOW_ ? at + ARENA_FOLD_WINDOW_ : end;
    uint64_t packed_limit = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(limit));
    if (packed_limit >= kPackableEnd) return; // off: every allocation takes the slow path
    arena->hot.bump = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(at)) << ARENA_PACK_SHIFT_;
    arena->hot.limit = (packed_limit << ARENA_PACK_SHIFT_) | ARENA_PACK_COUNT_MASK_;
}

// Bytes handed out since the last reset, padding included.
inline size_t used_bytes(const Arena *arena) {
    size_t in_current = arena->current ? static_cast<size_t>(cursor(arena) - arena->current->data()) : 0;
    return arena->used_before_current + in_current + arena->dedicated_used;
}
inline void note_peak(Arena *arena) {
    size_t used = used_bytes(arena);
    if (used > arena->peak_used) arena->peak_used = used;
    if (used > arena->peak_used_since_reset) arena->peak_used_since_reset = used;
}

// blocks.cpp
Block *new_block(Arena *arena, size_t capacity, size_t index);
void release_block(Arena *arena, Block *block, bool dedicated);
void rewind_to_start(Arena *arena);
void trim_blocks(Arena *arena, size_t retain_bytes);
void free_all_blocks(Arena *arena);
// lifetime.cpp
void run_cleanups_until(Arena *arena, Cleanup *stop);

// sites.cpp: per-creation-site statistics (ARENA_STATS) and the initial
// capacity override (ARENA_CAPACITY). Off costs one predictable branch at
// create (sites_state), reset and destroy (arena->site); the inline fast
// path never looks.
enum SitesState : int { kSitesUnread = 0, kSitesOff = 1, kSitesOn = 2 };
extern int sites_state; // read with __atomic_load_n(..., __ATOMIC_RELAXED)
// Before creation: reads the environment on first use, may change
// options->initial_capacity (and max_block_size with it). Returns the site's
// record when statistics are on, else NULL.
SiteRecord *site_before_create(const void *return_address, bool child, ArenaOptions *options);
// After a successful creation with the record site_before_create returned.
void site_created(Arena *arena, SiteRecord *site, size_t requested_capacity);
void site_reset(Arena *arena);   // before the arena rewinds
void site_destroy(Arena *arena); // before its blocks are freed

} // namespace arena_detail

#endif // ARENA_SRC_ARENA_INTERNAL_H
