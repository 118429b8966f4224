/* arena.h - region (arena) allocator: the seed's C API plus options, nested
 * arenas, savepoints, cleanups and statistics.
 *
 * Blocks form a linked list; each new block is larger than the last (growth
 * factor, optional cap). Allocation bumps a cursor inside the current block.
 * arena_reset() keeps every block and rewinds to the first one, so a warm
 * reset/refill cycle makes no upstream allocation; arena_destroy() frees all.
 *
 * The common case of arena_alloc()/arena_alloc_aligned() is inline below: one
 * bounds compare and a bump. Everything else (new blocks, oversized requests,
 * bad input) is out of line in arena_alloc_slow().
 *
 * Errors: functions returning a pointer return NULL and set errno (EINVAL for
 * bad arguments, ENOMEM when memory cannot be had); functions returning int
 * return 0 on success and an errno value on failure. A failed call never
 * changes the arena. See the README's "Bad input" table.
 */
#ifndef ARENA_ARENA_H
#define ARENA_ARENA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ARENA_VERSION_MAJOR 1
#define ARENA_VERSION_MINOR 0
#define ARENA_VERSION_PATCH 0

#if defined(__GNUC__) || defined(__clang__)
#define ARENA_LIKELY(x) __builtin_expect(!!(x), 1)
#define ARENA_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define ARENA_INLINE static inline __attribute__((always_inline))
#define ARENA_MALLOC_LIKE __attribute__((malloc))
#define ARENA_ASSUME_(cond) ((cond) ? (void)0 : __builtin_unreachable())
#else
#define ARENA_LIKELY(x) (x)
#define ARENA_UNLIKELY(x) (x)
#define ARENA_INLINE static inline
#define ARENA_MALLOC_LIKE
#define ARENA_ASSUME_(cond) ((void)0)
#endif

#if defined(_WIN32) && defined(ARENA_SHARED_BUILD)
#define ARENA_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define ARENA_API __attribute__((visibility("default")))
#else
#define ARENA_API
#endif

/* Every arena_alloc() result is aligned to this (like malloc: max_align_t). */
#define ARENA_DEFAULT_ALIGNMENT 16u
/* First block size used when arena_create() is given capacity 0. */
#define ARENA_DEFAULT_CAPACITY 4096u

/* Sanitizer and valgrind hooks for the inline fast path. Both are compiled out
 * of ordinary builds; ASan builds get them automatically, valgrind support
 * with -DARENA_VALGRIND=1 (the library and its users must agree). */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifndef ARENA_ASAN
#define ARENA_ASAN 0
#endif
#ifndef ARENA_VALGRIND
#define ARENA_VALGRIND 0
#endif
/* ARENA_FAST_STATS=0 in a translation unit drops the +1 of the allocation
 * count from its inline fast path: allocations made there are then missing
 * from allocation_count; every other statistic stays exact. The count rides
 * in the same add as the bump, so this saves no memory operation and at most
 * one instruction (see the README's fast-path figures). Default: exact. */
#ifndef ARENA_FAST_STATS
#define ARENA_FAST_STATS 1
#endif
#if ARENA_FAST_STATS
#define ARENA_COUNT_ONE_ ((uint64_t)1)
#else
#define ARENA_COUNT_ONE_ ((uint64_t)0)
#endif

/* test-only: lets the counts gate's test inject a known regression. N > 0
 * adds exactly N nops (no loop, never optimised away) to every fast-path
 * allocation of the translation units compiled with it. Default 0: nothing. */
#ifndef ARENA_TEST_FASTPATH_EXTRA_COST
#define ARENA_TEST_FASTPATH_EXTRA_COST 0
#endif
#if ARENA_TEST_FASTPATH_EXTRA_COST > 0 && (defined(__GNUC__) || defined(__clang__))
#define ARENA_TEST_EXTRA_COST_() \
    __asm__ volatile(".rept %c0\n\tnop\n\t.endr" ::"i"(ARENA_TEST_FASTPATH_EXTRA_COST))
#else
#define ARENA_TEST_EXTRA_COST_() ((void)0)
#endif

typedef struct Arena Arena;

/* Where blocks come from. allocate() returns memory aligned to at least 16
 * bytes, or NULL; deallocate() gets back the same pointer and size. */
