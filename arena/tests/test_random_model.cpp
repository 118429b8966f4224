// Seeded random operation sequences checked against the arena model
// (arena/tests/model), the same model and upstream the fuzzer (arena/fuzz)
// drives: the generator below writes operations in the fuzzer's encoding with
// a fixed mix, and the model checks after every operation that each live
// allocation is aligned, inside a block the upstream handed out, disjoint
// from every other and still holds the bytes written into it; that the
// statistics match the model and the upstream holds exactly the committed
// blocks; that cleanups run exactly once, newest first; that marks from
// before a reset are refused; and that bad input fails and changes nothing.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "arena/arena.h"
#include "arena_model.h"
#include "encoding.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define ARENA_HAVE_VALGRIND_H 1
#else
#define ARENA_HAVE_VALGRIND_H 0
#endif

namespace {

using arena_model::Encoder;

#if ARENA_ASAN || defined(ARENA_TEST_SHORT)
constexpr size_t kOperationsPerSeed = 60'000; // sanitizers are ~10x slower
#else
constexpr size_t kOperationsPerSeed = 600'000;
#endif
constexpr size_t kOperationsUnderValgrind = 60'000; // memcheck is ~50x slower

// ARENA_TEST_OPERATIONS overrides the count; under valgrind it is smaller.
size_t operations_per_seed() {
    if (const char *text = std::getenv("ARENA_TEST_OPERATIONS")) return std::strtoull(text, nullptr, 10);
#if ARENA_HAVE_VALGRIND_H
    if (RUNNING_ON_VALGRIND) return kOperationsUnderValgrind;
#endif
    return kOperationsPerSeed;
}
constexpr uint64_t kSeeds[] = {1, 2, 3, 0xC0FFEE, 20261125};

// Writes one arena and `operations` operations on it, in the model's encoding.
class SequenceGenerator {
public:
    explicit SequenceGenerator(uint64_t seed) : rng_(seed) {}

    std::vector<uint8_t> generate(size_t operations) {
        Encoder out;
        out.op(arena_model::kCreateRoot).byte(0); // arena_options_init, blocks from malloc
        out.size(pick<size_t>({64, 256, 1000, 4096}));
        out.growth(pick<double>({1.0, 1.5, 2.0, 3.0}));
        out.max_block(pick<size_t>({0, 0, 16384}));
        for (size_t i = 0; i < operations; ++i) {
            unsigned op = static_cast<unsigned>(uniform(0, 99));
            if (op < 55) {
                allocate(out, uniform(0, 1) ? 0 : size_t{1} << uniform(0, 13));
            } else if (op < 62) { // the newest allocation after the innermost mark
                out.op(arena_model::kRealloc).byte(0).byte(arena_model::kReallocNewest).size(random_size());
            } else if (op < 70) {
                out.op(arena_model::kMark).byte(0);
            } else if (op < 76) { // mostly a valid mark at a random depth, sometimes a stale one
                out.op(arena_model::kRewind).byte(0).byte(static_cast<uint8_t>(uniform(0, 255)));
            } else if (op < 80) {
                out.op(arena_model::kAddCleanup).byte(0);
            } else if (op < 82) {
                out.op(arena_model::kReset).byte(0);
            } else if (op < 83) {
                out.op(arena_model::kResetRetain).byte(0).size(uniform(0, 1) ? 0 : uniform(0, 100000));
            } else if (op < 88) {
                bad_input(out);
            } else {
                allocate(out, 0);
            }
        }
        return out.bytes();
    }

private:
    template <typename T> T pick(std::initializer_list<T> choices) {
        return *(choices.begin() + uniform(0, choices.size() - 1));
    }
    size_t uniform(size_t lo, size_t hi) { return std::uniform_int_distribution<size_t>(lo, hi)(rng_); }

    size_t random_size() {
        unsigned kind = static_cast<unsigned>(uniform(0, 99));
        if (kind < 70) return uniform(0, 64);
        if (kind < 95) return uniform(65, 2048);
        return uniform(2049, 70000); // often oversized: dedicated blocks
    }

    // alignment 0: arena_alloc; otherwise arena_alloc_aligned.
    void allocate(Encoder &out, size_t alignment) {
        if (alignment == 0) {
            out.op(arena_model::kAlloc).byte(0).size(random_size());
        } else {
            out.op(arena_model::kAllocAligned).byte(0).size(random_size()).alignment(alignment);
        }
    }

    // Three in four: sizes that overflow and alignments that are not powers
    // of two (8k + 3: k picks them); one in four: a mark naming no arena.
    void bad_input(Encoder &out) {
        auto k = static_cast<uint8_t>(uniform(0, 31));
        uint8_t which = uniform(0, 3) < 3 ? static_cast<uint8_t>(8 * k + 3) : 2;
        out.op(arena_model::kBadInput).byte(0).byte(which);
    }

    std::mt19937_64 rng_;
};

class RandomOperations : public ::testing::TestWithParam<uint64_t> {};

TEST_P(RandomOperations, MatchTheModel) {
    size_t operations = operations_per_seed();
    std::vector<uint8_t> sequence = SequenceGenerator(GetParam()).generate(operations);
    arena_model::RunOptions options;
    options.every_byte = true;   // every byte of every allocation written and checked
    options.verify_every = 4096; // contents of every live allocation (and after each rewind)
    arena_model::RunSummary summary;
    std::string violation = arena_model::run(sequence.data(), sequence.size(), options, &summary);
    ASSERT_EQ(violation, "");
    RecordProperty("allocations", static_cast<int>(summary.allocations));
    RecordProperty("rewinds", static_cast<int>(summary.rewinds));
    RecordProperty("resets", static_cast<int>(summary.resets));
    RecordProperty("cleanups_run", static_cast<int>(summary.cleanups_run));
    // The sequence ran as generated: the create, then every operation.
    EXPECT_EQ(summary.operations, operations + 1);
    if (operations >= 10'000) { // the mix reached every kind of operation
        EXPECT_GT(summary.allocations, operations / 2);
        EXPECT_GT(summary.rewinds, operations / 50);
        EXPECT_GT(summary.resets, operations / 50);
        EXPECT_GT(summary.cleanups_run, operations / 50);
    }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomOperations, ::testing::ValuesIn(kSeeds));

} // namespace
