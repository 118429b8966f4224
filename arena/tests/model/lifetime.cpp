// Operations that end allocations' lifetimes: reset, reset_retain, and
// marks with rewind (valid, stale and foreign).
#include <cerrno>
#include <string>

#include "check.h"
#include "harness.h"

namespace arena_model {

void Harness::reset(Node &node, bool retain, size_t retain_bytes, size_t index) {
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
    MODEL_CHECK(total_upstream_allocations() == upstream_calls, "a reset asked upstream for memory");
    summary_.resets += 1;
    for (Node *n : tree) {
        ArenaStats s = stats_of(n->arena);
        const ArenaStats &b = before[n];
        MODEL_CHECK(s.used_bytes == 0 && s.allocation_count == 0 && s.abandoned_bytes == 0, describe(s));
        MODEL_CHECK(s.peak_used_since_reset == 0 && s.peak_used_bytes >= b.used_bytes, "");
        if (retain && n == &node) {
            MODEL_CHECK(s.committed_bytes <= retain_bytes && s.committed_bytes <= b.committed_bytes,
                        "kept " + std::to_string(s.committed_bytes) + " of limit " + std::to_string(retain_bytes));
        } else {
            MODEL_CHECK(s.committed_bytes == b.committed_bytes && s.block_count == b.block_count,
                        "a reset must keep every block");
        }
        forget_all(*n);
        n->count = 0;
        n->requested = 0;
        // Every mark from before the reset is refused at once, and later.
        size_t ran = log_.size();
        for (const Snapshot &snapshot : n->marks) {
            MODEL_CHECK(arena_rewind(n->arena, snapshot.mark) == EINVAL, "a mark from before a reset was accepted");
            make_stale(*n, snapshot.mark);
        }
        MODEL_CHECK(log_.size() == ran, "a refused rewind ran cleanups");
        expect_unchanged(*n, s, "a refused rewind after a reset");
        n->marks.clear();
        n->cleanups = 0;
        n->resets += 1;
        n->since_reset.clear();
        // The refill must start from a chain block: with none, the first
        // cycle decides "dedicated or grow" against the initial capacity, a
        // later one against the grown size (one more cycle warms it).
        n->replayable = s.block_count > s.dedicated_block_count;
    }
}

void Harness::mark(Node &node, size_t index) {
    if (node.marks.size() >= kMaxMarks) return;
    trace("#%zu mark %d (depth %zu)", index, node.id, node.marks.size());
    ArenaStats before = stats_of(node.arena);
    node.marks.push_back({arena_mark(node.arena), node.live, node.count, node.requested, node.cleanups});
    expect_unchanged(node, before, "taking a mark");
}

void Harness::rewind(Decoder &in, size_t index) {
    Node *node = pick(in);
    uint8_t which = in.byte();
    if (node == nullptr) return;
    ArenaStats before = stats_of(node->arena);
    size_t from = log_.size();
    if (which % 8 == 7 && !node->stale.empty()) {
        const ArenaMark &mark = node->stale[(which / 8) % node->stale.size()];
        trace("#%zu rewind %d to a stale mark", index, node->id);
        MODEL_CHECK(arena_rewind(node->arena, mark) == EINVAL, "a stale mark (reset or rewound past) was accepted");
        MODEL_CHECK(log_.size() == from, "a refused rewind ran cleanups");
        expect_unchanged(*node, before, "a refused rewind");
        return;
    }
    if (which % 8 == 6) {
        for (auto &other : nodes_) {
            if (other.get() == node || other->marks.empty()) continue;
            trace("#%zu rewind %d to a mark of %d", index, node->id, other->id);
            MODEL_CHECK(arena_rewind(node->arena, other->marks.back().mark) == EINVAL, "a foreign mark was accepted");
            MODEL_CHECK(log_.size() == from, "a refused rewind ran cleanups");
            expect_unchanged(*node, before, "a refused rewind");
            return;
        }
    }
    if (node->marks.empty()) return;
    size_t depth = which % node->marks.size();
    Snapshot target = node->marks[depth];
    trace("#%zu rewind %d to depth %zu", index, node->id, depth);
    int result = arena_rewind(node->arena, target.mark);
    MODEL_CHECK(result == 0, "a valid mark was refused");
    expect_cleanups_ran(from, {{node, target.cleanups}});
    summary_.rewinds += 1;
    // Marks taken after this one were rewound past: they must be refused from
    // now on, unless nothing was allocated between the two (then they name
    // this very state and rewinding to them is harmless).
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
    MODEL_CHECK(s.used_bytes <= before.used_bytes, "a rewind grew the arena");
    MODEL_CHECK(s.committed_bytes == before.committed_bytes, "a rewind must keep every block");
}

} // namespace arena_model
