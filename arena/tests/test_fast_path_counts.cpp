// The inline fast path keeps no counter of its own beyond the allocation
// count packed next to the cursor: the slow path folds it, and derives the
// requested bytes from how far the cursor moved. These tests drive long runs
// of fast-path allocations across fold windows (65,535 granules), blocks,
// marks, resets and children, and check after every step that
// arena_get_allocation_count and requested_bytes are exact.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "arena/arena.h"
#include "test_support.h"

namespace {

using test_support::CheckedArena;
using test_support::stats_of;

constexpr size_t kWindowGranules = ARENA_FOLD_WINDOW_ / ARENA_DEFAULT_ALIGNMENT; // 65,535

size_t granules(size_t size) { return (size + 15) & ~size_t{15}; }

// What the test expects of one arena.
struct Expected {
    size_t count = 0;
    size_t requested = 0;
};

// Sizes of 1-96 bytes and, one time in eight, an alignment of 32-256 bytes:
// both inline fast paths, with padding.
class Stream {
public:
    explicit Stream(uint64_t seed) : state_(seed) {}
    uint64_t next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 7;
        state_ ^= state_ << 17;
        return state_;
    }
    // One allocation; true when it succeeded.
    bool allocate(Arena *arena, Expected &expected) {
        uint64_t r = next();
        size_t size = 1 + r % 96;
        void *p = (r >> 8) % 8 == 0 ? arena_alloc_aligned(arena, size, size_t{32} << ((r >> 12) % 4))
                                    : arena_alloc(arena, size);
        if (p == nullptr) return false;
        expected.count += 1;
        expected.requested += granules(size);
        return true;
    }

private:
    uint64_t state_;
};

void expect_exact(Arena *arena, const Expected &expected, const char *where) {
    ASSERT_EQ(arena_get_allocation_count(arena), expected.count) << where;
    ArenaStats stats = stats_of(arena);
    ASSERT_EQ(stats.allocation_count, expected.count) << where;
    ASSERT_EQ(stats.requested_bytes, expected.requested) << where;
    ASSERT_EQ(stats.padding_bytes, stats.used_bytes - stats.requested_bytes) << where;
    ASSERT_EQ(arena_check(arena), 0) << where;
}

TEST(FastPathCounts, ExactAtEveryFoldWindowBoundary) {
    // One block of 4 fold windows: 16-byte allocations fill each window
    // exactly, so the packed count reaches its maximum, 65,535, before every
    // fold.
    CheckedArena arena(arena_create(4 * ARENA_FOLD_WINDOW_));
    Expected expected;
    for (int window = 0; window < 4; ++window) {
        for (size_t i = 0; i < kWindowGranules; ++i) {
            ASSERT_NE(arena_alloc(arena, 16), nullptr);
            expected.count += 1;
            expected.requested += 16;
            if (i < 2 || i + 2 >= kWindowGranules) expect_exact(arena, expected, "at a window boundary");
        }
    }
    EXPECT_EQ(stats_of(arena).block_count, 1u);
    EXPECT_EQ(arena_get_used_memory(arena), 4 * ARENA_FOLD_WINDOW_);
}

TEST(FastPathCounts, ExactAcrossBlocksAndWindowsWithMixedSizesAndAlignments) {
    // Grows from 4 KiB, capped at 4 MiB: many blocks, each spanning
    // several fold windows.
    ArenaOptions options;
    arena_options_init(&options);
    options.initial_capacity = 4096;
    options.max_block_size = 4 << 20;
    CheckedArena arena(arena_create_ex(&options));
    ASSERT_NE(static_cast<Arena *>(arena), nullptr);
    Stream stream(0x5EED);
    Expected expected;
    for (size_t i = 0; i < 400'000; ++i) {
        ASSERT_TRUE(stream.allocate(arena, expected));
        if (i % 4999 == 0) expect_exact(arena, expected, "mixed stream");
    }
    expect_exact(arena, expected, "end of the mixed stream");
    EXPECT_GT(stats_of(arena).block_count, 5u);
}

