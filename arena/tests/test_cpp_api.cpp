// The C++ API: RAII and moves, allocate/try_allocate, make<T> destructors,
// the STL allocator and the pmr adapter.
#include <gtest/gtest.h>

#include <map>
#include <memory_resource>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "arena/arena.hpp"
#include "test_support.h"

namespace {

using test_support::CountingUpstream;
using test_support::is_aligned;

static_assert(!std::is_copy_constructible_v<arena::Arena>);
static_assert(!std::is_copy_assignable_v<arena::Arena>);
static_assert(std::is_nothrow_move_constructible_v<arena::Arena>);
static_assert(std::is_nothrow_move_assignable_v<arena::Arena>);

struct Tracked {
    std::vector<int> *log;
    int id;
    Tracked(std::vector<int> *l, int i) : log(l), id(i) {}
    ~Tracked() { log->push_back(id); }
};

TEST(CppArena, AllocateAndTryAllocate) {
    arena::Arena arena(1024);
    void *p = arena.allocate(100);
    EXPECT_TRUE(is_aligned(p, alignof(std::max_align_t)));
    void *q = arena.allocate(100, 256);
    EXPECT_TRUE(is_aligned(q, 256));
    EXPECT_EQ(arena.allocation_count(), 2u);
    EXPECT_THROW((void)arena.allocate(SIZE_MAX), std::bad_alloc);
    EXPECT_THROW((void)arena.allocate(16, 3), std::invalid_argument);
    EXPECT_EQ(arena.try_allocate(SIZE_MAX), nullptr);
    EXPECT_EQ(arena.try_allocate(16, 0), nullptr);
    EXPECT_EQ(arena.allocation_count(), 2u);
}

TEST(CppArena, MoveTransfersOwnershipOnce) {
    CountingUpstream upstream;
    arena::Options options;
    options.upstream = upstream.get();
    {
        arena::Arena a(options);
        void *p = a.allocate(64);
        arena::Arena b(std::move(a));
        EXPECT_FALSE(static_cast<bool>(a)); // NOLINT(bugprone-use-after-move): testing moved-from state
        EXPECT_EQ(a.try_allocate(16), nullptr);
        EXPECT_EQ(b.allocation_count(), 1u);
        arena::Arena c(options);
        c = std::move(b); // c's own arena is destroyed here
        EXPECT_EQ(c.allocation_count(), 1u);
        EXPECT_NE(p, nullptr);
        c = std::move(c); // self-move is harmless
        EXPECT_EQ(c.allocation_count(), 1u);
    }
    EXPECT_EQ(upstream.live_blocks(), 0u);
    EXPECT_FALSE(upstream.bad_free());
}

TEST(CppArena, BadOptionsThrow) {
    arena::Options options;
    options.growth_factor = 0.5;
    EXPECT_THROW(arena::Arena{options}, std::invalid_argument);
    options.growth_factor = 2;
    options.initial_capacity = SIZE_MAX;
    EXPECT_THROW(arena::Arena{options}, std::bad_alloc);
}

TEST(CppArena, MakeRunsDestructorsInReverseAtResetAndDestroy) {
    std::vector<int> log;
    {
        arena::Arena arena;
        arena.make<Tracked>(&log, 1);
        arena.make<Tracked>(&log, 2);
        int *plain = arena.make<int>(42);
        EXPECT_EQ(*plain, 42);
        arena.reset();
        EXPECT_EQ(log, (std::vector<int>{2, 1}));
        log.clear();
        arena.make<Tracked>(&log, 3);
        {
            arena::Scratch scratch(arena);
            arena.make<Tracked>(&log, 4);
        }
        EXPECT_EQ(log, (std::vector<int>{4}));
        arena.make<std::string>(200, 'x'); // owns heap memory: freed by its destructor
    }
    EXPECT_EQ(log, (std::vector<int>{4, 3}));
}

TEST(CppArena, MakeWithAThrowingConstructorLeavesNoCleanup) {
    struct Throws {
        Throws() { throw std::runtime_error("no"); }
        ~Throws() { ADD_FAILURE() << "destructor of an object never constructed"; }
    };
    arena::Arena arena;
    EXPECT_THROW(arena.make<Throws>(), std::runtime_error);
    arena.reset();
}

TEST(CppArena, ChildrenAndMarks) {
    arena::Arena parent(4096);
    {
        arena::Arena child = parent.child(1024);
        (void)child.allocate(100);
        EXPECT_EQ(parent.stats(true).allocation_count, 1u);
    }
    EXPECT_EQ(parent.stats(true).allocation_count, 0u);
    arena::Mark mark = parent.mark();
    (void)parent.allocate(10);
    parent.rewind(mark);
    EXPECT_EQ(parent.allocation_count(), 0u);
    parent.reset();
    EXPECT_THROW(parent.rewind(mark), std::invalid_argument); // stale after reset
}

TEST(CppArena, ReallocateGrowsInPlace) {
    arena::Arena arena;
    void *p = arena.allocate(64);
    EXPECT_EQ(arena.reallocate(p, 64, 512), p);
    EXPECT_THROW((void)arena.reallocate(p, 512, SIZE_MAX), std::bad_alloc);
}

TEST(CppAllocator, WorksWithStandardContainers) {
    arena::Arena arena;
    std::vector<int, arena::Allocator<int>> numbers{arena::Allocator<int>(arena)};
    for (int i = 0; i < 10000; ++i) numbers.push_back(i);
    EXPECT_EQ(numbers[9999], 9999);
    using Map = std::map<int, int, std::less<>, arena::Allocator<std::pair<const int, int>>>;
    Map map{arena::Allocator<std::pair<const int, int>>(arena)};
    for (int i = 0; i < 1000; ++i) map[i] = i * i;
    EXPECT_EQ(map[31], 961);
    EXPECT_GT(arena.used_memory(), 10000 * sizeof(int));
    arena::Allocator<int> a(arena);
    arena::Allocator<double> b(a);
    EXPECT_TRUE(a == b);
    arena::Arena other;
    EXPECT_FALSE(a == arena::Allocator<int>(other));
    EXPECT_THROW((void)a.allocate(SIZE_MAX / 2), std::bad_alloc);
}

TEST(CppMemoryResource, PmrContainersDrawFromTheArena) {
    arena::Arena arena;
    arena::MemoryResource resource(arena);
    std::pmr::vector<std::pmr::string> words(&resource);
    for (int i = 0; i < 1000; ++i) words.emplace_back(100, 'a' + static_cast<char>(i % 26));
    EXPECT_EQ(words[27][0], 'b');
    EXPECT_GT(arena.used_memory(), 1000u * 100u);
    arena::MemoryResource same(arena.get());
    EXPECT_TRUE(resource.is_equal(same));
    EXPECT_FALSE(resource.is_equal(*std::pmr::new_delete_resource()));
    volatile size_t huge = SIZE_MAX; // hidden from gcc's compile-time size check
    EXPECT_THROW((void)resource.allocate(huge, 16), std::bad_alloc);
    void *aligned = resource.allocate(64, 4096);
    EXPECT_TRUE(is_aligned(aligned, 4096));
}

} // namespace
