// Helpers shared by the arena tests: an upstream that counts, records and can
// be told to fail, and small predicates.
#ifndef ARENA_TESTS_TEST_SUPPORT_H
#define ARENA_TESTS_TEST_SUPPORT_H

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <vector>

#include "arena/arena.h"

namespace test_support {

inline bool is_aligned(const void *p, size_t alignment) {
    return (reinterpret_cast<uintptr_t>(p) & (alignment - 1)) == 0;
}

// Upstream allocator that records every live allocation and fails on demand
// (from the Nth allocation on, or from now on).
class CountingUpstream {
public:
    CountingUpstream() : upstream_{&CountingUpstream::allocate, &CountingUpstream::deallocate, this} {}
    CountingUpstream(const CountingUpstream &) = delete;
    CountingUpstream &operator=(const CountingUpstream &) = delete;

    const ArenaUpstream *get() const { return &upstream_; }

    void fail_after(size_t successes) { fail_at_ = allocations_ + successes; }
    void fail_from_now() { fail_at_ = allocations_; }
    void succeed_again() { fail_at_ = SIZE_MAX; }

    size_t allocations() const { return allocations_; }
    size_t failures() const { return failures_; }
    size_t live_blocks() const { return live_.size(); }
    size_t live_bytes() const {
        size_t total = 0;
        for (auto &[p, n] : live_) total += n;
        return total;
    }
    std::vector<size_t> live_sizes() const {
        std::vector<size_t> sizes;
        for (auto &[p, n] : live_) sizes.push_back(n);
        return sizes;
    }
    // Is [p, p+n) inside one live allocation other than the first (the Arena)?
    bool contains_block(const void *p, size_t n) const {
        auto *bytes = static_cast<const char *>(p);
        auto it = live_.upper_bound(const_cast<void *>(p));
        if (it == live_.begin()) return false;
        --it;
        auto *start = static_cast<const char *>(it->first);
        return it->first != first_ptr_ && bytes >= start && bytes + n <= start + it->second;
    }
    // The first allocation an arena makes is its own struct.
    size_t arena_struct_bytes() const { return first_size_; }
    bool double_free_seen() const { return double_free_; }

private:
    static void *allocate(void *context, size_t bytes) {
        auto *self = static_cast<CountingUpstream *>(context);
        if (self->allocations_ >= self->fail_at_) {
            self->failures_ += 1;
            return nullptr;
        }
        void *p = std::malloc(bytes);
        if (p == nullptr) return nullptr;
        if (self->allocations_ == 0) {
            self->first_size_ = bytes;
            self->first_ptr_ = p;
        }
        self->allocations_ += 1;
        self->live_[p] = bytes;
        return p;
    }
    static void deallocate(void *context, void *p, size_t bytes) {
        auto *self = static_cast<CountingUpstream *>(context);
        auto it = self->live_.find(p);
        if (it == self->live_.end() || it->second != bytes) {
            self->double_free_ = true;
            return;
        }
        self->live_.erase(it);
        std::free(p);
    }

    ArenaUpstream upstream_;
    std::map<void *, size_t> live_;
    size_t allocations_ = 0;
    size_t failures_ = 0;
    size_t fail_at_ = SIZE_MAX;
    size_t first_size_ = 0;
    void *first_ptr_ = nullptr;
    bool double_free_ = false;
};

} // namespace test_support

#endif