typedef struct ArenaUpstream {
    void *(*allocate)(void *context, size_t bytes);
    void (*deallocate)(void *context, void *ptr, size_t bytes);
    void *context;
} ArenaUpstream;

/* malloc/free (the default) and whole pages from mmap/munmap. */
ARENA_API const ArenaUpstream *arena_upstream_malloc(void);
ARENA_API const ArenaUpstream *arena_upstream_pages(void);

typedef struct ArenaOptions {
    size_t initial_capacity;      /* usable bytes of the first block; 0: ARENA_DEFAULT_CAPACITY */
    double growth_factor;         /* next block = previous * factor, in [1, 16]; default 2 */
    size_t max_block_size;        /* cap on grown block size; 0: no cap */
    const ArenaUpstream *upstream; /* NULL: malloc/free */
} ArenaOptions;

/* Fills *options with the defaults (capacity 4 KiB, doubling, no cap, malloc). */
ARENA_API void arena_options_init(ArenaOptions *options);

/* ---- The seed's API ---------------------------------------------------- */

/* Creates an arena whose first block holds initial_capacity bytes (0 means
 * ARENA_DEFAULT_CAPACITY). NULL and errno = ENOMEM if it cannot be had. */
ARENA_API Arena *arena_create(size_t initial_capacity);

/* size bytes aligned to ARENA_DEFAULT_ALIGNMENT. size 0 returns a unique-ish
 * non-NULL pointer that must not be dereferenced. NULL + errno on failure. */
ARENA_INLINE void *arena_alloc(Arena *arena, size_t size);

/* size bytes aligned to alignment (any power of two, 4096 and beyond).
 * alignment 0 or not a power of two: NULL, errno = EINVAL. */
ARENA_INLINE void *arena_alloc_aligned(Arena *arena, size_t size, size_t alignment);

/* Keeps every block and rewinds to the first one; resets children and runs
 * cleanups (newest first). NULL: no-op. */
ARENA_API void arena_reset(Arena *arena);

/* Frees every block, destroys children, runs cleanups. NULL: no-op. */
ARENA_API void arena_destroy(Arena *arena);

/* Bytes handed out since the last reset, including alignment padding.
 * NULL: 0. */
ARENA_API size_t arena_get_used_memory(const Arena *arena);

/* Successful allocations since the last reset. NULL: 0. */
ARENA_API size_t arena_get_allocation_count(const Arena *arena);

/* ---- Beyond the seed ---------------------------------------------------- */

/* NULL options means defaults. Invalid options: NULL, errno = EINVAL. */
ARENA_API Arena *arena_create_ex(const ArenaOptions *options);

/* A child arena: its blocks come from the parent's upstream, it is reset when
 * the parent is reset and destroyed when the parent is destroyed; the parent's
 * statistics can include it. Destroying the child first is fine. */
ARENA_API Arena *arena_create_child(Arena *parent, size_t initial_capacity);
ARENA_API Arena *arena_create_child_ex(Arena *parent, const ArenaOptions *options);

/* Like arena_reset, but keeps at most retain_bytes of blocks (headers
 * included) and returns the rest upstream. retain 0 frees every block. */
ARENA_API void arena_reset_retain(Arena *arena, size_t retain_bytes);

/* Resizes an allocation of old_size bytes. The most recent allocation grows
 * or shrinks in place when it fits; otherwise a new allocation is made and
 * min(old_size, new_size) bytes are copied. ptr NULL acts as arena_alloc.
 * On failure returns NULL, sets errno, and ptr stays valid. */
ARENA_API void *arena_realloc(Arena *arena, void *ptr, size_t old_size, size_t new_size);

/* Registers fn(data) to run at the next reset, destroy, or rewind past this
 * point, newest first. 0 or ENOMEM / EINVAL. */
ARENA_API int arena_add_cleanup(Arena *arena, void (*fn)(void *data), void *data);

/* Savepoint: everything allocated after arena_mark() is released by
 * arena_rewind() to that mark (blocks are kept for reuse). Rewinding to a mark
 * taken before a later reset, from another arena, or already rewound past
 * returns EINVAL and changes nothing. Fields are private. */