TEST(FastPathCounts, ExactAcrossMarksAndRewinds) {
    CheckedArena arena(arena_create(4096));
    Stream stream(7);
    Expected expected;
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(stream.allocate(arena, expected));
    // Nested marks, each followed by enough allocations to cross windows
    // and blocks; rewinding restores the count of the mark exactly.
    std::vector<std::pair<ArenaMark, Expected>> marks;
    for (int level = 0; level < 4; ++level) {
        marks.push_back({arena_mark(arena), expected});
        for (int i = 0; i < 30'000 * (level + 1); ++i) ASSERT_TRUE(stream.allocate(arena, expected));
        expect_exact(arena, expected, "after allocating past a mark");
    }
    while (!marks.empty()) {
        ASSERT_EQ(arena_rewind(arena, marks.back().first), 0);
        expected = marks.back().second;
        expect_exact(arena, expected, "after a rewind");
        // Allocate again from the rewound cursor, then rewind once more.
        for (int i = 0; i < 20'000; ++i) ASSERT_TRUE(stream.allocate(arena, expected));
        expect_exact(arena, expected, "allocating after a rewind");
        ASSERT_EQ(arena_rewind(arena, marks.back().first), 0);
        expected = marks.back().second;
        expect_exact(arena, expected, "after the second rewind");
        marks.pop_back();
    }
}

TEST(FastPathCounts, ExactAcrossResetsAndWarmRefills) {
    CheckedArena arena(arena_create(4096));
    for (uint64_t cycle = 0; cycle < 6; ++cycle) {
        Stream stream(cycle % 2); // the same stream every other cycle: warm refills
        Expected expected;
        for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(stream.allocate(arena, expected));
        expect_exact(arena, expected, "before a reset");
        if (cycle == 3) {
            arena_reset_retain(arena, 64 << 10);
        } else {
            arena_reset(arena);
        }
        expect_exact(arena, Expected{}, "after a reset");
    }
    EXPECT_EQ(stats_of(arena).reset_count, 6u);
}

TEST(FastPathCounts, ExactForChildrenAndTheirParent) {
    CheckedArena parent(arena_create(4096));
    Arena *children[3];
    for (Arena *&child : children) {
        child = arena_create_child(parent, 4096);
        ASSERT_NE(child, nullptr);
    }
    Stream stream(11);
    Expected expected_parent, expected_children[3];
    for (int round = 0; round < 3; ++round) {
        // Interleaved: each arena's fast-path state is its own.
        for (int i = 0; i < 60'000; ++i) {
            uint64_t which = stream.next() % 4;
            if (which == 3) {
                ASSERT_TRUE(stream.allocate(parent, expected_parent));
            } else {
                ASSERT_TRUE(stream.allocate(children[which], expected_children[which]));
            }
        }
        expect_exact(parent, expected_parent, "parent");
        Expected all = expected_parent;
        for (int k = 0; k < 3; ++k) {
            expect_exact(children[k], expected_children[k], "child");
            all.count += expected_children[k].count;
            all.requested += expected_children[k].requested;
        }
        ArenaStats with_children = stats_of(parent, ARENA_STATS_INCLUDE_CHILDREN);
        EXPECT_EQ(with_children.allocation_count, all.count);
        EXPECT_EQ(with_children.requested_bytes, all.requested);
        // Resetting the parent resets the children's counts too.
        arena_reset(parent);
        expected_parent = {};
        for (int k = 0; k < 3; ++k) {
            expected_children[k] = {};
            expect_exact(children[k], expected_children[k], "child after the parent's reset");
        }
    }
}

TEST(FastPathCounts, ExactAroundSlowPathCallsBetweenFastPathRuns) {
    // Every out-of-line call folds first: realloc, cleanups, size 0,
    // oversized and over-aligned requests between runs of fast allocations.
    CheckedArena arena(arena_create(4096));
    Stream stream(3);
    Expected expected;
    for (int round = 0; round < 200; ++round) {
        for (int i = 0; i < 500; ++i) ASSERT_TRUE(stream.allocate(arena, expected));
        switch (round % 5) {
        case 0: {
            void *p = arena_alloc(arena, 40);
            ASSERT_NE(p, nullptr);
            ASSERT_EQ(arena_realloc(arena, p, 40, 200), p); // the newest grows in place
            expected.count += 1;
            expected.requested += granules(200);
            break;
        }
        case 1:
            ASSERT_EQ(arena_add_cleanup(arena, [](void *) {}, nullptr), 0);
            expected.count += 1; // the cleanup's record
            expected.requested += granules(3 * sizeof(void *));
            break;
        case 2:
            ASSERT_NE(arena_alloc(arena, 0), nullptr); // one granule, no requested bytes
            expected.count += 1;
            break;
        case 3:
            ASSERT_NE(arena_alloc(arena, 3 << 20), nullptr); // a dedicated block
            expected.count += 1;
            expected.requested += 3 << 20;
            break;
        default:
            ASSERT_NE(arena_alloc_aligned(arena, 24, 4 << 20), nullptr); // alignment beyond the fast path
            expected.count += 1;
            expected.requested += granules(24);
            break;
        }
        expect_exact(arena, expected, "after a slow-path call");
    }
}

} // namespace
