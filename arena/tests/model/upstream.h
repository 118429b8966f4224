// The upstream that the arena tests and the model (unit test and fuzzer) draw
// blocks from: it records every live block, so that leaks, frees of blocks it
// never gave and allocations outside a block are visible, and it refuses the
// calls its FaultInjector picks.
#ifndef ARENA_TESTS_MODEL_UPSTREAM_H
#define ARENA_TESTS_MODEL_UPSTREAM_H

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "arena/arena.h"

namespace arena_model {

// Decides which upstream calls fail. One injector may serve several
// upstreams: calls are numbered across all of them, and the live-bytes cap
// counts what all of them hold together.
class FaultInjector {
public:
    // The call `calls_ahead` calls from now (0: the next one) fails; when
    // persistent, every later call fails too.
    void fail_in(size_t calls_ahead, bool persistent);
    void fail_from_now() { fail_in(0, true); }
    // The next block comes back 8 bytes off the 16-byte contract.
    void misalign_next() { misalign_next_ = true; }
    // Every call succeeds again (within the caps), nothing comes back misaligned.
    void stop();
    // Blocks larger than largest_block, or that would take the live total
    // past live_total, are refused. No caps by default.
    void set_caps(size_t largest_block, size_t live_total);

    size_t calls() const { return calls_; }       // every allocate call, refused or not
    size_t refusals() const { return refusals_; } // calls refused, for any reason
    bool armed() const { return fail_at_ != kNever; }
    bool persistent() const { return persistent_; }
    bool misaligning() const { return misalign_next_; }
    // Calls left before the next injected failure, -1 when none is armed.
    long countdown() const;

private:
    friend class TrackingUpstream;
    static constexpr size_t kNever = SIZE_MAX;

    bool refuse(size_t bytes); // numbers the call; true when it must fail

    size_t calls_ = 0;
    size_t refusals_ = 0;
    size_t fail_at_ = kNever;
    bool persistent_ = false;
    bool misalign_next_ = false;
    size_t largest_block_ = SIZE_MAX;
    size_t live_cap_ = SIZE_MAX;
    size_t live_total_ = 0;
};

// Blocks come from malloc, or from one of the library's own upstreams
// (malloc, pages) when `inner` is given.
class TrackingUpstream {
public:
    explicit TrackingUpstream(FaultInjector &faults, const ArenaUpstream *inner = nullptr);
    TrackingUpstream(const TrackingUpstream &) = delete;
    TrackingUpstream &operator=(const TrackingUpstream &) = delete;
    ~TrackingUpstream(); // gives back what is still live (after a failed check)

    const ArenaUpstream *get() const { return &upstream_; }
    size_t allocations() const { return allocations_; } // blocks handed out
    size_t live_blocks() const { return live_.size(); }
    size_t live_bytes() const { return live_bytes_; }
    std::vector<size_t> live_sizes() const;
    size_t size_of(const void *p) const; // 0 when p is not a live block
    // A pointer or size came back that this upstream never handed out (the
    // call is ignored, never freed).
    bool bad_free() const { return bad_free_; }
    // The first block handed out: for an upstream serving one arena, its struct.
    const void *first_block() const { return first_block_; }
    size_t first_block_bytes() const { return first_block_bytes_; }
    // Is [p, p + n) inside one live block that is not one of `excluded`?
    bool contains(const void *p, size_t n, const std::set<const void *> &excluded) const;

private:
    static void *allocate(void *context, size_t bytes);
    static void deallocate(void *context, void *p, size_t bytes);
    void release(void *p, size_t bytes);

    FaultInjector &faults_;
    const ArenaUpstream *inner_;
    ArenaUpstream upstream_;
    std::map<void *, size_t> live_;
    std::map<void *, void *> misaligned_; // handed out -> what malloc gave
    size_t live_bytes_ = 0;
    size_t allocations_ = 0;
    const void *first_block_ = nullptr;
    size_t first_block_bytes_ = 0;
    bool bad_free_ = false;
};

} // namespace arena_model

#endif
