// The arena fuzz harness. A forest of up to eight arenas (roots and children)
// is driven by a byte-encoded operation sequence; after every operation each
// arena is checked against a model, the same one as the random-operation unit
// test (arena/tests/test_random_model.cpp) plus what that test cannot reach:
// children, odd alignments and sizes, bad options, stale and forged marks,
// upstream failures injected at any call, and warm reset/refill cycles.
//
// Checked after every operation:
//   - every live allocation is aligned, inside a live upstream block that is
//     not an Arena struct, disjoint from every other allocation of every
//     arena, and keeps the bytes written into it (sampled every 64 operations
//     and after each rewind; fully at the end);
//   - statistics match the model (count, requested bytes, resets) and are
//     coherent (padding, abandoned, peaks, suggestion); arena_check() is 0;
//   - each upstream holds exactly the committed bytes plus the Arena structs
//     of the arenas drawing from it: nothing leaks, nothing is freed twice;
//   - a call that fails returns NULL with EINVAL (bad argument) or ENOMEM
//     (only when upstream refused a block or no block could hold the
//     request) and changes nothing, statistics included;
//   - cleanups run exactly once, newest first, at reset, rewind and destroy;
//   - marks from before a reset, rewound past, foreign or forged are refused;
//   - a reset followed by the same allocations asks upstream for nothing.
//
// Encoding: each operation is an opcode byte (low 4 bits) and its argument
// bytes; bytes past the end read as 0. "target" picks a live arena (byte mod
// count). Sizes and alignments have compact encodings (read_size,
// read_alignment) that reach tiny, medium, block-sized, huge and overflowing
// values.
//    0 create root      flags (zeroed options, which upstream), capacity, growth, max block
//    1 create child     target, variant, capacity, growth, max block
//    2 destroy          target (and its descendants)
//    3 alloc            target, size
//    4 alloc_aligned    target, size, alignment
//    5 realloc          target, which allocation, new size
//    6 reset            target
//    7 reset_retain     target, retain bytes
//    8 mark             target
//    9 rewind           target, which mark (valid, stale, foreign)
//   10 add_cleanup      target
//   11 inject failure   mode: fail the k-th next upstream call, or every call from
//                       it, or return misaligned memory next, or stop
//   12 bad input        target, which (NULL arena, NULL fn, forged marks, overflow)
//   13 verify           every allocation's contents, children-inclusive stats
//   14 burst            target, count, size (fast path, fold window)
//   15 reset + replay   target: the same allocations again must not touch upstream
#include "arena_fuzz.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "arena/arena.h"