typedef struct ArenaMark {
    const Arena *arena_;
    void *block_;
    char *cursor_;
    size_t used_before_;
    size_t abandoned_;
    size_t dedicated_used_;
    void *dedicated_;
    void *cleanups_;
    size_t allocation_count_;
    size_t requested_bytes_;
    uint64_t epoch_;
    uint64_t rewinds_;
} ArenaMark;
ARENA_API ArenaMark arena_mark(Arena *arena);
ARENA_API int arena_rewind(Arena *arena, ArenaMark mark);

typedef struct ArenaStats {
    size_t used_bytes;           /* handed out since reset, padding included */
    size_t requested_bytes;      /* what callers asked for since reset, each size rounded
                                    up to 16 (the granule every allocation takes; size 0
                                    counts 0): exact without a counter on the fast path */
    size_t allocation_count;     /* successful allocations since reset (exact) */
    size_t committed_bytes;      /* held from upstream, block headers included */
    size_t block_count;          /* blocks held (growth chain + dedicated) */
    size_t dedicated_block_count; /* blocks holding one oversized request */
    size_t padding_bytes;        /* used_bytes - requested_bytes: alignment padding above
                                    16, size-0 granules, tails of shrinks in place that
                                    could not give bytes back (arena_realloc) */
    size_t abandoned_bytes;      /* block tails skipped since reset */
    size_t peak_used_bytes;      /* max used_bytes since creation */
    size_t peak_used_since_reset; /* max used_bytes since the last reset */
    size_t reset_count;          /* resets so far */
    size_t upstream_allocations; /* blocks ever obtained from upstream */
    size_t suggested_initial_capacity; /* one block that would have held the peak */
} ArenaStats;

#define ARENA_STATS_INCLUDE_CHILDREN 1

/* Fills *stats (zeros for a NULL arena). flags: ARENA_STATS_INCLUDE_CHILDREN
 * adds every descendant's figures (peaks are summed: an upper bound). */
ARENA_API void arena_get_stats(const Arena *arena, ArenaStats *stats, int flags);

/* Consistency check of the internal invariants, for tests and debugging:
 * 0 when consistent, EINVAL otherwise (NULL included). */
ARENA_API int arena_check(const Arena *arena);

/* Out-of-line path behind the inline functions; also a complete allocator on
 * its own (handles every case, validates everything). */
ARENA_API void *arena_alloc_slow(Arena *arena, size_t size, size_t alignment) ARENA_MALLOC_LIKE;

/* ---- Inline fast path ---------------------------------------------------- */

/* The first member of every Arena: what the fast path touches. Private.
 * bump packs the cursor and the number of fast-path allocations since the
 * slow path last folded them into the arena's totals: (cursor << 16) | count.
 * limit is min(end of the current block, fold window end) in the same form
 * with the count bits all ones, so one unsigned compare of the bumped word
 * checks the bound. Invariants kept by the slow path (arena_check tests
 * them): the cursor is 16-aligned; limit is at most ARENA_FOLD_WINDOW_ bytes
 * past the cursor of the last fold and every fast-path allocation takes at
 * least 16 bytes, so the count stays <= 0xFFFF and never carries into the
 * cursor while the cursor is within the limit (a carry lands above it); the
 * slow path packs only blocks that end below 2^48 (every x86-64 and AArch64
 * user address without a tag or a 5-level/52-bit mapping), and otherwise sets
 * bump = limit = 0: every allocation then takes the slow path, which is
 * slower but complete. Requested bytes are not counted here: the slow path
 * derives them from how far the cursor moved, less aligned_padding. */
typedef struct ArenaHot {
    uint64_t bump;          /* (cursor << 16) | allocations since the last fold; 0: off */
    uint64_t limit;         /* (limit << 16) | 0xFFFF; 0: off */
    size_t aligned_padding; /* alignment padding skipped by arena_alloc_aligned's fast path */
} ArenaHot;

#define ARENA_PACK_SHIFT_ 16
#define ARENA_PACK_COUNT_MASK_ (((uint64_t)1 << ARENA_PACK_SHIFT_) - 1)
#define ARENA_FOLD_WINDOW_ ((size_t)0xFFFF * ARENA_DEFAULT_ALIGNMENT)

