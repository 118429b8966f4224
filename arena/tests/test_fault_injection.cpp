// Upstream-failure injection: an upstream that fails the Nth block request,
// for every N from the first request of a realistic sequence to past its
// last, once (one-shot) and from then on (persistent). The sequence mixes
// allocation sizes, alignments, dedicated blocks, children, cleanups, marks,
// realloc, reset_retain and the C++ API. Every call that fails must return
// NULL (or ENOMEM, or throw std::bad_alloc in C++) with errno ENOMEM, change
// nothing, and leave the arena consistent and usable; arena_destroy must give
// every block back (and LeakSanitizer, in the ASan build, sees no leak).
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory_resource>
#include <new>
#include <vector>

#include "arena/arena.h"
#include "arena/arena.hpp"
#include "test_support.h"

namespace {

using test_support::CountingUpstream;

// Fails the request numbered fail_at (0-based), and every later one when
// persistent; records what is live so leaks and bad frees are visible.
class FaultyUpstream : public CountingUpstream {
public:
    FaultyUpstream(size_t fail_at, bool persistent) {
        if (fail_at != kNever) fail_in(fail_at, persistent);
    }
    static constexpr size_t kNever = SIZE_MAX;
};
constexpr size_t kNever = FaultyUpstream::kNever;

// The children's statistics count: a failure anywhere changes nothing anywhere.
ArenaStats stats_of(const Arena *arena, int flags = ARENA_STATS_INCLUDE_CHILDREN) {
    ArenaStats stats;
    arena_get_stats(arena, &stats, flags);
    return stats;
}

int g_cleanups_run = 0;
void count_cleanup(void *) { g_cleanups_run += 1; }

struct Tracked {
    static inline int alive = 0;
    int value;
    explicit Tracked(int v) : value(v) { alive += 1; }
    ~Tracked() { alive -= 1; }
};

// Runs the sequence against one upstream; every call goes through attempt(),
// which checks the documented failure behaviour.
class Scenario {
public:
    explicit Scenario(FaultyUpstream &upstream) : upstream_(upstream) {}

    size_t failed_calls() const { return failed_calls_; }

    void run() {
        ArenaOptions options;
        arena_options_init(&options);
        options.initial_capacity = 1024;
        options.max_block_size = 64 * 1024;
        options.upstream = upstream_.get();
        // Creating may fail (the struct or the first block): nothing leaks,
        // and a second try works once the fault has passed.
        Arena *root = nullptr;
        for (int tries = 0; tries < 3 && root == nullptr; ++tries) {
            size_t failures = upstream_.failures();
            errno = 0;
            root = arena_create_ex(&options);
            if (root == nullptr) {
                ASSERT_EQ(errno, ENOMEM);
                ASSERT_GT(upstream_.failures(), failures);
                ASSERT_EQ(upstream_.live_blocks(), 0u) << "a failed create leaked";
                failed_calls_ += 1;
            }
        }
        if (root == nullptr) return; // persistent failure from the start
        root_ = root;

        // Mixed sizes: small ones in the chain, some that force new blocks.
        static const size_t kSizes[] = {8, 24, 100, 700, 3000, 1, 0, 64, 5000, 16};
        for (int i = 0; i < 40; ++i) alloc(root, kSizes[i % 10], 0);
        for (size_t alignment : {64u, 4096u, 65536u, 32u}) alloc(root, 200, alignment);
        alloc(root, 200000, 0);        // dedicated block
        alloc(root, 70000, 1u << 16); // dedicated, aligned

        // Children: the seed's shape and with own options.
        Arena *child = create_child(root, [&] { return arena_create_child(root, 512); });
        if (child != nullptr) {
            for (int i = 0; i < 30; ++i) alloc(child, 100 + static_cast<size_t>(i) * 10, 0);
            ArenaOptions grand;
            arena_options_init(&grand);
            grand.initial_capacity = 256;
            grand.growth_factor = 1.5;
            Arena *grandchild = create_child(child, [&] { return arena_create_child_ex(child, &grand); });
            if (grandchild != nullptr)
                for (int i = 0; i < 10; ++i) alloc(grandchild, 300, 0);
        }

        // Cleanups: each registration allocates; a failed one never runs.
        for (int i = 0; i < 6; ++i) {
            ArenaStats before = stats_of(root);
            size_t failures = upstream_.failures();
            int result = arena_add_cleanup(root, &count_cleanup, nullptr);
            if (result == 0) {
                ASSERT_EQ(upstream_.failures(), failures);
                cleanups_registered_ += 1;
            } else {
                ASSERT_EQ(result, ENOMEM);
                expect_unchanged(root, before, failures);
            }
            for (int j = 0; j < 20; ++j) alloc(root, 150, 0); // fill towards the next block
        }

        // Savepoint, scratch work (new blocks, dedicated), realloc, rewind.
        ArenaMark mark = arena_mark(root);
        std::vector<Live> live_at_mark = live_;
        for (int i = 0; i < 30; ++i) alloc(root, 900, 0);
        alloc(root, 300000, 0);
        grow(root);
        ASSERT_EQ(arena_rewind(root, mark), 0); // never allocates
        ASSERT_EQ(arena_check(root), 0);
        live_ = live_at_mark;
        check_live();

        // Give most blocks back, then allocate again: new blocks are needed.
        arena_reset_retain(root, 4096);
        ASSERT_LE(stats_of(root, 0).committed_bytes, 4096u);
        live_.clear();
        for (int i = 0; i < 60; ++i) alloc(root, kSizes[i % 10] * 3, i % 7 == 0 ? 256 : 0);
        grow(root);

        cpp_api();

        // A warm reset/refill cycle needs nothing from upstream.
        arena_reset(root);
        live_.clear();
        size_t requests = upstream_.requests();
        for (int i = 0; i < 20; ++i) {
            void *p = arena_alloc(root, 32);
            ASSERT_NE(p, nullptr);
        }
        ASSERT_EQ(upstream_.requests(), requests);

        arena_destroy(root);
        root_ = nullptr;
        ASSERT_EQ(g_cleanups_run, cleanups_registered_) << "each registered cleanup runs exactly once";
    }

