// Edge cases of the C API, pinned one by one.
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "arena/arena.h"
#include "test_support.h"

namespace {

using test_support::CheckedArena;
using test_support::CountingUpstream;
using test_support::create_counted;
using test_support::is_aligned;
using test_support::stats_of;

TEST(ArenaCreate, FirstBlockHoldsInitialCapacity) {
    CheckedArena arena(arena_create(1024));
    ASSERT_NE(arena, nullptr);
    ArenaStats stats = stats_of(arena);
    EXPECT_EQ(stats.block_count, 1u);
    EXPECT_GE(stats.committed_bytes, 1024u);
    EXPECT_EQ(stats.used_bytes, 0u);
    EXPECT_EQ(arena_get_used_memory(arena), 0u);
    EXPECT_EQ(arena_get_allocation_count(arena), 0u);
}

TEST(ArenaCreate, CapacityZeroUsesTheDefault) {
    CheckedArena arena(arena_create(0));
    ASSERT_NE(arena, nullptr);
    ArenaStats stats = stats_of(arena);
    EXPECT_EQ(stats.block_count, 1u);
    // The whole default block is usable without a second block.
    ASSERT_NE(arena_alloc(arena, ARENA_DEFAULT_CAPACITY), nullptr);
    EXPECT_EQ(stats_of(arena).block_count, 1u);
}

TEST(ArenaCreate, ImpossibleCapacityFailsWithEnomem) {
    errno = 0;
    EXPECT_EQ(arena_create(SIZE_MAX), nullptr);
    EXPECT_EQ(errno, ENOMEM);
    errno = 0;
    EXPECT_EQ(arena_create(SIZE_MAX / 2), nullptr);
    EXPECT_EQ(errno, ENOMEM);
}

TEST(ArenaCreate, InvalidOptionsFailWithEinval) {
    ArenaOptions options;
    arena_options_init(&options);
    for (double factor : {0.5, 16.5, -1.0, std::nan("")}) {
        options.growth_factor = factor;
        errno = 0;
        EXPECT_EQ(arena_create_ex(&options), nullptr) << factor;
        EXPECT_EQ(errno, EINVAL) << factor;
    }
    arena_options_init(&options);
    options.initial_capacity = 8192;
    options.max_block_size = 4096; // below the first block
    errno = 0;
    EXPECT_EQ(arena_create_ex(&options), nullptr);
    EXPECT_EQ(errno, EINVAL);
    ArenaUpstream broken = {nullptr, nullptr, nullptr};
    arena_options_init(&options);
    options.upstream = &broken;
    errno = 0;
    EXPECT_EQ(arena_create_ex(&options), nullptr);
    EXPECT_EQ(errno, EINVAL);
}

TEST(ArenaCreate, NullOptionsMeanDefaultsAndZeroedOptionsToo) {
    Arena *arena = arena_create_ex(nullptr);
    ASSERT_NE(arena, nullptr);
    arena_destroy(arena);
    ArenaOptions zeroed;
    std::memset(&zeroed, 0, sizeof zeroed);
    arena = arena_create_ex(&zeroed);
    ASSERT_NE(arena, nullptr);
    EXPECT_EQ(arena_check(arena), 0);
    arena_destroy(arena);
}

TEST(ArenaAlloc, ResultsAreMaxAlignedAndDisjoint) {
    CheckedArena arena(arena_create(256));
    std::vector<std::pair<char *, size_t>> seen;
    for (size_t size = 1; size < 300; size += 7) {
        auto *p = static_cast<char *>(arena_alloc(arena, size));
        ASSERT_NE(p, nullptr);
        EXPECT_TRUE(is_aligned(p, alignof(std::max_align_t)));
        std::memset(p, 0xAB, size);
        for (auto [q, n] : seen) EXPECT_TRUE(p + size <= q || q + n <= p);
        seen.emplace_back(p, size);
    }
    EXPECT_EQ(arena_get_allocation_count(arena), seen.size());
}

TEST(ArenaAlloc, ExactFillThenOneByteMoreGivesASecondBlock) {
    CheckedArena arena(arena_create(1024));
    void *all = arena_alloc(arena, 1024);
    ASSERT_NE(all, nullptr);
    EXPECT_EQ(stats_of(arena).block_count, 1u);
    EXPECT_EQ(arena_get_used_memory(arena), 1024u);
    void *more = arena_alloc(arena, 1);
    ASSERT_NE(more, nullptr);
    ArenaStats stats = stats_of(arena);
    EXPECT_EQ(stats.block_count, 2u);
    EXPECT_EQ(stats.dedicated_block_count, 0u);
    EXPECT_EQ(stats.abandoned_bytes, 0u); // the first block was exactly full
}

TEST(ArenaAlloc, BlocksDoubleByDefault) {
    CountingUpstream upstream;
    Arena *arena = create_counted(upstream, 1024);
    for (int i = 0; i < 1024 + 2048 + 4096; i += 64) ASSERT_NE(arena_alloc(arena, 64), nullptr);
    ASSERT_NE(arena_alloc(arena, 64), nullptr);
    // Blocks of 1024, 2048, 4096 and 8192 usable bytes.
    ASSERT_EQ(upstream.live_blocks(), 4u + 1u); // + the Arena itself
    std::vector<size_t> sizes = upstream.live_sizes();
    std::sort(sizes.begin(), sizes.end());
    size_t header = sizes[1] - 1024;
    EXPECT_EQ(sizes[2], 2048 + header);
    EXPECT_EQ(sizes[3], 4096 + header);
    EXPECT_EQ(sizes[4], 8192 + header);
    arena_destroy(arena);
    EXPECT_EQ(upstream.live_blocks(), 0u);
}

TEST(ArenaAlloc, GrowthFactorAndMaxBlockSizeAreHonoured) {
    CountingUpstream upstream;
    ArenaOptions options;
    arena_options_init(&options);
    options.initial_capacity = 1024;
    options.growth_factor = 1.5;
    options.max_block_size = 2048;
    options.upstream = upstream.get();
    CheckedArena arena(arena_create_ex(&options));
    for (int i = 0; i < 200; ++i) ASSERT_NE(arena_alloc(arena, 128), nullptr);
    std::vector<size_t> sizes = upstream.live_sizes();
    std::sort(sizes.begin(), sizes.end());
    size_t header = sizes[1] - 1024;
    EXPECT_EQ(sizes[2], 1536 + header);
    for (size_t i = 3; i < sizes.size(); ++i) EXPECT_EQ(sizes[i], 2048 + header);
}

TEST(ArenaAlloc, AlignmentPastABlockEndMovesToTheNextBlock) {
    // Page upstream: the block starts on a page, so the 16 bytes left sit at
    // a known small alignment. (With malloc's blocks, the one time in ~128
    // that they sit on 2 KiB, the alignment below would exceed the next
    // block and get a dedicated block instead.)
    ArenaOptions options;
    arena_options_init(&options);
    options.initial_capacity = 1024;
    options.upstream = arena_upstream_pages();
    CheckedArena arena(arena_create_ex(&options));
    auto *first = static_cast<char *>(arena_alloc(arena, 1000)); // 1008 used, 16 left
    ASSERT_NE(first, nullptr);
    // An alignment the 16 bytes left do not meet.
    uintptr_t rest = reinterpret_cast<uintptr_t>(first + 1008);
    size_t alignment = 2 * (rest & (~rest + 1));
    ASSERT_LE(alignment, 1024u);
    void *p = arena_alloc_aligned(arena, 16, alignment);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(is_aligned(p, alignment));
    ArenaStats stats = stats_of(arena);
    EXPECT_EQ(stats.block_count, 2u);
    EXPECT_EQ(stats.abandoned_bytes, 16u);
}

TEST(ArenaAlloc, EveryPowerOfTwoAlignmentUpToAMegabyte) {
    CheckedArena arena(arena_create(4096));
    for (size_t alignment = 1; alignment <= (1u << 20); alignment <<= 1) {
        void *p = arena_alloc_aligned(arena, 24, alignment);
        ASSERT_NE(p, nullptr) << alignment;
        EXPECT_TRUE(is_aligned(p, alignment < 16 ? 16 : alignment)) << alignment;
        std::memset(p, 1, 24);
    }
}

TEST(ArenaAlloc, OversizedRequestGetsADedicatedBlockAndKeepsTheCurrentOne) {
    CheckedArena arena(arena_create(4096));
    auto *small = static_cast<char *>(arena_alloc(arena, 100));
    auto *huge = static_cast<char *>(arena_alloc(arena, 1 << 20));
    ASSERT_NE(huge, nullptr);
    std::memset(huge, 7, 1 << 20);
    ArenaStats stats = stats_of(arena);
    EXPECT_EQ(stats.dedicated_block_count, 1u);
    EXPECT_EQ(stats.abandoned_bytes, 0u);
    // The free space of the current block is still used.
    auto *next = static_cast<char *>(arena_alloc(arena, 100));
    EXPECT_EQ(next, small + 112);
    // And the growth chain did not inflate: the next block is 8 KiB, not 2 MiB.
    for (int i = 0; i < 40; ++i) ASSERT_NE(arena_alloc(arena, 100), nullptr);
    stats = stats_of(arena);
    EXPECT_EQ(stats.block_count, 3u);
    EXPECT_LT(stats.committed_bytes, (1u << 20) + 4096 + 8192 + 1024);
}

TEST(ArenaAlloc, SizeZeroGivesUniqueNonNullPointers) {
    CheckedArena arena(arena_create(64));
    void *a = arena_alloc(arena, 0);
    void *b = arena_alloc(arena, 0);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_NE(a, b);
    EXPECT_EQ(arena_get_allocation_count(arena), 2u);
    ArenaStats stats = stats_of(arena);
    EXPECT_EQ(stats.requested_bytes, 0u);
    EXPECT_EQ(stats.padding_bytes, stats.used_bytes);
}

TEST(ArenaAlloc, SizesThatOverflowFailWithEnomemAndChangeNothing) {
    CheckedArena arena(arena_create(1024));
    ASSERT_NE(arena_alloc(arena, 10), nullptr);
    ArenaStats before = stats_of(arena);
    for (size_t size : {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 15, SIZE_MAX / 2, SIZE_MAX / 4 + 1}) {
        errno = 0;
        EXPECT_EQ(arena_alloc(arena, size), nullptr) << size;
        EXPECT_EQ(errno, ENOMEM) << size;
        errno = 0;
        EXPECT_EQ(arena_alloc_aligned(arena, size, 4096), nullptr) << size;
        EXPECT_EQ(errno, ENOMEM) << size;
    }
    ArenaStats after = stats_of(arena);
    EXPECT_EQ(std::memcmp(&before, &after, sizeof before), 0);
    EXPECT_NE(arena_alloc(arena, 10), nullptr); // still usable
}

TEST(ArenaAlloc, BadAlignmentFailsWithEinvalAndChangesNothing) {
    CheckedArena arena(arena_create(1024));
    ArenaStats before = stats_of(arena);
    for (size_t alignment : {size_t{0}, size_t{3}, size_t{24}, size_t{4095}, SIZE_MAX}) {
        errno = 0;
        EXPECT_EQ(arena_alloc_aligned(arena, 16, alignment), nullptr) << alignment;
        EXPECT_EQ(errno, EINVAL) << alignment;
    }
    errno = 0;
    EXPECT_EQ(arena_alloc_aligned(arena, 16, size_t{1} << 63), nullptr);
    EXPECT_EQ(errno, ENOMEM);
    ArenaStats after = stats_of(arena);
    EXPECT_EQ(std::memcmp(&before, &after, sizeof before), 0);
}

TEST(ArenaAlloc, NullArenaIsRejectedEverywhere) {
    errno = 0;
    EXPECT_EQ(arena_alloc(nullptr, 16), nullptr);
    EXPECT_EQ(errno, EINVAL);
    errno = 0;
    EXPECT_EQ(arena_alloc_aligned(nullptr, 16, 64), nullptr);
    EXPECT_EQ(errno, EINVAL);
    errno = 0;
    EXPECT_EQ(arena_realloc(nullptr, nullptr, 0, 16), nullptr);
    EXPECT_EQ(errno, EINVAL);
    errno = 0;
    EXPECT_EQ(arena_create_child(nullptr, 64), nullptr);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(arena_add_cleanup(nullptr, [](void *) {}, nullptr), EINVAL);
    EXPECT_EQ(arena_get_used_memory(nullptr), 0u);
    EXPECT_EQ(arena_get_allocation_count(nullptr), 0u);
    EXPECT_EQ(arena_check(nullptr), EINVAL);
    ArenaStats stats;
    std::memset(&stats, 0xFF, sizeof stats);
    arena_get_stats(nullptr, &stats, 0);
    EXPECT_EQ(stats.used_bytes, 0u);
    EXPECT_EQ(stats.committed_bytes, 0u);
    arena_get_stats(nullptr, nullptr, 0); // no crash
    arena_reset(nullptr);
    arena_reset_retain(nullptr, 0);
    arena_destroy(nullptr);
    EXPECT_EQ(arena_rewind(nullptr, arena_mark(nullptr)), EINVAL);
}

TEST(ArenaReset, KeepsEveryBlockAndMakesNoUpstreamCallOnceWarm) {
    CountingUpstream upstream;
    Arena *arena = create_counted(upstream, 1024);
    auto fill = [&] {
        for (int i = 0; i < 500; ++i) ASSERT_NE(arena_alloc(arena, 48), nullptr);
        ASSERT_NE(arena_alloc(arena, 100000), nullptr); // dedicated
        ASSERT_NE(arena_alloc_aligned(arena, 5000, 4096), nullptr);
    };
    fill();
    arena_reset(arena);
    size_t calls = upstream.allocations();
    size_t committed = stats_of(arena).committed_bytes;
    for (int cycle = 0; cycle < 10; ++cycle) {
        fill();
        arena_reset(arena);
        EXPECT_EQ(upstream.allocations(), calls) << cycle;
        EXPECT_EQ(stats_of(arena).committed_bytes, committed) << cycle;
    }
    ArenaStats stats = stats_of(arena);
    EXPECT_EQ(stats.used_bytes, 0u);
    EXPECT_EQ(stats.allocation_count, 0u);
    EXPECT_EQ(stats.reset_count, 11u);
    EXPECT_EQ(arena_check(arena), 0);
    arena_destroy(arena);
    EXPECT_EQ(upstream.live_blocks(), 0u);
}

TEST(ArenaReset, ReusesTheFirstBlockFirst) {
    CheckedArena arena(arena_create(1024));
    void *first = arena_alloc(arena, 16);
    for (int i = 0; i < 100; ++i) ASSERT_NE(arena_alloc(arena, 100), nullptr);
    arena_reset(arena);
    EXPECT_EQ(arena_alloc(arena, 16), first);
}

TEST(ArenaReset, RetainKeepsAtMostTheLimit) {
    CountingUpstream upstream;
    Arena *arena = create_counted(upstream, 1024);
    for (int i = 0; i < 1000; ++i) ASSERT_NE(arena_alloc(arena, 64), nullptr);
    ASSERT_NE(arena_alloc(arena, 1 << 20), nullptr);
    arena_reset_retain(arena, 4000);
    ArenaStats stats = stats_of(arena);
    EXPECT_LE(stats.committed_bytes, 4000u);
    EXPECT_EQ(stats.block_count, 2u); // 1 KiB + 2 KiB blocks with headers
    EXPECT_EQ(upstream.live_bytes() - upstream.arena_struct_bytes(), stats.committed_bytes);
    EXPECT_EQ(arena_check(arena), 0);
    ASSERT_NE(arena_alloc(arena, 64), nullptr);
    arena_reset_retain(arena, 0);
    stats = stats_of(arena);
    EXPECT_EQ(stats.committed_bytes, 0u);
    EXPECT_EQ(stats.block_count, 0u);
    EXPECT_EQ(arena_check(arena), 0);
    // Still usable: the chain starts again from the initial capacity.
    void *p = arena_alloc(arena, 64);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(stats_of(arena).block_count, 1u);
    EXPECT_EQ(arena_check(arena), 0);
    arena_destroy(arena);
    EXPECT_EQ(upstream.live_blocks(), 0u);
}

TEST(ArenaRealloc, GrowsTheNewestAllocationInPlace) {
    CheckedArena arena(arena_create(4096));
    auto *p = static_cast<char *>(arena_alloc(arena, 100));
    std::memset(p, 'x', 100);
    auto *q = static_cast<char *>(arena_realloc(arena, p, 100, 1000));
    EXPECT_EQ(q, p);
    EXPECT_EQ(q[99], 'x');
    EXPECT_EQ(arena_get_allocation_count(arena), 1u);
    ArenaStats stats = stats_of(arena);
    EXPECT_EQ(stats.requested_bytes, 1008u); // sizes count rounded up to 16
    EXPECT_EQ(stats.used_bytes, 1008u);
    // Shrinking in place gives the bytes back.
    EXPECT_EQ(arena_realloc(arena, q, 1000, 10), p);
    EXPECT_EQ(arena_get_used_memory(arena), 16u);
    EXPECT_EQ(stats_of(arena).peak_used_bytes, 1008u);
}

TEST(ArenaRealloc, FallsBackToACopy) {
    CheckedArena arena(arena_create(4096));
    auto *p = static_cast<char *>(arena_alloc(arena, 100));
    std::memset(p, 'y', 100);
    ASSERT_NE(arena_alloc(arena, 16), nullptr); // p is no longer the newest
    auto *q = static_cast<char *>(arena_realloc(arena, p, 100, 200));
    ASSERT_NE(q, nullptr);
    EXPECT_NE(q, p);
    for (int i = 0; i < 100; ++i) ASSERT_EQ(q[i], 'y');
    // Newest but not enough room in the block: copied into the next block.
    auto *r = static_cast<char *>(arena_realloc(arena, q, 200, 4000));
    ASSERT_NE(r, nullptr);
    EXPECT_NE(r, q);
    EXPECT_EQ(r[0], 'y');
    // NULL acts as alloc; failure keeps the old allocation valid.
    EXPECT_NE(arena_realloc(arena, nullptr, 0, 32), nullptr);
    errno = 0;
    EXPECT_EQ(arena_realloc(arena, r, 4000, SIZE_MAX), nullptr);
    EXPECT_EQ(errno, ENOMEM);
    EXPECT_EQ(r[0], 'y');
}

TEST(ArenaStatsTest, PaddingAbandonedPeaksAndSuggestion) {
    CheckedArena arena(arena_create(1024));
    ASSERT_NE(arena_alloc(arena, 1), nullptr);   // one 16-byte granule
    ASSERT_NE(arena_alloc(arena, 1000), nullptr); // 1008; 1024 used
    ASSERT_NE(arena_alloc(arena, 600), nullptr);  // new 2 KiB block
    ASSERT_NE(arena_alloc(arena, 1600), nullptr); // abandons 2048 - 608 bytes
    ArenaStats stats = stats_of(arena);
    // Requested bytes count sizes rounded up to 16, so rounding is no padding.
    EXPECT_EQ(stats.requested_bytes, 16u + 1008 + 608 + 1600);
    EXPECT_EQ(stats.used_bytes, 16u + 1008 + 608 + 1600);
    EXPECT_EQ(stats.padding_bytes, 0u);
    EXPECT_EQ(stats.padding_bytes, stats.used_bytes - stats.requested_bytes);
    EXPECT_EQ(stats.abandoned_bytes, 2048u - 608);
    EXPECT_EQ(stats.block_count, 3u);
    EXPECT_EQ(stats.upstream_allocations, 3u);
    EXPECT_EQ(stats.peak_used_bytes, stats.used_bytes);
    EXPECT_EQ(stats.suggested_initial_capacity, 4096u);
    size_t peak = stats.used_bytes;
    arena_reset(arena);
    ASSERT_NE(arena_alloc(arena, 100), nullptr);
    stats = stats_of(arena);
    EXPECT_EQ(stats.peak_used_bytes, peak);
    EXPECT_EQ(stats.peak_used_since_reset, 112u);
    EXPECT_EQ(stats.abandoned_bytes, 0u);
}

TEST(ArenaStatsTest, SuggestedCapacityServesThePeakInOneBlock) {
    Arena *arena = arena_create(4096);
    for (int i = 0; i < 3000; ++i) ASSERT_NE(arena_alloc(arena, 40 + i % 50), nullptr);
    ArenaStats stats = stats_of(arena);
    ASSERT_GT(stats.block_count, 1u);
    arena_destroy(arena);
    CheckedArena tuned(arena_create(stats.suggested_initial_capacity));
    for (int i = 0; i < 3000; ++i) ASSERT_NE(arena_alloc(tuned, 40 + i % 50), nullptr);
    EXPECT_EQ(stats_of(tuned).block_count, 1u);
}

TEST(ArenaStatsTest, FoldWindowKeepsCountsExactOverMillionsOfAllocations) {
    CheckedArena arena(arena_create(64 << 20));
    const size_t n = 3'000'000;
    for (size_t i = 0; i < n; ++i) ASSERT_NE(arena_alloc(arena, 16), nullptr);
    EXPECT_EQ(arena_get_allocation_count(arena), n);
    ArenaStats stats = stats_of(arena);
    EXPECT_EQ(stats.requested_bytes, 16 * n);
    EXPECT_EQ(stats.used_bytes, 16 * n);
}

TEST(ArenaUpstreamTest, PagesUpstreamWorks) {
    ArenaOptions options;
    arena_options_init(&options);
    options.upstream = arena_upstream_pages();
    options.initial_capacity = 10000;
    CheckedArena arena(arena_create_ex(&options));
    ASSERT_NE(arena, nullptr);
    for (int i = 0; i < 1000; ++i) ASSERT_NE(arena_alloc(arena, 100), nullptr);
    ASSERT_NE(arena_alloc_aligned(arena, 1 << 20, 1 << 16), nullptr);
}

TEST(ArenaUpstreamTest, UpstreamFailureReturnsNullAndLosesNothing) {
    CountingUpstream upstream;
    Arena *arena = create_counted(upstream, 1024);
    std::vector<char *> live;
    for (int i = 0; i < 16; ++i) {
        live.push_back(static_cast<char *>(arena_alloc(arena, 64)));
        std::memset(live.back(), i, 64);
    }
    upstream.fail_from_now();
    ArenaStats before = stats_of(arena);
    errno = 0;
    EXPECT_EQ(arena_alloc(arena, 64), nullptr);
    EXPECT_EQ(errno, ENOMEM);
    errno = 0;
    EXPECT_EQ(arena_alloc(arena, 1 << 20), nullptr);
    EXPECT_EQ(errno, ENOMEM);
    errno = 0;
    EXPECT_EQ(arena_create_child(arena, 64), nullptr);
    EXPECT_EQ(errno, ENOMEM);
    ArenaStats after = stats_of(arena);
    EXPECT_EQ(std::memcmp(&before, &after, sizeof before), 0);
    for (int i = 0; i < 16; ++i) EXPECT_EQ(live[static_cast<size_t>(i)][63], static_cast<char>(i));
    EXPECT_EQ(arena_check(arena), 0);
    upstream.succeed_again();
    EXPECT_NE(arena_alloc(arena, 64), nullptr);
    arena_destroy(arena);
    EXPECT_EQ(upstream.live_blocks(), 0u);
}

TEST(ArenaUpstreamTest, MisalignedUpstreamMemoryIsRefused) {
    struct Misaligned {
        static void *allocate(void *, size_t bytes) {
            auto *p = static_cast<char *>(std::malloc(bytes + 8));
            return p ? p + 8 : nullptr;
        }
        static void deallocate(void *, void *p, size_t) { std::free(static_cast<char *>(p) - 8); }
    };
    ArenaUpstream upstream = {Misaligned::allocate, Misaligned::deallocate, nullptr};
    ArenaOptions options;
    arena_options_init(&options);
    options.upstream = &upstream;
    errno = 0;
    EXPECT_EQ(arena_create_ex(&options), nullptr); // the first block is refused
    EXPECT_EQ(errno, ENOMEM);
}

TEST(ArenaUpstreamTest, CreateFailsCleanlyWhenUpstreamFails) {
    for (size_t fail_at = 0; fail_at < 2; ++fail_at) {
        CountingUpstream upstream;
        upstream.fail_after(fail_at);
        ArenaOptions options;
        arena_options_init(&options);
        options.upstream = upstream.get();
        errno = 0;
        EXPECT_EQ(arena_create_ex(&options), nullptr);
        EXPECT_EQ(errno, ENOMEM);
        EXPECT_EQ(upstream.live_blocks(), 0u);
    }
}

} // namespace