#if ARENA_ASAN
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define ARENA_UNPOISON_(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define ARENA_UNPOISON_(p, n) ((void)0)
#endif
#if ARENA_VALGRIND
ARENA_API void arena_valgrind_note_alloc_(Arena *arena, void *ptr, size_t size);
#define ARENA_VG_ALLOC_(a, p, n) arena_valgrind_note_alloc_((a), (p), (n))
#else
#define ARENA_VG_ALLOC_(a, p, n) ((void)0)
#endif

/* The end of both fast paths: store the bumped word and tell ASan and
 * valgrind the bytes are handed out. */
ARENA_INLINE void *arena_hand_out_(Arena *arena, ArenaHot *hot, uint64_t bumped, char *result, size_t size) {
    (void)arena; /* used by ASan and valgrind builds only */
    (void)size;
    ARENA_TEST_EXTRA_COST_();
    /* A packed cursor is never NULL: callers' NULL tests fold away here. */
    ARENA_ASSUME_(result != NULL);
    hot->bump = bumped;
    ARENA_UNPOISON_(result, size);
    ARENA_VG_ALLOC_(arena, result, size);
    return result;
}

/* Budget: 2 loads, 1 compare, 1 add, 1 store (and the size test, which
 * folds away for a constant size). The size test sends size 0, sizes no fold
 * window can hold and sizes whose rounding overflows to the slow path, so the
 * shifted size below cannot overflow. Adding (rounded << 16) + 1 bumps the
 * cursor and counts the allocation; a NULL cursor or an unpacked block has
 * bump = limit = 0, which no bumped word passes. */
ARENA_INLINE void *arena_alloc(Arena *arena, size_t size) {
    if (ARENA_LIKELY(arena != NULL && size - 1 < ARENA_FOLD_WINDOW_)) {
        ArenaHot *hot = (ArenaHot *)arena;
        uint64_t rounded = (size + (ARENA_DEFAULT_ALIGNMENT - 1)) & ~(uint64_t)(ARENA_DEFAULT_ALIGNMENT - 1);
        uint64_t bump = hot->bump;
        uint64_t bumped = bump + (rounded << ARENA_PACK_SHIFT_) + ARENA_COUNT_ONE_;
        if (ARENA_LIKELY(bumped <= hot->limit))
            return arena_hand_out_(arena, hot, bumped, (char *)(uintptr_t)(bump >> ARENA_PACK_SHIFT_), size);
    }
    return arena_alloc_slow(arena, size, ARENA_DEFAULT_ALIGNMENT);
}

/* Alignments up to 16 are arena_alloc. Above, the same budget plus the
 * padding computation and one read-modify-write of aligned_padding (3 loads,
 * 2 stores); with a constant alignment the validity tests fold away. */
ARENA_INLINE void *arena_alloc_aligned(Arena *arena, size_t size, size_t alignment) {
    if (ARENA_UNLIKELY(arena == NULL || alignment == 0 || (alignment & (alignment - 1)) != 0))
        return arena_alloc_slow(arena, size, alignment);
    if (alignment <= ARENA_DEFAULT_ALIGNMENT) return arena_alloc(arena, size);
    if (ARENA_LIKELY(size - 1 < ARENA_FOLD_WINDOW_ && alignment <= ARENA_FOLD_WINDOW_)) {
        ArenaHot *hot = (ArenaHot *)arena;
        uint64_t rounded = (size + (ARENA_DEFAULT_ALIGNMENT - 1)) & ~(uint64_t)(ARENA_DEFAULT_ALIGNMENT - 1);
        uint64_t bump = hot->bump;
        uint64_t cursor = bump >> ARENA_PACK_SHIFT_;
        uint64_t padding = (0 - cursor) & (alignment - 1);
        uint64_t bumped = bump + ((padding + rounded) << ARENA_PACK_SHIFT_) + ARENA_COUNT_ONE_;
        if (ARENA_LIKELY(bumped <= hot->limit)) {
            hot->aligned_padding += (size_t)padding;
            return arena_hand_out_(arena, hot, bumped, (char *)(uintptr_t)(cursor + padding), size);
        }
    }
    return arena_alloc_slow(arena, size, alignment);
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ARENA_ARENA_H */