    ~Scenario() {
        if (root_ != nullptr) arena_destroy(root_); // after a failed ASSERT
    }

private:
    struct Live {
        unsigned char *ptr;
        size_t size;
        unsigned char fill;
        Arena *arena;
    };

    void expect_unchanged(const Arena *arena, const ArenaStats &before, size_t failures) {
        ArenaStats after = stats_of(arena);
        EXPECT_EQ(std::memcmp(&before, &after, sizeof before), 0) << "a failed call changed the arena";
        EXPECT_GT(upstream_.failures(), failures) << "a call failed although upstream did not";
        EXPECT_EQ(arena_check(arena), 0);
        failed_calls_ += 1;
    }

    void *alloc(Arena *arena, size_t size, size_t alignment) {
        ArenaStats before = stats_of(arena);
        size_t failures = upstream_.failures();
        errno = 0;
        void *p = alignment ? arena_alloc_aligned(arena, size, alignment) : arena_alloc(arena, size);
        if (p == nullptr) {
            EXPECT_EQ(errno, ENOMEM) << "size " << size;
            expect_unchanged(arena, before, failures);
            return nullptr;
        }
        EXPECT_EQ(upstream_.failures(), failures);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % (alignment ? alignment : 16), 0u);
        auto fill = static_cast<unsigned char>(live_.size() * 7 + 1);
        std::memset(p, fill, size);
        live_.push_back({static_cast<unsigned char *>(p), size, fill, arena});
        return p;
    }

    template <typename Create> Arena *create_child(Arena *parent, Create create) {
        ArenaStats before = stats_of(parent);
        size_t failures = upstream_.failures();
        errno = 0;
        Arena *child = create();
        if (child == nullptr) {
            EXPECT_EQ(errno, ENOMEM);
            expect_unchanged(parent, before, failures);
        }
        return child;
    }

    // Grow the newest allocation in place, then an older one by copying;
    // a failed realloc leaves the old allocation valid and unchanged.
    void grow(Arena *arena) {
        for (size_t index : {live_.size() - 1, live_.size() / 2}) {
            if (live_.empty() || index >= live_.size() || live_[index].arena != arena) continue;
            Live old = live_[index];
            ArenaStats before = stats_of(arena);
            size_t failures = upstream_.failures();
            errno = 0;
            auto *p = static_cast<unsigned char *>(arena_realloc(arena, old.ptr, old.size, old.size * 4 + 5000));
            if (p == nullptr) {
                EXPECT_EQ(errno, ENOMEM);
                expect_unchanged(arena, before, failures);
                for (size_t k = 0; k < old.size; ++k) ASSERT_EQ(old.ptr[k], old.fill) << "realloc lost data";
                continue;
            }
            for (size_t k = 0; k < old.size; ++k) ASSERT_EQ(p[k], old.fill) << "realloc lost data";
            std::memset(p, old.fill, old.size * 4 + 5000);
            if (p == old.ptr) live_[index].size = old.size * 4 + 5000;
            else live_.push_back({p, old.size * 4 + 5000, old.fill, arena});
        }
    }

