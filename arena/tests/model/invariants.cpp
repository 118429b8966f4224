// The model's checks: of each new allocation, of every live allocation's
// contents, and of every arena and upstream after every operation.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>

#include "check.h"
#include "harness.h"

namespace arena_model {

void violated(const char *file, int line, const char *condition, const std::string &detail) {
    const char *slash = std::strrchr(file, '/');
    std::string what = std::string(slash ? slash + 1 : file) + ":" + std::to_string(line);
    what += std::string(": check failed: ") + condition;
    if (!detail.empty()) what += " (" + detail + ")";
    throw Violation{what};
}

std::string describe(const ArenaStats &s) {
    char text[256];
    std::snprintf(text, sizeof text, "used %zu requested %zu count %zu committed %zu blocks %zu dedicated %zu",
                  s.used_bytes, s.requested_bytes, s.allocation_count, s.committed_bytes, s.block_count,
                  s.dedicated_block_count);
    return text;
}

void Harness::expect_unchanged(const Node &node, const ArenaStats &before, const char *what) {
    ArenaStats after = stats_of(node.arena);
    MODEL_CHECK(std::memcmp(&before, &after, sizeof before) == 0,
                std::string(what) + " changed the arena: before " + describe(before) + ", after " + describe(after));
}

// A new allocation: aligned, inside a block, disjoint from all others; then
// filled with its pattern.
void Harness::record(Node &node, void *result, size_t size, size_t alignment) {
    auto *p = static_cast<unsigned char *>(result);
    MODEL_CHECK((reinterpret_cast<uintptr_t>(p) & (alignment - 1)) == 0, "alignment " + std::to_string(alignment));
    size_t extent = size ? size : 1;
    MODEL_CHECK(node.upstream->contains(p, extent, structs_), "size " + std::to_string(size));
    auto next = by_address_.lower_bound(p);
    if (next != by_address_.end()) MODEL_CHECK(p + extent <= next->first, "overlaps a later allocation");
    if (next != by_address_.begin()) {
        auto prev = std::prev(next);
        MODEL_CHECK(prev->first + std::max<size_t>(prev->second, 1) <= p, "overlaps an earlier allocation");
    }
    uint8_t fill = static_cast<uint8_t>(1 + (fills_++ % 255));
    for_each_sample(size, options_.every_byte, [&](size_t k) { p[k] = pattern(fill, k); });
    if (options_.sabotage && !node.live.empty() && node.live.back().fill != 0 && node.live.back().size != 0)
        node.live.back().ptr[0] ^= 0x5A;
    node.live.push_back({p, size, alignment, fill});
    by_address_[p] = size;
    summary_.allocations += 1;
}

void Harness::verify(const Node &node, const Allocation &a) {
    if (a.fill == 0) {
        auto *record = reinterpret_cast<const CleanupRecord *>(a.ptr);
        MODEL_CHECK(record->harness == this && record->id == node.id, "cleanup record overwritten");
        return;
    }
    for_each_sample(a.size, options_.every_byte, [&](size_t k) {
        if (a.ptr[k] != pattern(a.fill, k))
            violated(__FILE__, __LINE__, "allocation keeps its bytes",
                     "offset " + std::to_string(k) + " of " + std::to_string(a.size));
    });
}

void Harness::verify_all() {
    for (auto &node : nodes_)
        for (const Allocation &a : node->live) verify(*node, a);
}

// Cleanups of every node in the list ran since log_[from], each node's newest
// first down to its `down_to` registrations, and nothing else ran.
void Harness::expect_cleanups_ran(size_t from, const std::vector<std::pair<Node *, size_t>> &expected) {
    size_t total = 0;
    for (auto &[node, down_to] : expected) {
        std::vector<size_t> ran;
        for (size_t i = from; i < log_.size(); ++i)
            if (log_[i].first == node->id) ran.push_back(log_[i].second);
        std::vector<size_t> want;
        for (size_t seq = node->cleanups; seq > down_to; --seq) want.push_back(seq - 1);
        MODEL_CHECK(ran == want, "arena " + std::to_string(node->id) + ": " + std::to_string(ran.size()) +
                                     " cleanups ran, " + std::to_string(want.size()) + " expected newest first");
        total += want.size();
    }
    MODEL_CHECK(log_.size() - from == total, "cleanups of other arenas ran");
    summary_.cleanups_run += total;
}

// The invariants, after every operation.
void Harness::check_all() {
    for (auto &holder : nodes_) {
        Node &node = *holder;
        MODEL_CHECK(arena_check(node.arena) == 0, "arena " + std::to_string(node.id));
        ArenaStats s = stats_of(node.arena);
        MODEL_CHECK(s.allocation_count == node.count,
                    std::to_string(s.allocation_count) + " vs model " + std::to_string(node.count));
        MODEL_CHECK(arena_get_allocation_count(node.arena) == node.count, "");
        MODEL_CHECK(s.requested_bytes == node.requested,
                    std::to_string(s.requested_bytes) + " vs model " + std::to_string(node.requested));
        MODEL_CHECK(arena_get_used_memory(node.arena) == s.used_bytes, "");
        MODEL_CHECK(s.used_bytes >= s.requested_bytes, describe(s));
        MODEL_CHECK(s.padding_bytes == s.used_bytes - s.requested_bytes, describe(s));
        MODEL_CHECK(s.used_bytes + s.abandoned_bytes <= s.committed_bytes, describe(s));
        MODEL_CHECK(s.peak_used_bytes >= s.peak_used_since_reset && s.peak_used_since_reset >= s.used_bytes,
                    describe(s));
        MODEL_CHECK(s.reset_count == node.resets, "");
        MODEL_CHECK(s.dedicated_block_count <= s.block_count, describe(s));
        MODEL_CHECK(s.upstream_allocations >= s.block_count, describe(s));
        MODEL_CHECK(s.suggested_initial_capacity >= s.peak_used_bytes && s.suggested_initial_capacity % 4096 == 0,
                    "");
    }
    for (auto &upstream : upstreams_) {
        size_t expected = 0;
        for (auto &node : nodes_)
            if (node->upstream == upstream.get())
                expected += stats_of(node->arena).committed_bytes + upstream->size_of(node->arena);
        MODEL_CHECK(upstream->live_bytes() == expected, "upstream holds " + std::to_string(upstream->live_bytes()) +
                                                            " bytes, arenas account for " + std::to_string(expected));
        MODEL_CHECK(!upstream->bad_free(), "upstream got back a pointer or size it never gave");
    }
    // An upstream no arena draws from any more was just seen empty.
    upstreams_.erase(std::remove_if(upstreams_.begin(), upstreams_.end(),
                                    [&](const std::unique_ptr<TrackingUpstream> &upstream) {
                                        for (auto &node : nodes_)
                                            if (node->upstream == upstream.get()) return false;
                                        return true;
                                    }),
                     upstreams_.end());
}

// The verify operation: every allocation's contents, and statistics that
// include children add up over the subtree.
void Harness::verify_everything(size_t index) {
    trace("#%zu verify", index);
    verify_all();
    for (auto &holder : nodes_) {
        ArenaStats all = stats_of(holder->arena, ARENA_STATS_INCLUDE_CHILDREN);
        size_t count = 0, requested = 0, committed = 0;
        for (Node *n : subtree(holder.get())) {
            count += n->count;
            requested += n->requested;
            committed += stats_of(n->arena).committed_bytes;
        }
        MODEL_CHECK(all.allocation_count == count && all.requested_bytes == requested &&
                        all.committed_bytes == committed,
                    "statistics including children");
    }
}

} // namespace arena_model
