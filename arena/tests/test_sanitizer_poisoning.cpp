// Under ASan, memory the arena has not handed out, or has taken back by
// reset or rewind, is poisoned: touching it is reported. Skipped (and said
// so) in builds without ASan; scripts/test runs the ASan build too.
#include <gtest/gtest.h>

#include "arena/arena.h"
#include "test_support.h"

namespace {

using test_support::CheckedArena;

char read_byte(const char *p) { return *static_cast<const volatile char *>(p); }

// Under ASan, `touch` (run in a death test) must be reported as a use of
// poisoned memory.
void expect_caught(void (*touch)()) {
#if !ARENA_ASAN
    (void)touch;
    GTEST_SKIP() << "needs the ASan build (scripts/test runs it)";
#else
    EXPECT_DEATH(touch(), "use-after-poison");
#endif
}

TEST(AsanPoisoning, UseAfterResetIsCaught) {
    expect_caught([] {
        Arena *arena = arena_create(1024);
        auto *p = static_cast<char *>(arena_alloc(arena, 64));
        p[0] = 1;
        arena_reset(arena);
        (void)read_byte(p);
    });
}

TEST(AsanPoisoning, ReadingPastAnAllocationIsCaught) {
    expect_caught([] {
        Arena *arena = arena_create(1024);
        auto *p = static_cast<char *>(arena_alloc(arena, 32));
        (void)read_byte(p + 40); // not handed out yet
    });
}

TEST(AsanPoisoning, UseAfterRewindIsCaught) {
    expect_caught([] {
        Arena *arena = arena_create(1024);
        ArenaMark mark = arena_mark(arena);
        auto *p = static_cast<char *>(arena_alloc(arena, 5000)); // dedicated block
        p[0] = 1;
        (void)arena_rewind(arena, mark);
        (void)read_byte(p);
    });
}

TEST(AsanPoisoning, LiveMemoryStaysUsable) {
    // The positive side, in every build: nothing handed out is poisoned.
    CheckedArena arena(arena_create(256));
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
}

} // namespace