    void check_live() {
        for (const Live &live : live_)
            for (size_t k = 0; k < live.size; k += 13) ASSERT_EQ(live.ptr[k], live.fill) << "allocation overwritten";
    }

    // The C++ API on the same upstream: failures throw std::bad_alloc, and
    // whatever was constructed is destroyed exactly once.
    void cpp_api() {
        int before_alive = Tracked::alive;
        try {
            arena::Options options;
            options.initial_capacity = 512;
            options.upstream = upstream_.get();
            arena::Arena cpp(options);
            std::vector<Tracked *> made;
            for (int i = 0; i < 50; ++i) {
                try {
                    made.push_back(cpp.make<Tracked>(i));
                } catch (const std::bad_alloc &) {
                    failed_calls_ += 1;
                    EXPECT_EQ(arena_check(cpp.get()), 0);
                }
            }
            for (size_t i = 0; i < made.size(); ++i) EXPECT_GE(made[i]->value, static_cast<int>(i));
            EXPECT_EQ(Tracked::alive - before_alive, static_cast<int>(made.size()));
            arena::MemoryResource resource(cpp);
            std::pmr::vector<int> numbers(&resource);
            try {
                for (int i = 0; i < 5000; ++i) numbers.push_back(i);
            } catch (const std::bad_alloc &) {
                failed_calls_ += 1;
            }
            for (size_t i = 0; i < numbers.size(); ++i) ASSERT_EQ(numbers[i], static_cast<int>(i));
            EXPECT_EQ(arena_check(cpp.get()), 0);
        } catch (const std::bad_alloc &) {
            failed_calls_ += 1; // the arena itself could not be created
        }
        EXPECT_EQ(Tracked::alive, before_alive) << "make<T>: a destructor missed or run twice";
    }

    FaultyUpstream &upstream_;
    Arena *root_ = nullptr;
    std::vector<Live> live_;
    size_t failed_calls_ = 0;
    int cleanups_registered_ = 0;
};

// How many block requests the sequence makes when nothing fails.
size_t requests_without_failure() {
    FaultyUpstream upstream(kNever, false);
    g_cleanups_run = 0;
    Scenario scenario(upstream);
    scenario.run();
    EXPECT_EQ(scenario.failed_calls(), 0u);
    EXPECT_EQ(upstream.live_blocks(), 0u);
    return upstream.requests();
}

// Returns whether the injected failure happened (request #fail_at was made).
bool run_with_failure(size_t fail_at, bool persistent, size_t &failed_calls) {
    SCOPED_TRACE(::testing::Message() << (persistent ? "every request from #" : "request #") << fail_at
                                      << " fails");
    FaultyUpstream upstream(fail_at, persistent);
    g_cleanups_run = 0;
    {
        Scenario scenario(upstream);
        scenario.run();
        failed_calls += scenario.failed_calls();
        if (upstream.failures() > 0) {
            EXPECT_GE(scenario.failed_calls(), 1u) << "the injected failure surfaced nowhere";
        }
        if (!persistent) {
            EXPECT_LE(upstream.failures(), 1u);
        }
    }
    EXPECT_EQ(upstream.live_blocks(), 0u) << "arena_destroy left blocks behind";
    EXPECT_FALSE(upstream.bad_free());
    return upstream.failures() > 0;
}

// Block placement (alignment padding) depends on the addresses malloc returns,
// so the number of requests can differ by one or two between runs (it does
// under valgrind): nearly every request number must have been hit.
void fail_each_request(bool persistent) {
    size_t total = requests_without_failure();
    size_t failed_calls = 0, hits = 0;
    for (size_t n = 0; n <= total + 1 && !::testing::Test::HasFatalFailure(); ++n)
        hits += run_with_failure(n, persistent, failed_calls) ? 1 : 0;
    EXPECT_GE(hits + 2, total);
    EXPECT_GE(failed_calls, hits);
}

TEST(FaultInjection, TheSequenceNeedsManyBlocks) {
    size_t requests = requests_without_failure();
    EXPECT_GE(requests, 20u);
    RecordProperty("upstream_requests", static_cast<int>(requests));
    std::printf("the sequence makes %zu upstream requests; each one is failed in turn\n", requests);
}

TEST(FaultInjection, EachSingleUpstreamFailureIsReportedAndLosesNothing) { fail_each_request(false); }

TEST(FaultInjection, UpstreamFailingForGoodLeavesTheArenaUsable) { fail_each_request(true); }

} // namespace
