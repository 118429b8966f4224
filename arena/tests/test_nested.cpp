// Child arenas, savepoints and cleanups.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "arena/arena.h"
#include "test_support.h"

namespace {

using test_support::CheckedArena;
using test_support::CountingUpstream;
using test_support::stats_of;

TEST(ChildArena, SeedExampleShapeWorks) {
    CheckedArena parent(arena_create(1024 * 1024));
    Arena *child = arena_create_child(parent, 64 * 1024);
    ASSERT_NE(child, nullptr);
    ASSERT_NE(arena_alloc(child, 1000), nullptr);
    arena_destroy(child);
    ASSERT_NE(arena_alloc(parent, 1000), nullptr);
}

TEST(ChildArena, ParentStatisticsCanIncludeChildren) {
    CheckedArena parent(arena_create(4096));
    Arena *child = arena_create_child(parent, 4096);
    Arena *grandchild = arena_create_child(child, 4096);
    ASSERT_NE(arena_alloc(parent, 100), nullptr);
    ASSERT_NE(arena_alloc(child, 200), nullptr);
    ASSERT_NE(arena_alloc(grandchild, 300), nullptr);
    EXPECT_EQ(stats_of(parent).requested_bytes, 112u); // sizes count rounded up to 16
    ArenaStats all = stats_of(parent, ARENA_STATS_INCLUDE_CHILDREN);
    EXPECT_EQ(all.requested_bytes, 112u + 208 + 304);
    EXPECT_EQ(all.allocation_count, 3u);
    EXPECT_EQ(all.block_count, 3u);
}

TEST(ChildArena, ResettingTheParentResetsChildren) {
    CheckedArena parent(arena_create(4096));
    Arena *child = arena_create_child(parent, 4096);
    void *first = arena_alloc(child, 64);
    for (int i = 0; i < 200; ++i) ASSERT_NE(arena_alloc(child, 64), nullptr);
    arena_reset(parent);
    EXPECT_EQ(arena_get_used_memory(child), 0u);
    EXPECT_EQ(arena_get_allocation_count(child), 0u);
    EXPECT_EQ(arena_alloc(child, 64), first); // the child's blocks were kept
}

TEST(ChildArena, DestroyingTheParentDestroysChildrenWithoutLeaks) {
    CountingUpstream upstream;
    ArenaOptions options;
    arena_options_init(&options);
    options.upstream = upstream.get();
    Arena *parent = arena_create_ex(&options);
    std::vector<Arena *> children;
    for (int i = 0; i < 5; ++i) {
        children.push_back(arena_create_child(parent, 512));
        ASSERT_NE(children.back(), nullptr);
        for (int j = 0; j < 50; ++j) ASSERT_NE(arena_alloc(children.back(), 100), nullptr);
        ASSERT_NE(arena_create_child(children.back(), 128), nullptr); // grandchild
    }
    arena_destroy(children[2]); // out of order first
    arena_destroy(children[0]);
    EXPECT_EQ(arena_check(parent), 0);
    arena_destroy(parent);
    EXPECT_EQ(upstream.live_blocks(), 0u);
    EXPECT_FALSE(upstream.bad_free());
}

TEST(ChildArena, ChildUsesItsOwnOptions) {
    CheckedArena parent(arena_create(4096));
    ArenaOptions options;
    arena_options_init(&options);
    options.initial_capacity = 256;
    options.growth_factor = 1.0;
    Arena *child = arena_create_child_ex(parent, &options);
    ASSERT_NE(child, nullptr);
    for (int i = 0; i < 16; ++i) ASSERT_NE(arena_alloc(child, 128), nullptr);
    EXPECT_EQ(stats_of(child).block_count, 8u);
    options.growth_factor = 100;
    errno = 0;
    EXPECT_EQ(arena_create_child_ex(parent, &options), nullptr);
    EXPECT_EQ(errno, EINVAL);
}

TEST(Savepoint, RewindReleasesEverythingAfterTheMark) {
    CheckedArena arena(arena_create(1024));
    auto *kept = static_cast<char *>(arena_alloc(arena, 100));
    std::memset(kept, 'k', 100);
    ArenaMark mark = arena_mark(arena);
    size_t used = arena_get_used_memory(arena);
    void *after = arena_alloc(arena, 50);
    for (int i = 0; i < 100; ++i) ASSERT_NE(arena_alloc(arena, 100), nullptr); // new blocks
    ASSERT_NE(arena_alloc(arena, 1 << 20), nullptr);                         // dedicated
    ASSERT_EQ(arena_rewind(arena, mark), 0);
    EXPECT_EQ(arena_get_used_memory(arena), used);
    EXPECT_EQ(arena_get_allocation_count(arena), 1u);
    EXPECT_EQ(kept[99], 'k');
    EXPECT_EQ(arena_alloc(arena, 50), after); // same place again
    // The same mark can be used again (scratch loop).
    for (int round = 0; round < 3; ++round) {
        ASSERT_EQ(arena_rewind(arena, mark), 0);
        size_t calls = stats_of(arena).upstream_allocations;
        for (int i = 0; i < 100; ++i) ASSERT_NE(arena_alloc(arena, 100), nullptr);
        ASSERT_NE(arena_alloc(arena, 1 << 20), nullptr);
        EXPECT_EQ(stats_of(arena).upstream_allocations, calls) << "rewound blocks are reused";
    }
}

TEST(Savepoint, NestedMarksRewindInnerThenOuter) {
    CheckedArena arena(arena_create(256));
    ArenaMark outer = arena_mark(arena);
    ASSERT_NE(arena_alloc(arena, 100), nullptr);
    ArenaMark inner = arena_mark(arena);
    ASSERT_NE(arena_alloc(arena, 300), nullptr);
    EXPECT_EQ(arena_rewind(arena, inner), 0);
    EXPECT_EQ(arena_get_allocation_count(arena), 1u);
    EXPECT_EQ(arena_rewind(arena, outer), 0);
    EXPECT_EQ(arena_get_allocation_count(arena), 0u);
    EXPECT_EQ(arena_get_used_memory(arena), 0u);
    // The inner mark is now past the cursor: refused, nothing changes.
    EXPECT_EQ(arena_rewind(arena, inner), EINVAL);
}

TEST(Savepoint, StaleOrForeignMarksAreRefused) {
    Arena *a = arena_create(256);
    CheckedArena b(arena_create(256));
    ASSERT_NE(arena_alloc(a, 10), nullptr);
    ArenaMark mark = arena_mark(a);
    EXPECT_EQ(arena_rewind(b, mark), EINVAL);
    ASSERT_NE(arena_alloc(a, 10), nullptr);
    arena_reset(a);
    ASSERT_NE(arena_alloc(a, 100), nullptr);
    size_t used = arena_get_used_memory(a);
    EXPECT_EQ(arena_rewind(a, mark), EINVAL); // taken before a reset
    EXPECT_EQ(arena_get_used_memory(a), used);
    ArenaMark garbage;
    std::memset(&garbage, 0x5A, sizeof garbage);
    EXPECT_EQ(arena_rewind(a, garbage), EINVAL);
    EXPECT_EQ(arena_check(a), 0);
    arena_destroy(a);
}

TEST(Cleanups, RunNewestFirstAtResetRewindAndDestroy) {
    std::vector<int> order;
    struct Entry {
        std::vector<int> *order;
        int id;
    };
    auto run = [](void *data) {
        auto *entry = static_cast<Entry *>(data);
        entry->order->push_back(entry->id);
    };
    Arena *arena = arena_create(1024);
    Entry entries[6] = {{&order, 0}, {&order, 1}, {&order, 2}, {&order, 3}, {&order, 4}, {&order, 5}};
    ASSERT_EQ(arena_add_cleanup(arena, run, &entries[0]), 0);
    ASSERT_EQ(arena_add_cleanup(arena, run, &entries[1]), 0);
    arena_reset(arena);
    EXPECT_EQ(order, (std::vector<int>{1, 0}));
    order.clear();
    ASSERT_EQ(arena_add_cleanup(arena, run, &entries[2]), 0);
    ArenaMark mark = arena_mark(arena);
    ASSERT_EQ(arena_add_cleanup(arena, run, &entries[3]), 0);
    ASSERT_EQ(arena_add_cleanup(arena, run, &entries[4]), 0);
    ASSERT_EQ(arena_rewind(arena, mark), 0);
    EXPECT_EQ(order, (std::vector<int>{4, 3}));
    order.clear();
    ASSERT_EQ(arena_add_cleanup(arena, run, &entries[5]), 0);
    EXPECT_EQ(arena_add_cleanup(arena, nullptr, nullptr), EINVAL);
    arena_destroy(arena);
    EXPECT_EQ(order, (std::vector<int>{5, 2}));
}

} // namespace
