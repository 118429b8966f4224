// Regressions found by the fuzzer (arena/fuzz), pinned one by one, and a
// replay of the committed fuzz corpus through the same model (arena/tests/model),
// so every build (Release, ASan+UBSan, valgrind) runs it without libFuzzer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "arena/arena.h"
#include "arena_model.h"
#include "test_support.h"

namespace {

using test_support::CheckedArena;
using test_support::stats_of;

// Found by the fuzzer: a mark rewound past was accepted once the arena had
// grown back beyond it (its counts and block position looked plausible again),
// and restored dedicated-block bookkeeping that no longer matched the lists:
// arena_check() failed and used_bytes counted a block that was not in use.
TEST(FuzzRegression, MarkRewoundPastIsRefusedAfterTheArenaGrowsBack) {
    CheckedArena arena(arena_create(1024));
    ArenaMark outer = arena_mark(arena);
    ASSERT_NE(arena_alloc(arena, 100000), nullptr); // dedicated blocks
    ASSERT_NE(arena_alloc(arena, 50000), nullptr);
    ArenaMark inner = arena_mark(arena);
    ASSERT_EQ(arena_rewind(arena, outer), 0);
    // Grow back past the inner mark's counts, reusing the dedicated blocks in
    // the other order.
    ASSERT_NE(arena_alloc(arena, 50000), nullptr);
    ASSERT_NE(arena_alloc(arena, 100000), nullptr);
    for (int i = 0; i < 10; ++i) ASSERT_NE(arena_alloc(arena, 16), nullptr);
    ArenaStats before = stats_of(arena);
    EXPECT_EQ(arena_rewind(arena, inner), EINVAL);
    ArenaStats after = stats_of(arena);
    EXPECT_EQ(std::memcmp(&before, &after, sizeof before), 0) << "a refused rewind changed the arena";
    EXPECT_EQ(arena_check(arena), 0);
    EXPECT_EQ(arena_rewind(arena, outer), 0); // the outer mark is still valid
    EXPECT_EQ(arena_get_used_memory(arena), 0u);
}

// The fuzzer's first find of the same bug, in the chain: a small allocation
// after the rewind lands where the rewound-past mark's did.
TEST(FuzzRegression, MarkRewoundPastIsRefusedInTheSameBlock) {
    CheckedArena arena(arena_create(4096));
    ArenaMark outer = arena_mark(arena);
    ASSERT_NE(arena_alloc(arena, 61), nullptr);
    ArenaMark inner = arena_mark(arena);
    ASSERT_EQ(arena_rewind(arena, outer), 0);
    ASSERT_NE(arena_alloc(arena, 61), nullptr);
    void *kept = arena_alloc(arena, 0);
    ASSERT_NE(kept, nullptr);
    EXPECT_EQ(arena_rewind(arena, inner), EINVAL);
    EXPECT_EQ(arena_get_allocation_count(arena), 2u);
    EXPECT_NE(arena_alloc(arena, 16), kept) << "the refused rewind released an allocation";
}

// The fix must never refuse a valid mark: deep LIFO nesting with repeated
// inner rewinds, deeper than the arena remembers exactly.
TEST(FuzzRegression, NestedMarksStayValidThroughInnerRewinds) {
    CheckedArena arena(arena_create(256));
    std::vector<ArenaMark> marks;
    std::vector<size_t> counts;
    for (int level = 0; level < 20; ++level) {
        ASSERT_NE(arena_alloc(arena, 40), nullptr);
        marks.push_back(arena_mark(arena));
        counts.push_back(arena_get_allocation_count(arena));
        for (int round = 0; round < 3; ++round) { // scratch loop at this level
            ASSERT_NE(arena_alloc(arena, 300), nullptr);
            ASSERT_EQ(arena_rewind(arena, marks.back()), 0) << "level " << level;
        }
    }
    for (size_t level = marks.size(); level-- > 0;) {
        ASSERT_EQ(arena_rewind(arena, marks[level]), 0) << "level " << level;
        EXPECT_EQ(arena_get_allocation_count(arena), counts[level]);
        ASSERT_EQ(arena_check(arena), 0);
    }
}

std::vector<std::filesystem::path> corpus_files() {
    std::vector<std::filesystem::path> files;
    for (const auto &entry : std::filesystem::directory_iterator(ARENA_FUZZ_CORPUS_DIR))
        if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

TEST(FuzzCorpus, EveryCommittedInputPassesTheModel) {
    std::vector<std::filesystem::path> files = corpus_files();
    ASSERT_GE(files.size(), 10u) << "corpus missing: " << ARENA_FUZZ_CORPUS_DIR;
    for (const auto &file : files) {
        std::ifstream in(file, std::ios::binary);
        std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::string violation = arena_model::run(bytes.data(), bytes.size());
        EXPECT_EQ(violation, "") << file.filename();
    }
}

// The harness must be able to fail: with sabotage it corrupts a byte of an
// older allocation after each allocation, as an overlapping allocator would.
TEST(FuzzCorpus, HarnessCatchesACorruptedAllocation) {
    // create root; three allocations of 32 bytes; verify
    const uint8_t input[] = {0x00, 0x00, 0x7F, 0x04, 0x00, 0x03, 0x00, 0x20, 0x03, 0x00,
                             0x20, 0x03, 0x00, 0x20, 0x0D};
    EXPECT_EQ(arena_model::run(input, sizeof input), "");
    arena_model::RunOptions sabotage;
    sabotage.sabotage = true;
    std::string violation = arena_model::run(input, sizeof input, sabotage);
    EXPECT_NE(violation.find("keeps its bytes"), std::string::npos) << violation;
    EXPECT_EQ(arena_model::run(nullptr, 0), "");
}

} // namespace