namespace arena_fuzz {
namespace {

constexpr size_t kUpstreamCap = size_t{32} << 20; // largest block the test upstream gives
constexpr size_t kLiveCap = size_t{256} << 20;    // all upstreams together
constexpr size_t kMaxArenas = 8;
constexpr size_t kMaxMarks = 8;
constexpr size_t kMaxStale = 16;
constexpr size_t kMaxLive = 1024; // live allocations per arena
constexpr size_t kCleanupNodeBytes = 3 * sizeof(void *); // the arena's own record per cleanup
constexpr size_t kVerifyEvery = 64;

struct Violation {
    std::string what;
};

[[noreturn]] void violated(int line, const char *condition, const std::string &detail) {
    std::string what = "arena_fuzz.cpp:" + std::to_string(line) + ": check failed: " + condition;
    if (!detail.empty()) what += " (" + detail + ")";
    throw Violation{what};
}

#define FUZZ_CHECK(cond, detail)                                                                   \
    do {                                                                                           \
        if (!(cond)) violated(__LINE__, #cond, (detail));                                          \
    } while (0)

bool is_power_of_two(size_t value) { return value != 0 && (value & (value - 1)) == 0; }

// ---- input ------------------------------------------------------------------

class Input {
public:
    Input(const uint8_t *data, size_t size) : data_(data), size_(size) {}
    bool done() const { return pos_ >= size_; }
    uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    size_t u16() { return size_t{byte()} | size_t{byte()} << 8; }

    // 0x00-0x7F: that many bytes. 0x80-0xBF: up to 16 KiB. 0xC0-0xEF: up to
    // 3 MiB. 0xF0-0xFF: a boundary value, up to sizes that overflow.
    size_t size() {
        uint8_t b = byte();
        if (b < 0x80) return b;
        if (b < 0xC0) return size_t{b & 0x3Fu} << 8 | byte();
        if (b < 0xF0) return size_t{b & 0x3Fu} << 16 | u16();
        static const size_t kSpecial[16] = {
            0, 1, 15, 16, 17, 4095, 4096, 4097, 65536, (size_t{1} << 20) + 1, kUpstreamCap - 64,
            kUpstreamCap + 1, std::numeric_limits<size_t>::max() / 4, std::numeric_limits<size_t>::max() / 2,
            std::numeric_limits<size_t>::max() - 15, std::numeric_limits<size_t>::max()};
        return kSpecial[b - 0xF0];
    }

    // 0x00-0xDF: a power of two from 1 to 8 MiB. 0xE0-0xFF: zero, non-powers
    // of two, and powers of two too large for any block.
    size_t alignment() {
        uint8_t b = byte();
        if (b < 0xE0) return size_t{1} << (b % 24);
        static const size_t kSpecial[32] = {
            0, 3, 6, 24, 48, 100, 4095, 4097, 12288, (size_t{1} << 20) + 16,
            std::numeric_limits<size_t>::max(), size_t{1} << 26, size_t{1} << 30, size_t{1} << 40,
            size_t{1} << 62, size_t{1} << 63, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192,
            65536, size_t{1} << 21, 5, 7, 9, 31};
        return kSpecial[b - 0xE0];
    }

    double growth() {
        static const double kFactors[12] = {0.0, 1.0, 1.25, 1.5, 2.0, 3.0, 16.0, 0.999, 16.01, -1.0,
                                            std::nan(""), std::numeric_limits<double>::infinity()};
        return kFactors[byte() % 12];
    }

    size_t max_block() {
        static const size_t kSizes[8] = {0, 0, 0, 4096, 16384, size_t{1} << 20, 16,
                                         std::numeric_limits<size_t>::max()};
        return kSizes[byte() % 8];
    }

private:
    const uint8_t *data_;
    size_t size_;
    size_t pos_ = 0;
};

// ---- upstream ---------------------------------------------------------------

// Decides which upstream calls fail: the k-th next one, or every one from it.
struct Injector {
    long countdown = -1;
    bool persistent = false;
    bool misalign_next = false; // the next block comes back 8 bytes off
    size_t refusals = 0;   // calls refused, injected or over a cap
    size_t live_total = 0; // bytes held by every tracker together

    bool should_fail() {
        if (countdown < 0) return false;
        if (countdown > 0) {
            --countdown;
            return false;
        }
        if (!persistent) countdown = -1;
        return true;
    }
};

// Upstream that records every live allocation, refuses what is over the caps
// and fails when the injector says so. Memory comes from malloc, or from one
// of the library's own upstreams (malloc, pages) when `inner` is given.
class Tracker {
public:
    explicit Tracker(Injector *injector, const ArenaUpstream *inner = nullptr)
        : injector_(injector), inner_(inner), upstream_{&Tracker::allocate, &Tracker::deallocate, this} {}
    Tracker(const Tracker &) = delete;
    Tracker &operator=(const Tracker &) = delete;
    ~Tracker() { // only after a violation: give back what the arenas still hold
        for (auto &[p, n] : live_) release(p, n);
    }

    const ArenaUpstream *get() const { return &upstream_; }
    size_t live_bytes() const { return live_bytes_; }
    size_t allocations() const { return allocations_; }
    bool bad_free() const { return bad_free_; }
    size_t size_of(const void *p) const {
        auto it = live_.find(const_cast<void *>(p));
        return it == live_.end() ? 0 : it->second;
    }
    // Is [p, p + n) inside one live allocation that is not an Arena struct?
    bool contains(const void *p, size_t n, const std::set<const void *> &structs) const {
        auto it = live_.upper_bound(const_cast<void *>(p));
        if (it == live_.begin()) return false;
        --it;
        auto *start = static_cast<const char *>(it->first);
        auto *bytes = static_cast<const char *>(p);
        return structs.count(it->first) == 0 && bytes >= start && bytes + n <= start + it->second;
    }

private:
    static void *allocate(void *context, size_t bytes) {
        auto *self = static_cast<Tracker *>(context);
        Injector &injector = *self->injector_;
        if (injector.should_fail() || bytes > kUpstreamCap || injector.live_total + bytes > kLiveCap) {
            injector.refusals += 1;
            return nullptr;
        }
        void *p = nullptr;
        if (injector.misalign_next) { // breaks the 16-byte contract: must be refused
            injector.misalign_next = false;
            injector.refusals += 1;
            auto *raw = static_cast<char *>(std::malloc(bytes + 16));
            if (raw == nullptr) return nullptr;
            p = raw + 8;
            self->misaligned_[p] = raw;
        } else if (self->inner_ != nullptr) {
            p = self->inner_->allocate(self->inner_->context, bytes);
        } else {
            p = std::malloc(bytes);
        }
        if (p == nullptr) {
            injector.refusals += 1;
            return nullptr;
        }
        self->live_[p] = bytes;
        self->live_bytes_ += bytes;
        self->allocations_ += 1;
        injector.live_total += bytes;
        return p;
    }
    static void deallocate(void *context, void *p, size_t bytes) {
        auto *self = static_cast<Tracker *>(context);
        auto it = self->live_.find(p);
        if (it == self->live_.end() || it->second != bytes) {
            self->bad_free_ = true; // reported by the next check; never free what we did not give
            return;
        }
        self->live_.erase(it);
        self->live_bytes_ -= bytes;
        self->injector_->live_total -= bytes;
        self->release(p, bytes);
    }
    void release(void *p, size_t bytes) {
        auto off = misaligned_.find(p);
        if (off != misaligned_.end()) {
            std::free(off->second);
            misaligned_.erase(off);
        } else if (inner_ != nullptr) {
            inner_->deallocate(inner_->context, p, bytes);
        } else {
            std::free(p);
        }
    }

    Injector *injector_;
    const ArenaUpstream *inner_;
    std::map<void *, void *> misaligned_; // handed out -> what malloc gave
    ArenaUpstream upstream_;
    std::map<void *, size_t> live_;
    size_t live_bytes_ = 0;
    size_t allocations_ = 0;
    bool bad_free_ = false;
};

// ---- model ------------------------------------------------------------------

struct Allocation {
    unsigned char *ptr;
    size_t size;
    size_t alignment;
    uint8_t fill; // 0: a cleanup record, checked field by field
};

struct Snapshot {
    ArenaMark mark;
    std::vector<Allocation> live;
    size_t count;
    size_t requested;
    size_t cleanups;
};

struct Node {
    int id;
    Arena *arena;
    int parent; // id, or -1 for a root
    Tracker *tracker;
    std::vector<Allocation> live; // in allocation order
    size_t count = 0;
    size_t requested = 0;
    std::vector<Snapshot> marks; // valid marks, oldest first
    std::vector<ArenaMark> stale; // must be refused
    size_t cleanups = 0;          // registered and not yet run
    size_t resets = 0;
    std::vector<std::pair<size_t, size_t>> since_reset; // (size, alignment) of every allocation
    bool replayable = true; // since_reset replays to the same layout
};

class Harness;

struct CleanupRecord {
    Harness *harness;
    int id;
    size_t seq;
};

uint8_t pattern(uint8_t fill, size_t offset) { return static_cast<uint8_t>(fill + offset * 131); }

// Offsets written and checked: the first and last 256 bytes and every 4 KiB.
template <typename F> void for_each_sample(size_t size, F f) {
    if (size <= 512) {
        for (size_t k = 0; k < size; ++k) f(k);
        return;
    }
    for (size_t k = 0; k < 256; ++k) f(k);
    for (size_t k = 4096; k < size - 256; k += 4096) f(k);
    for (size_t k = size - 256; k < size; ++k) f(k);
}

std::string describe(const ArenaStats &s) {
    char text[256];
    std::snprintf(text, sizeof text, "used %zu requested %zu count %zu committed %zu blocks %zu dedicated %zu",
                  s.used_bytes, s.requested_bytes, s.allocation_count, s.committed_bytes, s.block_count,
                  s.dedicated_block_count);
    return text;
}

class Harness {
public:
    Harness(bool trace, bool sabotage) : trace_(trace), sabotage_(sabotage) {}
    Harness(const Harness &) = delete;
    Harness &operator=(const Harness &) = delete;
    ~Harness() {
        // Only reached early after a violation: release what is left.
        injector_.countdown = -1;
        injector_.misalign_next = false;
        for (auto &node : nodes_)
            if (node->parent < 0) arena_destroy(node->arena);
    }

    void run(Input &in) {
        size_t op_index = 0;
        while (!in.done()) {
            uint8_t op = in.byte();
            step(op & 15u, in, op_index);
            check_all();
            if (++op_index % kVerifyEvery == 0) verify_all();
        }
        finish();
    }

private:
    // ---- helpers ----

    void trace(const char *format, ...) __attribute__((format(printf, 2, 3))) {
        if (!trace_) return;
        va_list args;
        va_start(args, format);
        std::vfprintf(stderr, format, args);
        va_end(args);
        std::fputc('\n', stderr);
    }

    Node *pick(Input &in) {
        uint8_t b = in.byte();
        return nodes_.empty() ? nullptr : nodes_[b % nodes_.size()].get();
    }
    Node *find(int id) {
        for (auto &node : nodes_)
            if (node->id == id) return node.get();
        return nullptr;
    }
    // node and its descendants, parents before children
    std::vector<Node *> subtree(Node *root) {
        std::vector<Node *> result{root};
        for (size_t i = 0; i < result.size(); ++i)
            for (auto &node : nodes_)
                if (node->parent == result[i]->id) result.push_back(node.get());
        return result;
    }
    static ArenaStats stats_of(const Arena *arena, int flags = 0) {
        ArenaStats stats;
        arena_get_stats(arena, &stats, flags);
        return stats;
    }
    void expect_unchanged(const Node &node, const ArenaStats &before, const char *what) {
        ArenaStats after = stats_of(node.arena);
        FUZZ_CHECK(std::memcmp(&before, &after, sizeof before) == 0,
                   std::string(what) + " changed the arena: before " + describe(before) + ", after " + describe(after));
    }
    bool full(const Node &node) const { return node.live.size() >= kMaxLive; }

    // A new allocation: aligned, inside a block, disjoint from all others;
    // then filled with its pattern.
    void record(Node &node, void *result, size_t size, size_t alignment) {
        auto *p = static_cast<unsigned char *>(result);
        FUZZ_CHECK((reinterpret_cast<uintptr_t>(p) & (alignment - 1)) == 0,
                   "alignment " + std::to_string(alignment));
        size_t extent = size ? size : 1;
        FUZZ_CHECK(node.tracker->contains(p, extent, structs_), "size " + std::to_string(size));
        auto next = by_address_.lower_bound(p);
        if (next != by_address_.end()) FUZZ_CHECK(p + extent <= next->first, "overlaps a later allocation");
        if (next != by_address_.begin()) {
            auto prev = std::prev(next);
            FUZZ_CHECK(prev->first + std::max<size_t>(prev->second, 1) <= p, "overlaps an earlier allocation");
        }
        uint8_t fill = static_cast<uint8_t>(1 + (fills_++ % 255));
        for_each_sample(size, [&](size_t k) { p[k] = pattern(fill, k); });
        if (sabotage_ && !node.live.empty() && node.live.back().fill != 0 && node.live.back().size != 0)
            node.live.back().ptr[0] ^= 0x5A;
        node.live.push_back({p, size, alignment, fill});
        by_address_[p] = size;
    }

    void forget_all(Node &node) {
        for (const Allocation &a : node.live) by_address_.erase(a.ptr);
        node.live.clear();
    }

    void verify(const Node &node, const Allocation &a) {
        if (a.fill == 0) {
            auto *record = reinterpret_cast<const CleanupRecord *>(a.ptr);
            FUZZ_CHECK(record->harness == this && record->id == node.id, "cleanup record overwritten");
            return;
        }
        for_each_sample(a.size, [&](size_t k) {
            if (a.ptr[k] != pattern(a.fill, k))
                violated(__LINE__, "allocation keeps its bytes",
                         "offset " + std::to_string(k) + " of " + std::to_string(a.size));
        });
    }
    void verify_all() {
        for (auto &node : nodes_)
            for (const Allocation &a : node->live) verify(*node, a);
    }

    // Cleanups of every node in the list ran since log_[from], each node's
    // newest first down to its `down_to` registrations, and nothing else ran.
    void expect_cleanups_ran(size_t from, const std::vector<std::pair<Node *, size_t>> &expected) {
        size_t total = 0;
        for (auto &[node, down_to] : expected) {
            std::vector<size_t> ran;
            for (size_t i = from; i < log_.size(); ++i)
                if (log_[i].first == node->id) ran.push_back(log_[i].second);
            std::vector<size_t> want;
            for (size_t seq = node->cleanups; seq > down_to; --seq) want.push_back(seq - 1);
            FUZZ_CHECK(ran == want, "arena " + std::to_string(node->id) + ": " + std::to_string(ran.size()) +
                                        " cleanups ran, " + std::to_string(want.size()) + " expected newest first");
            total += want.size();
        }
        FUZZ_CHECK(log_.size() - from == total, "cleanups of other arenas ran");
    }

    static void on_cleanup(void *data) {
        auto *record = static_cast<CleanupRecord *>(data);
        record->harness->log_.emplace_back(record->id, record->seq);
    }

    void make_stale(Node &node, const ArenaMark &mark) {
        if (node.stale.size() >= kMaxStale) node.stale.erase(node.stale.begin());
        node.stale.push_back(mark);
    }

    // ---- the invariants, after every operation ----

    void check_all() {
        for (auto &holder : nodes_) {
            Node &node = *holder;
            FUZZ_CHECK(arena_check(node.arena) == 0, "arena " + std::to_string(node.id));
            ArenaStats s = stats_of(node.arena);
            FUZZ_CHECK(s.allocation_count == node.count,
                       std::to_string(s.allocation_count) + " vs model " + std::to_string(node.count));
            FUZZ_CHECK(arena_get_allocation_count(node.arena) == node.count, "");
            FUZZ_CHECK(s.requested_bytes == node.requested,
                       std::to_string(s.requested_bytes) + " vs model " + std::to_string(node.requested));
            FUZZ_CHECK(arena_get_used_memory(node.arena) == s.used_bytes, "");
            FUZZ_CHECK(s.used_bytes >= s.requested_bytes, describe(s));
            FUZZ_CHECK(s.padding_bytes == s.used_bytes - s.requested_bytes, describe(s));
            FUZZ_CHECK(s.used_bytes + s.abandoned_bytes <= s.committed_bytes, describe(s));
            FUZZ_CHECK(s.peak_used_bytes >= s.peak_used_since_reset && s.peak_used_since_reset >= s.used_bytes,
                       describe(s));
            FUZZ_CHECK(s.reset_count == node.resets, "");
            FUZZ_CHECK(s.dedicated_block_count <= s.block_count, describe(s));
            FUZZ_CHECK(s.upstream_allocations >= s.block_count, describe(s));
            FUZZ_CHECK(s.suggested_initial_capacity >= s.peak_used_bytes && s.suggested_initial_capacity % 4096 == 0,
                       "");
        }
        for (auto &tracker : trackers_) {
            size_t expected = 0;
            for (auto &node : nodes_)
                if (node->tracker == tracker.get())
                    expected += stats_of(node->arena).committed_bytes + tracker->size_of(node->arena);
            FUZZ_CHECK(tracker->live_bytes() == expected, "upstream holds " + std::to_string(tracker->live_bytes()) +
                                                              " bytes, arenas account for " + std::to_string(expected));
            FUZZ_CHECK(!tracker->bad_free(), "upstream got back a pointer or size it never gave");
        }
        // An upstream no arena draws from any more was just seen empty.
        trackers_.erase(std::remove_if(trackers_.begin(), trackers_.end(),
                                       [&](const std::unique_ptr<Tracker> &tracker) {
                                           for (auto &node : nodes_)
                                               if (node->tracker == tracker.get()) return false;
                                           return true;
                                       }),
                        trackers_.end());
    }

    // ---- operations ----

    void step(unsigned op, Input &in, size_t index) {
        switch (op) {
        case 0: return create_root(in, index);
        case 1: return create_child(in, index);
        case 2: {
            if (Node *node = pick(in)) destroy(*node, index);
            return;
        }
        case 3: {
            Node *node = pick(in);
            size_t size = in.size();
            if (node) allocate(*node, size, 0, index);
            return;
        }
        case 4: {
            Node *node = pick(in);
            size_t size = in.size();
            size_t alignment = in.alignment();
            if (node) allocate(*node, size, alignment, index);
            return;
        }
        case 5: return reallocate(in, index);
        case 6: {
            if (Node *node = pick(in)) reset(*node, false, 0, index);
            return;
        }
        case 7: {
            Node *node = pick(in);
            size_t retain = in.size();
            if (node) reset(*node, true, retain, index);
            return;
        }
        case 8: {
            if (Node *node = pick(in)) mark(*node, index);
            return;
        }
        case 9: return rewind(in, index);
        case 10: {
            if (Node *node = pick(in)) add_cleanup(*node, index);
            return;
        }
        case 11: return inject(in.byte(), index);
        case 12: return bad_input(in, index);
        case 13: return verify_everything(index);
        case 14: return burst(in, index);
        default: return replay(in, index);
        }
    }

    // Expected result of creating with these options: 0, or the errno values allowed.
    static bool options_invalid(size_t capacity, double growth, size_t max_block) {
        size_t effective = capacity == 0 ? ARENA_DEFAULT_CAPACITY : capacity;
        bool bad_growth = growth != 0.0 && !(growth >= 1.0 && growth <= 16.0);
        bool bad_max = max_block != 0 && (max_block < effective || max_block > std::numeric_limits<size_t>::max() / 4);
        return bad_growth || bad_max;
    }

    // Shared tail of every create: checks the result against the expectation.
    void created(Arena *arena, int parent, Tracker *tracker, bool invalid, size_t capacity, size_t refusals,
                 size_t live_before) {
        if (arena == nullptr) {
            int error = errno;
            if (invalid) {
                FUZZ_CHECK(error == EINVAL || (error == ENOMEM && capacity > kUpstreamCap),
                           "errno " + std::to_string(error));
            } else {
                FUZZ_CHECK(error == ENOMEM, "errno " + std::to_string(error));
                FUZZ_CHECK(injector_.refusals > refusals || capacity > kUpstreamCap, "create failed without cause");
            }
            FUZZ_CHECK(tracker->live_bytes() == live_before, "a failed create leaked");
            return;
        }
        FUZZ_CHECK(!invalid, "invalid options accepted");
        FUZZ_CHECK(capacity <= kUpstreamCap, "");
        FUZZ_CHECK(tracker->size_of(arena) > 0, "the Arena struct comes from its upstream");
        auto node = std::make_unique<Node>();
        node->id = next_id_++;
        node->arena = arena;
        node->parent = parent;
        node->tracker = tracker;
        structs_.insert(arena);
        ArenaStats s = stats_of(arena);
        FUZZ_CHECK(s.block_count == 1 && s.used_bytes == 0 && s.allocation_count == 0, describe(s));
        FUZZ_CHECK(s.committed_bytes >= (capacity == 0 ? ARENA_DEFAULT_CAPACITY : capacity), describe(s));
        nodes_.push_back(std::move(node));
    }

    void create_root(Input &in, size_t index) {
        uint8_t flags = in.byte();
        size_t capacity = in.size();
        double growth = in.growth();
        size_t max_block = in.max_block();
        if (nodes_.size() >= kMaxArenas) return;
        // flags bits 1-2: blocks from malloc directly, or through the
        // library's malloc or pages upstream; 6: an upstream without functions.
        const ArenaUpstream *inner = nullptr;
        switch ((flags >> 1) % 8) {
        case 1: inner = arena_upstream_malloc(); break;
        case 2: inner = arena_upstream_pages(); break;
        default: break;
        }
        trackers_.push_back(std::make_unique<Tracker>(&injector_, inner));
        Tracker *tracker = trackers_.back().get();
        ArenaOptions options;
        if (flags & 1) {
            std::memset(&options, 0, sizeof options); // zeroed fields mean defaults
        } else {
            arena_options_init(&options);
        }
        options.initial_capacity = capacity;
        options.growth_factor = growth;
        options.max_block_size = max_block;
        options.upstream = tracker->get();
        trace("#%zu create root capacity %zu growth %g max %zu upstream %u", index, capacity, growth, max_block,
              (flags >> 1) % 8u);
        size_t refusals = injector_.refusals;
        errno = 0;
        if ((flags >> 1) % 8 == 6) {
            ArenaUpstream broken = *tracker->get();
            broken.allocate = (flags & 0x10) ? nullptr : broken.allocate;
            broken.deallocate = (flags & 0x10) ? broken.deallocate : nullptr;
            options.upstream = &broken;
            // (An impossible capacity may be reported first, as ENOMEM.)
            FUZZ_CHECK(arena_create_ex(&options) == nullptr &&
                           (errno == EINVAL || (errno == ENOMEM && capacity > kUpstreamCap)),
                       "an upstream without functions");
            FUZZ_CHECK(tracker->live_bytes() == 0, "");
            return;
        }
        Arena *arena = arena_create_ex(&options);
        created(arena, -1, tracker, options_invalid(capacity, growth, max_block), capacity, refusals, 0);
    }

    void create_child(Input &in, size_t index) {
        Node *parent = pick(in);
        uint8_t variant = in.byte() % 4;
        size_t capacity = in.size();
        double growth = in.growth();
        size_t max_block = in.max_block();
        if (parent == nullptr || nodes_.size() >= kMaxArenas) return;
        trace("#%zu create child of %d variant %u capacity %zu growth %g max %zu", index, parent->id, variant,
              capacity, growth, max_block);
        Tracker *tracker = parent->tracker;
        if (variant == 2) { // own options and own upstream
            trackers_.push_back(std::make_unique<Tracker>(&injector_));
            tracker = trackers_.back().get();
        }
        ArenaOptions options;
        arena_options_init(&options);
        options.initial_capacity = capacity;
        options.growth_factor = growth;
        options.max_block_size = max_block;
        bool invalid = false;
        ArenaStats before = stats_of(parent->arena);
        size_t refusals = injector_.refusals;
        size_t live_before = tracker->live_bytes();
        Arena *arena = nullptr;
        errno = 0;
        switch (variant) {
        case 0: // the seed's shape: inherits growth, cap and upstream
            arena = arena_create_child(parent->arena, capacity);
            break;
        case 1: // own options, the parent's upstream
        case 2:
            if (variant == 2) options.upstream = tracker->get();
            invalid = options_invalid(capacity, growth, max_block);
            arena = arena_create_child_ex(parent->arena, &options);
            break;
        default: // NULL options: defaults, the parent's upstream
            capacity = 0;
            arena = arena_create_child_ex(parent->arena, nullptr);
            break;
        }
        created(arena, parent->id, tracker, invalid, capacity, refusals, live_before);
        expect_unchanged(*parent, before, "creating a child");
    }

    void destroy(Node &node, size_t index) {
        trace("#%zu destroy %d", index, node.id);
        std::vector<Node *> doomed = subtree(&node);
        std::vector<std::pair<Node *, size_t>> expected;
        for (Node *n : doomed) expected.emplace_back(n, 0);
        size_t from = log_.size();
        arena_destroy(node.arena);
        expect_cleanups_ran(from, expected);
        for (Node *n : doomed) {
            forget_all(*n);
            structs_.erase(n->arena);
        }
        std::set<Node *> gone(doomed.begin(), doomed.end());
        nodes_.erase(std::remove_if(nodes_.begin(), nodes_.end(),
                                    [&](const std::unique_ptr<Node> &n) { return gone.count(n.get()) != 0; }),
                     nodes_.end());
    }

    // alignment 0: arena_alloc; otherwise arena_alloc_aligned.
    void allocate(Node &node, size_t size, size_t alignment, size_t index) {
        if (full(node)) return;
        trace("#%zu alloc %d size %zu alignment %zu", index, node.id, size, alignment);
        ArenaStats before = stats_of(node.arena);
        size_t refusals = injector_.refusals;
        errno = 0;
        void *p = alignment == 0 ? arena_alloc(node.arena, size) : arena_alloc_aligned(node.arena, size, alignment);
        int error = errno;
        if (alignment != 0 && !is_power_of_two(alignment)) {
            FUZZ_CHECK(p == nullptr && error == EINVAL, "alignment " + std::to_string(alignment));
            expect_unchanged(node, before, "a bad alignment");
            return;
        }
        size_t effective = std::max<size_t>(alignment, ARENA_DEFAULT_ALIGNMENT);
        if (p == nullptr) {
            FUZZ_CHECK(error == ENOMEM, "errno " + std::to_string(error));
            FUZZ_CHECK(injector_.refusals > refusals || size > kUpstreamCap || effective > kUpstreamCap,
                       "an allocation of " + std::to_string(size) + " failed without cause");
            expect_unchanged(node, before, "a failed allocation");
            return;
        }
        FUZZ_CHECK(size <= kUpstreamCap, "no block can hold " + std::to_string(size) + " bytes");
        record(node, p, size, effective);
        node.count += 1;
        node.requested += size;
        node.since_reset.emplace_back(size, effective);
    }

    void reallocate(Input &in, size_t index) {
        Node *node = pick(in);
        uint8_t which = in.byte();
        size_t new_size = in.size();
        if (node == nullptr || full(*node)) return;
        // Only allocations made after the innermost mark may move or resize,
        // so that every mark's snapshot stays exact (as in the unit test).
        size_t first = node->marks.empty() ? 0 : node->marks.back().live.size();
        std::vector<size_t> candidates;
        for (size_t j = first; j < node->live.size(); ++j)
            if (node->live[j].fill != 0) candidates.push_back(j);
        ArenaStats before = stats_of(node->arena);
        size_t refusals = injector_.refusals;
        if (which == 0xFF || candidates.empty()) { // NULL pointer: an allocation
            trace("#%zu realloc %d NULL -> %zu", index, node->id, new_size);
            errno = 0;
            void *p = arena_realloc(node->arena, nullptr, 0, new_size);
            if (p == nullptr) {
                FUZZ_CHECK(errno == ENOMEM && (injector_.refusals > refusals || new_size > kUpstreamCap), "");
                expect_unchanged(*node, before, "a failed realloc");
                return;
            }
            record(*node, p, new_size, ARENA_DEFAULT_ALIGNMENT);
            node->count += 1;
            node->requested += new_size;
            node->since_reset.emplace_back(new_size, ARENA_DEFAULT_ALIGNMENT);
            return;
        }
        size_t j = candidates[which % candidates.size()];
        Allocation old = node->live[j];
        trace("#%zu realloc %d [%zu] %zu -> %zu", index, node->id, j, old.size, new_size);
        errno = 0;
        auto *p = static_cast<unsigned char *>(arena_realloc(node->arena, old.ptr, old.size, new_size));
        if (p == nullptr) {
            FUZZ_CHECK(errno == ENOMEM, "errno " + std::to_string(errno));
            FUZZ_CHECK(new_size > old.size, "shrinking failed");
            FUZZ_CHECK(injector_.refusals > refusals || new_size > kUpstreamCap, "a realloc failed without cause");
            expect_unchanged(*node, before, "a failed realloc");
            verify(*node, old);
            return;
        }
        FUZZ_CHECK(new_size <= std::max(old.size, kUpstreamCap), "");
        size_t kept = std::min(old.size, new_size);
        for_each_sample(old.size, [&](size_t k) {
            if (k < kept && p[k] != pattern(old.fill, k))
                violated(__LINE__, "realloc keeps the old bytes", "offset " + std::to_string(k));
        });
        size_t alignment = ARENA_DEFAULT_ALIGNMENT;
        if (p == old.ptr) {
            by_address_.erase(old.ptr);
            node->live.erase(node->live.begin() + static_cast<long>(j));
            node->requested -= old.size;
            alignment = old.alignment;
        } else {
            node->count += 1;
        }
        node->requested += new_size;
        record(*node, p, new_size, alignment);
        node->replayable = false;
    }

    void reset(Node &node, bool retain, size_t retain_bytes, size_t index) {
        trace("#%zu reset%s %d %zu", index, retain ? "_retain" : "", node.id, retain_bytes);
        std::vector<Node *> tree = subtree(&node);
        std::vector<std::pair<Node *, size_t>> expected;
        std::map<Node *, ArenaStats> before;
        for (Node *n : tree) {
            expected.emplace_back(n, 0);
            before[n] = stats_of(n->arena);
        }
        size_t upstream_calls = total_upstream_allocations();
        size_t from = log_.size();
        if (retain) {
            arena_reset_retain(node.arena, retain_bytes);
        } else {
            arena_reset(node.arena);
        }
        expect_cleanups_ran(from, expected);
        FUZZ_CHECK(total_upstream_allocations() == upstream_calls, "a reset asked upstream for memory");
        for (Node *n : tree) {
            ArenaStats s = stats_of(n->arena);
            const ArenaStats &b = before[n];
            FUZZ_CHECK(s.used_bytes == 0 && s.allocation_count == 0 && s.abandoned_bytes == 0, describe(s));
            FUZZ_CHECK(s.peak_used_since_reset == 0 && s.peak_used_bytes >= b.used_bytes, "");
            if (retain && n == &node) {
                FUZZ_CHECK(s.committed_bytes <= retain_bytes && s.committed_bytes <= b.committed_bytes,
                           "kept " + std::to_string(s.committed_bytes) + " of limit " + std::to_string(retain_bytes));
            } else {
                FUZZ_CHECK(s.committed_bytes == b.committed_bytes && s.block_count == b.block_count,
                           "a reset must keep every block");
            }
            forget_all(*n);
            n->count = 0;
            n->requested = 0;
            for (const Snapshot &snapshot : n->marks) make_stale(*n, snapshot.mark);
            n->marks.clear();
            n->cleanups = 0;
            n->resets += 1;
            n->since_reset.clear();
            // The refill must start from a chain block: with none, the first
            // cycle decides "dedicated or grow" against the initial capacity,
            // a later one against the grown size (one more cycle warms it).
            n->replayable = s.block_count > s.dedicated_block_count;
        }
    }

    size_t total_upstream_allocations() const {
        size_t total = 0;
        for (auto &tracker : trackers_) total += tracker->allocations();
        return total;
    }

    void mark(Node &node, size_t index) {
        if (node.marks.size() >= kMaxMarks) return;
        trace("#%zu mark %d (depth %zu)", index, node.id, node.marks.size());
        ArenaStats before = stats_of(node.arena);
        node.marks.push_back({arena_mark(node.arena), node.live, node.count, node.requested, node.cleanups});
        expect_unchanged(node, before, "taking a mark");
    }

    void rewind(Input &in, size_t index) {
        Node *node = pick(in);
        uint8_t which = in.byte();
        if (node == nullptr) return;
        ArenaStats before = stats_of(node->arena);
        size_t from = log_.size();
        if (which % 8 == 7 && !node->stale.empty()) {
            const ArenaMark &mark = node->stale[(which / 8) % node->stale.size()];
            trace("#%zu rewind %d to a stale mark", index, node->id);
            FUZZ_CHECK(arena_rewind(node->arena, mark) == EINVAL, "a stale mark (reset or rewound past) was accepted");
            FUZZ_CHECK(log_.size() == from, "a refused rewind ran cleanups");
            expect_unchanged(*node, before, "a refused rewind");
            return;
        }
        if (which % 8 == 6) {
            for (auto &other : nodes_) {
                if (other.get() == node || other->marks.empty()) continue;
                trace("#%zu rewind %d to a mark of %d", index, node->id, other->id);
                FUZZ_CHECK(arena_rewind(node->arena, other->marks.back().mark) == EINVAL, "a foreign mark was accepted");
                FUZZ_CHECK(log_.size() == from, "a refused rewind ran cleanups");
                expect_unchanged(*node, before, "a refused rewind");
                return;
            }
        }
        if (node->marks.empty()) return;
        size_t depth = which % node->marks.size();
        Snapshot target = node->marks[depth];
        trace("#%zu rewind %d to depth %zu", index, node->id, depth);
        int result = arena_rewind(node->arena, target.mark);
        FUZZ_CHECK(result == 0, "a valid mark was refused");
        expect_cleanups_ran(from, {{node, target.cleanups}});
        // Marks taken after this one were rewound past: they must be refused
        // from now on, unless nothing was allocated between the two (then
        // they name this very state and rewinding to them is harmless).
        for (size_t k = depth + 1; k < node->marks.size(); ++k)
            if (node->marks[k].count != target.count || node->marks[k].requested != target.requested)
                make_stale(*node, node->marks[k].mark);
        node->marks.resize(depth + 1);
        forget_all(*node);
        node->live = target.live;
        for (const Allocation &a : node->live) by_address_[a.ptr] = a.size;
        node->count = target.count;
        node->requested = target.requested;
        node->cleanups = target.cleanups;
        node->replayable = false;
        for (const Allocation &a : node->live) verify(*node, a);
        ArenaStats s = stats_of(node->arena);
        FUZZ_CHECK(s.used_bytes <= before.used_bytes, "a rewind grew the arena");
        FUZZ_CHECK(s.committed_bytes == before.committed_bytes, "a rewind must keep every block");
    }

    void add_cleanup(Node &node, size_t index) {
        if (full(node)) return;
        trace("#%zu add_cleanup %d seq %zu", index, node.id, node.cleanups);
        ArenaStats before = stats_of(node.arena);
        size_t refusals = injector_.refusals;
        errno = 0;
        auto *record_memory = static_cast<CleanupRecord *>(arena_alloc(node.arena, sizeof(CleanupRecord)));
        if (record_memory == nullptr) {
            FUZZ_CHECK(errno == ENOMEM && injector_.refusals > refusals, "");
            expect_unchanged(node, before, "a failed allocation");
            return;
        }
        *record_memory = {this, node.id, node.cleanups};
        auto *p = reinterpret_cast<unsigned char *>(record_memory);
        FUZZ_CHECK(node.tracker->contains(p, sizeof(CleanupRecord), structs_), "");
        node.live.push_back({p, sizeof(CleanupRecord), ARENA_DEFAULT_ALIGNMENT, 0});
        by_address_[p] = sizeof(CleanupRecord);
        node.count += 1;
        node.requested += sizeof(CleanupRecord);
        node.since_reset.emplace_back(sizeof(CleanupRecord), ARENA_DEFAULT_ALIGNMENT);

        ArenaStats middle = stats_of(node.arena);
        refusals = injector_.refusals;
        int result = arena_add_cleanup(node.arena, &Harness::on_cleanup, record_memory);
        if (result != 0) {
            FUZZ_CHECK(result == ENOMEM && injector_.refusals > refusals, "result " + std::to_string(result));
            expect_unchanged(node, middle, "a failed add_cleanup");
            return;
        }
        node.count += 1;
        node.requested += kCleanupNodeBytes;
        node.since_reset.emplace_back(kCleanupNodeBytes, ARENA_DEFAULT_ALIGNMENT);
        node.cleanups += 1;
        registered_ += 1;
    }

    void inject(uint8_t mode, size_t index) {
        if (mode < 0x80) {
            injector_.countdown = mode % 8;
            injector_.persistent = false;
        } else if (mode < 0xC0) {
            injector_.countdown = mode % 8;
            injector_.persistent = true;
        } else if (mode < 0xE0) {
            injector_.misalign_next = true;
        } else {
            injector_.countdown = -1;
            injector_.misalign_next = false;
        }
        trace("#%zu inject countdown %ld%s%s", index, injector_.countdown, injector_.persistent ? " persistent" : "",
              injector_.misalign_next ? " misalign" : "");
    }

    void bad_input(Input &in, size_t index) {
        Node *node = pick(in);
        uint8_t which = in.byte();
        trace("#%zu bad input %u on %d", index, which % 8u, node ? node->id : -1);
        ArenaStats before{};
        if (node) before = stats_of(node->arena);
        auto expect_null = [](void *p, int error, const char *what) {
            FUZZ_CHECK(p == nullptr && errno == error, what);
        };
        errno = 0;
        switch (which % 8) {
        case 0:
            expect_null(arena_alloc(nullptr, 16), EINVAL, "arena_alloc(NULL)");
            expect_null(arena_alloc_aligned(nullptr, 16, 64), EINVAL, "arena_alloc_aligned(NULL)");
            expect_null(arena_alloc_slow(nullptr, 16, 16), EINVAL, "arena_alloc_slow(NULL)");
            break;
        case 1: {
            int dummy = 0;
            expect_null(arena_realloc(nullptr, &dummy, 1, 2), EINVAL, "arena_realloc(NULL)");
            expect_null(arena_create_child(nullptr, 0), EINVAL, "arena_create_child(NULL)");
            expect_null(arena_create_child_ex(nullptr, nullptr), EINVAL, "arena_create_child_ex(NULL)");
            FUZZ_CHECK(arena_add_cleanup(nullptr, &Harness::on_cleanup, nullptr) == EINVAL, "");
            if (node) FUZZ_CHECK(arena_add_cleanup(node->arena, nullptr, nullptr) == EINVAL, "NULL cleanup function");
            break;
        }
        case 2: {
            arena_reset(nullptr);
            arena_reset_retain(nullptr, 0);
            arena_destroy(nullptr);
            arena_options_init(nullptr);
            FUZZ_CHECK(arena_get_used_memory(nullptr) == 0 && arena_get_allocation_count(nullptr) == 0, "");
            FUZZ_CHECK(arena_check(nullptr) == EINVAL, "");
            ArenaStats s;
            std::memset(&s, 0xAB, sizeof s);
            arena_get_stats(nullptr, &s, ARENA_STATS_INCLUDE_CHILDREN);
            ArenaStats zero{};
            FUZZ_CHECK(std::memcmp(&s, &zero, sizeof s) == 0, "stats of NULL are zeros");
            if (node) arena_get_stats(node->arena, nullptr, 0);
            ArenaMark none = arena_mark(nullptr);
            FUZZ_CHECK(arena_rewind(nullptr, none) == EINVAL, "");
            if (node) FUZZ_CHECK(arena_rewind(node->arena, none) == EINVAL, "the mark of a NULL arena");
            break;
        }
        case 3: // sizes whose rounding overflows, alignments no block can meet
            if (!node) break;
            expect_null(arena_alloc(node->arena, std::numeric_limits<size_t>::max() - (which >> 3)), ENOMEM,
                        "overflowing size");
            expect_null(arena_alloc_aligned(node->arena, 16, size_t{1} << 63), ENOMEM, "alignment 2^63");
            expect_null(arena_alloc_aligned(node->arena, std::numeric_limits<size_t>::max() / 2, 4096), ENOMEM,
                        "huge aligned size");
            break;
        case 4: // realloc to an impossible size keeps the old allocation
            if (!node || node->live.empty()) break;
            {
                const Allocation &a = node->live[which % node->live.size()];
                if (a.fill == 0) break;
                expect_null(arena_realloc(node->arena, a.ptr, a.size, std::numeric_limits<size_t>::max()), ENOMEM,
                            "realloc to SIZE_MAX");
                verify(*node, a);
            }
            break;
        default: { // forged marks: each field off in a way the arena can detect
            if (!node) break;
            ArenaMark mark = arena_mark(node->arena);
            static char elsewhere[64];
            switch (which % 8) {
            case 5:
                mark.epoch_ += 1 + (which >> 3);
                break;
            case 6:
                mark.allocation_count_ += 1;
                break;
            default:
                switch ((which >> 3) % 4) {
                case 0: mark.block_ = elsewhere; break;
                case 1: // past the current cursor (or a cursor where there is no block)
                    mark.cursor_ = mark.cursor_ ? mark.cursor_ + 16 * (1 + (which >> 5)) : elsewhere;
                    break;
                case 2: mark.dedicated_ = elsewhere; break;
                default: mark.cleanups_ = elsewhere; break;
                }
            }
            size_t from = log_.size();
            FUZZ_CHECK(arena_rewind(node->arena, mark) == EINVAL, "a forged mark was accepted");
            FUZZ_CHECK(log_.size() == from, "");
        }
        }
        if (node) expect_unchanged(*node, before, "bad input");
    }

    void verify_everything(size_t index) {
        trace("#%zu verify", index);
        verify_all();
        for (auto &holder : nodes_) {
            ArenaStats all = stats_of(holder->arena, ARENA_STATS_INCLUDE_CHILDREN);
            size_t count = 0, requested = 0, committed = 0;
            for (Node *n : subtree(holder.get())) {
                ArenaStats s = stats_of(n->arena);
                count += n->count;
                requested += n->requested;
                committed += s.committed_bytes;
            }
            FUZZ_CHECK(all.allocation_count == count && all.requested_bytes == requested &&
                           all.committed_bytes == committed,
                       "statistics including children");
        }
    }

    void burst(Input &in, size_t index) {
        Node *node = pick(in);
        size_t count = 1 + in.byte() % 64;
        size_t size = in.byte() % 97;
        if (node == nullptr) return;
        trace("#%zu burst %d: %zu x %zu", index, node->id, count, size);
        for (size_t i = 0; i < count && !full(*node); ++i) allocate(*node, size + (i % 3) * 8, 0, index);
    }

    void replay(Input &in, size_t index) {
        Node *node = pick(in);
        if (node == nullptr) return;
        if (!node->replayable) return reset(*node, false, 0, index);
        std::vector<std::pair<size_t, size_t>> sequence = node->since_reset;
        reset(*node, false, 0, index);
        trace("#%zu replay %d: %zu allocations", index, node->id, sequence.size());
        size_t upstream_calls = total_upstream_allocations();
        for (auto [size, alignment] : sequence) {
            errno = 0;
            void *p = arena_alloc_aligned(node->arena, size, alignment);
            FUZZ_CHECK(p != nullptr, "a warm refill failed");
            record(*node, p, size, alignment);
            node->count += 1;
            node->requested += size;
            node->since_reset.emplace_back(size, alignment);
        }
        FUZZ_CHECK(total_upstream_allocations() == upstream_calls, "a warm reset/refill cycle asked upstream for memory");
    }

    void finish() {
        injector_.countdown = -1;
        injector_.misalign_next = false;
        verify_all();
        verify_everything(0);
        while (!nodes_.empty()) {
            Node *root = nullptr;
            for (auto &node : nodes_)
                if (node->parent < 0 || find(node->parent) == nullptr) root = node.get();
            FUZZ_CHECK(root != nullptr, "");
            destroy(*root, 0);
            check_all();
        }
        for (auto &tracker : trackers_) FUZZ_CHECK(tracker->live_bytes() == 0, "memory left after destroy");
        FUZZ_CHECK(log_.size() == registered_, "every cleanup runs exactly once");
    }

    bool trace_;
    bool sabotage_;
    Injector injector_;
    std::vector<std::unique_ptr<Tracker>> trackers_;
    std::vector<std::unique_ptr<Node>> nodes_;
    std::set<const void *> structs_;            // live Arena structs
    std::map<unsigned char *, size_t> by_address_; // every live allocation of every arena
    std::vector<std::pair<int, size_t>> log_;     // cleanups run: (arena id, seq)
    size_t registered_ = 0;
    int next_id_ = 0;
    unsigned fills_ = 0;
};

} // namespace

std::string run(const uint8_t *data, size_t size, bool trace, bool sabotage) {
    Input in(data, size);
    try {
        Harness harness(trace, sabotage);
        harness.run(in);
    } catch (const Violation &violation) {
        return violation.what;
    }
    return {};
}

} // namespace arena_fuzz
