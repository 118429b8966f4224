// Under ASan, memory the arena has not handed out, or has taken back by
// reset or rewind, is poisoned: touching it is reported. Skipped (and said
// so) in builds without ASan; scripts/test runs the ASan build too.
#include <gtest/gtest.h>

#include "arena/arena.h"

namespace {

#if ARENA_ASAN
char read_byte(const char *p) { return *static_cast<const volatile char *>(p); }
#endif

TEST(AsanPoisoning, UseAfterResetIsCaught) {
#if !ARENA_ASAN
    GTEST_SKIP() << "needs the ASan build (scripts/test runs it)";
#else
    EXPECT_DEATH(
        {
            Arena *arena = arena_create(1024);
            auto *p = static_cast<char *>(arena_alloc(arena, 64));
            p[0] = 1;
            arena_reset(arena);
            (void)read_byte(p);
        },
        "use-after-poison");
#endif
}

TEST(AsanPoisoning, ReadingPastAnAllocationIsCaught) {
#if !ARENA_ASAN
    GTEST_SKIP() << "needs the ASan build (scripts/test runs it)";
#else
    EXPECT_DEATH(
        {
            Arena *arena = arena_create(1024);
            auto *p = static_cast<char *>(arena_alloc(arena, 32));
            (void)read_byte(p + 40); // not handed out yet
        },
        "use-after-poison");
#endif
}

TEST(AsanPoisoning, UseAfterRewindIsCaught) {
#if !ARENA_ASAN
    GTEST_SKIP() << "needs the ASan build (scripts/test runs it)";
#else
    EXPECT_DEATH(
        {
            Arena *arena = arena_create(1024);
            ArenaMark mark = arena_mark(arena);
            auto *p = static_cast<char *>(arena_alloc(arena, 5000)); // dedicated block
            p[0] = 1;
            (void)arena_rewind(arena, mark);
            (void)read_byte(p);
        },
        "use-after-poison");
#endif
}

TEST(AsanPoisoning, LiveMemoryStaysUsable) {
    // The positive side, in every build: nothing handed out is poisoned.
    Arena *arena = arena_create(256);
    for (int round = 0; round < 3; ++round) {
        for (size_t size = 1; size < 3000; size += 97) {
            auto *p = static_cast<char *>(arena_alloc(arena, size));
            ASSERT_NE(p, nullptr);
            for (size_t i = 0; i < size; ++i) p[i] = static_cast<char>(i);
        }
        auto *grown = static_cast<char *>(arena_alloc(arena, 10));
        grown = static_cast<char *>(arena_realloc(arena, grown, 10, 400));
        for (int i = 0; i < 400; ++i) grown[i] = 1;
        arena_reset(arena);
    }
    arena_destroy(arena);
}

} // namespace
