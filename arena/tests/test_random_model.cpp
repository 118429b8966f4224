// Seeded random operation sequences checked against a simple model: every
// live allocation is aligned, inside a block the upstream handed out, disjoint
// from every other and still holds the bytes written into it; the statistics
// match the model; cleanups run exactly once, newest first.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "arena/arena.h"
#include "test_support.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define ARENA_HAVE_VALGRIND_H 1
#else
#define ARENA_HAVE_VALGRIND_H 0
#endif

namespace {

using test_support::CountingUpstream;
using test_support::is_aligned;

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

struct Allocation {
    unsigned char *ptr;
    size_t size;
    size_t alignment;
    unsigned char fill;
};

struct Model {
    std::vector<Allocation> live; // in allocation order
    size_t count = 0;
    size_t requested = 0;
};

struct Snapshot {
    ArenaMark mark;
    Model model;
    size_t cleanups;
};

class RandomModel {
public:
    explicit RandomModel(uint64_t seed) : rng_(seed) {
        ArenaOptions options;
        arena_options_init(&options);
        options.initial_capacity = pick(std::vector<size_t>{64, 256, 1000, 4096});
        options.growth_factor = pick(std::vector<double>{1.0, 1.5, 2.0, 3.0});
        options.max_block_size = pick(std::vector<size_t>{0, 0, 16384});
        options.upstream = upstream_.get();
        arena_ = arena_create_ex(&options);
    }
    ~RandomModel() {
        arena_destroy(arena_);
        EXPECT_EQ(upstream_.live_blocks(), 0u) << "destroy leaked blocks";
        EXPECT_FALSE(upstream_.double_free_seen());
    }

    void run(size_t operations) {
        ASSERT_NE(arena_, nullptr);
        for (size_t i = 0; i < operations && !::testing::Test::HasFailure(); ++i) {
            unsigned op = uniform(0, 99);
            if (op < 55) {
                allocate(uniform(0, 1) ? 0 : size_t{1} << uniform(0, 13));
            } else if (op < 62) {
                realloc_newest();
            } else if (op < 70) {
                push_mark();
            } else if (op < 76) {
                rewind();
            } else if (op < 80) {
                add_cleanup();
            } else if (op < 82) {
                reset(false);
            } else if (op < 83) {
                reset(true);
            } else if (op < 88) {
                bad_input();
            } else {
                allocate(0);
            }
            if (i % 4096 == 0) verify_contents();
            verify_stats();
        }
        verify_contents();
    }

private:
    template <typename T> T pick(const std::vector<T> &choices) { return choices[uniform(0, choices.size() - 1)]; }
    size_t uniform(size_t lo, size_t hi) { return std::uniform_int_distribution<size_t>(lo, hi)(rng_); }

    size_t random_size() {
        unsigned kind = static_cast<unsigned>(uniform(0, 99));
        if (kind < 70) return uniform(0, 64);
        if (kind < 95) return uniform(65, 2048);
        return uniform(2049, 70000); // often oversized: dedicated blocks
    }

    void allocate(size_t alignment) {
        size_t size = random_size();
        void *p = alignment == 0 ? arena_alloc(arena_, size) : arena_alloc_aligned(arena_, size, alignment);
        ASSERT_NE(p, nullptr);
        record(static_cast<unsigned char *>(p), size, alignment == 0 ? 16 : alignment);
        model_.count += 1;
        model_.requested += size;
    }

    void record(unsigned char *p, size_t size, size_t alignment) {
        ASSERT_TRUE(is_aligned(p, alignment < 16 ? 16 : alignment)) << static_cast<void *>(p);
        ASSERT_TRUE(inside_a_block(p, size));
        auto next = by_address_.lower_bound(p);
        if (next != by_address_.end()) {
            ASSERT_LE(p + (size ? size : 1), next->first) << "overlap";
        }
        if (next != by_address_.begin()) {
            auto prev = std::prev(next);
            ASSERT_LE(prev->first + (prev->second ? prev->second : 1), p) << "overlap";
        }
        unsigned char fill = static_cast<unsigned char>(uniform(1, 255));
        std::memset(p, fill, size);
        model_.live.push_back({p, size, alignment, fill});
        by_address_[p] = size;
    }

    // Inside a block: within a live upstream allocation that is not an Arena.
    bool inside_a_block(const unsigned char *p, size_t size) { return upstream_.contains_block(p, size ? size : 1); }

    // Only the newest allocation made after the innermost mark may move, so
    // the model of marks stays exact.
    void realloc_newest() {
        if (model_.live.empty()) return;
        if (!marks_.empty() && model_.live.size() <= marks_.back().model.live.size()) return;
        Allocation old = model_.live.back();
        if (old.alignment > 16 || old.fill == 0) return; // raw cleanup records are not ours to move
        size_t new_size = random_size();
        auto *p = static_cast<unsigned char *>(arena_realloc(arena_, old.ptr, old.size, new_size));
        ASSERT_NE(p, nullptr);
        for (size_t i = 0; i < std::min(old.size, new_size); ++i) ASSERT_EQ(p[i], old.fill) << "realloc lost data";
        if (p == old.ptr) {
            model_.live.pop_back();
            by_address_.erase(old.ptr);
            model_.requested = model_.requested - old.size;
        } else {
            model_.count += 1;
        }
        model_.requested += new_size;
        record(p, new_size, 16);
    }

    void push_mark() {
        if (marks_.size() >= 8) return;
        marks_.push_back({arena_mark(arena_), model_, cleanups_registered_});
    }

