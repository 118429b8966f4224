// Helpers shared by the arena tests: the model's tracking upstream with its
// own fault injector, and small predicates.
#ifndef ARENA_TESTS_TEST_SUPPORT_H
#define ARENA_TESTS_TEST_SUPPORT_H

#include <gtest/gtest.h>

#include <cstdint>

#include "arena/arena.h"
#include "check.h"
#include "upstream.h"

namespace test_support {

using arena_model::stats_of;

inline bool is_aligned(const void *p, size_t alignment) {
    return (reinterpret_cast<uintptr_t>(p) & (alignment - 1)) == 0;
}

// Base-from-member: the injector must exist before the upstream that uses it.
struct OwnFaults {
    arena_model::FaultInjector faults;
};

// An upstream for one test: records every live block and fails on demand
// (the Nth request from now, once or from then on).
class CountingUpstream : private OwnFaults, public arena_model::TrackingUpstream {
public:
    CountingUpstream() : arena_model::TrackingUpstream(faults) {}

    // Request number `requests_ahead` from now fails (0: the next one), and
    // every later one when persistent.
    void fail_in(size_t requests_ahead, bool persistent) { faults.fail_in(requests_ahead, persistent); }
    void fail_after(size_t successes) { faults.fail_in(successes, true); }
    void fail_from_now() { faults.fail_from_now(); }
    void succeed_again() { faults.stop(); }

    size_t requests() const { return faults.calls(); }   // every request, failed or not
    size_t failures() const { return faults.refusals(); } // requests refused
    // Is [p, p+n) inside one live block other than the first (the Arena struct)?
    bool contains_block(const void *p, size_t n) const { return contains(p, n, {first_block()}); }
    // The first block an arena asks for is its own struct.
    size_t arena_struct_bytes() const { return first_block_bytes(); }
};

// Owns one test's arena: when the test ends (or an ASSERT leaves it early,
// without a leak) the arena must still pass arena_check(), then it is
// destroyed. Converts to Arena *, so the C API takes it as it is.
class CheckedArena {
public:
    explicit CheckedArena(Arena *arena) : arena_(arena) {}
    CheckedArena(const CheckedArena &) = delete;
    CheckedArena &operator=(const CheckedArena &) = delete;
    ~CheckedArena() {
        if (arena_ == nullptr) return;
        EXPECT_EQ(arena_check(arena_), 0) << "the arena is inconsistent at the end of the test";
        arena_destroy(arena_);
    }
    operator Arena *() const { return arena_; }

private:
    Arena *arena_;
};

// An arena whose blocks come from a CountingUpstream.
inline Arena *create_counted(CountingUpstream &upstream, size_t initial_capacity) {
    ArenaOptions options;
    arena_options_init(&options);
    options.initial_capacity = initial_capacity;
    options.upstream = upstream.get();
    return arena_create_ex(&options);
}

} // namespace test_support

#endif