    void rewind() {
        if (marks_.empty()) return;
        size_t depth = uniform(0, marks_.size() - 1);
        Snapshot target = marks_[depth];
        marks_.resize(depth + 1); // the rewound-to mark stays valid
        size_t ran_before = cleanups_ran_.size();
        ASSERT_EQ(arena_rewind(arena_, target.mark), 0);
        // Cleanups registered after the mark ran, newest first.
        size_t expected_runs = cleanups_registered_ - target.cleanups;
        ASSERT_EQ(cleanups_ran_.size() - ran_before, expected_runs);
        for (size_t i = 0; i < expected_runs; ++i)
            ASSERT_EQ(cleanups_ran_[ran_before + i], cleanups_registered_ - 1 - i);
        cleanups_registered_ = target.cleanups;
        model_ = target.model;
        rebuild_index();
        verify_contents();
    }

    void add_cleanup() {
        auto *record = static_cast<std::pair<RandomModel *, size_t> *>(arena_alloc(arena_, sizeof(std::pair<RandomModel *, size_t>)));
        ASSERT_NE(record, nullptr);
        *record = {this, cleanups_registered_};
        model_.count += 1;
        model_.requested += sizeof(*record);
        record_raw(reinterpret_cast<unsigned char *>(record), sizeof(*record));
        ASSERT_EQ(arena_add_cleanup(arena_, &RandomModel::on_cleanup, record), 0);
        model_.count += 1; // the cleanup node itself
        model_.requested += cleanup_node_bytes();
        cleanups_registered_ += 1;
    }
    static size_t cleanup_node_bytes() { return 3 * sizeof(void *); }
    static void on_cleanup(void *data) {
        auto *record = static_cast<std::pair<RandomModel *, size_t> *>(data);
        record->first->cleanups_ran_.push_back(record->second);
    }
    // A cleanup's record is live memory with content we don't pattern-fill.
    void record_raw(unsigned char *p, size_t size) {
        ASSERT_TRUE(inside_a_block(p, size));
        model_.live.push_back({p, size, 16, 0});
        by_address_[p] = size;
    }

    void reset(bool retain) {
        size_t ran_before = cleanups_ran_.size();
        if (retain) {
            arena_reset_retain(arena_, uniform(0, 1) ? 0 : uniform(0, 100000));
        } else {
            arena_reset(arena_);
        }
        ASSERT_EQ(cleanups_ran_.size() - ran_before, cleanups_registered_);
        for (size_t i = 0; i < cleanups_registered_; ++i)
            ASSERT_EQ(cleanups_ran_[ran_before + i], cleanups_registered_ - 1 - i);
        cleanups_registered_ = 0;
        model_ = Model{};
        by_address_.clear();
        // Marks from before a reset are stale and must be refused.
        for (const Snapshot &snapshot : marks_) ASSERT_EQ(arena_rewind(arena_, snapshot.mark), EINVAL);
        marks_.clear();
        ASSERT_EQ(arena_check(arena_), 0);
    }

    void bad_input() {
        ArenaStats before;
        arena_get_stats(arena_, &before, 0);
        switch (uniform(0, 3)) {
        case 0:
            ASSERT_EQ(arena_alloc(arena_, SIZE_MAX - uniform(0, 64)), nullptr);
            break;
        case 1:
            ASSERT_EQ(arena_alloc_aligned(arena_, 16, 3 + 2 * uniform(0, 100)), nullptr);
            break;
        case 2:
            ASSERT_EQ(arena_alloc_aligned(arena_, 16, 0), nullptr);
            break;
        default: {
            ArenaMark foreign = arena_mark(arena_);
            foreign.arena_ = nullptr;
            ASSERT_EQ(arena_rewind(arena_, foreign), EINVAL);
        }
        }
        ArenaStats after;
        arena_get_stats(arena_, &after, 0);
        ASSERT_EQ(std::memcmp(&before, &after, sizeof before), 0) << "bad input changed the arena";
    }

    void rebuild_index() {
        by_address_.clear();
        for (const Allocation &a : model_.live) by_address_[a.ptr] = a.size;
    }

    void verify_contents() {
        for (const Allocation &a : model_.live) {
            if (a.fill == 0) continue;
            for (size_t i = 0; i < a.size; i += 7) ASSERT_EQ(a.ptr[i], a.fill) << "allocation overwritten";
            if (a.size) {
                ASSERT_EQ(a.ptr[a.size - 1], a.fill) << "allocation overwritten";
            }
        }
    }

    void verify_stats() {
        ArenaStats stats;
        arena_get_stats(arena_, &stats, 0);
        ASSERT_EQ(stats.allocation_count, model_.count);
        ASSERT_EQ(arena_get_allocation_count(arena_), model_.count);
        ASSERT_EQ(stats.requested_bytes, model_.requested);
        ASSERT_GE(stats.used_bytes, stats.requested_bytes);
        ASSERT_EQ(stats.padding_bytes, stats.used_bytes - stats.requested_bytes);
        ASSERT_LE(stats.used_bytes + stats.abandoned_bytes, stats.committed_bytes);
        ASSERT_EQ(stats.committed_bytes + upstream_.arena_struct_bytes(), upstream_.live_bytes());
        ASSERT_GE(stats.peak_used_bytes, stats.used_bytes);
        ASSERT_EQ(arena_check(arena_), 0);
    }

    std::mt19937_64 rng_;
    CountingUpstream upstream_;
    Arena *arena_ = nullptr;
    Model model_;
    std::map<unsigned char *, size_t> by_address_;
    std::vector<Snapshot> marks_;
    size_t cleanups_registered_ = 0;
    std::vector<size_t> cleanups_ran_;
};

class RandomOperations : public ::testing::TestWithParam<uint64_t> {};

TEST_P(RandomOperations, MatchTheModel) {
    RandomModel model(GetParam());
    model.run(operations_per_seed());
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomOperations, ::testing::ValuesIn(kSeeds));

} // namespace
