// Operations that allocate: alloc, alloc_aligned, realloc, cleanups (their
// records and nodes are allocations too), bursts and warm refills.
#include <algorithm>
#include <cerrno>
#include <string>

#include "check.h"
#include "harness.h"

namespace arena_model {

namespace {

bool is_power_of_two(size_t value) { return value != 0 && (value & (value - 1)) == 0; }

} // namespace

// alignment 0: arena_alloc; otherwise arena_alloc_aligned.
void Harness::allocate(Node &node, size_t size, size_t alignment, size_t index) {
    if (full(node)) return;
    trace("#%zu alloc %d size %zu alignment %zu", index, node.id, size, alignment);
    ArenaStats before = stats_of(node.arena);
    size_t refusals = faults_.refusals();
    errno = 0;
    void *p = alignment == 0 ? arena_alloc(node.arena, size) : arena_alloc_aligned(node.arena, size, alignment);
    int error = errno;
    if (alignment != 0 && !is_power_of_two(alignment)) {
        MODEL_CHECK(p == nullptr && error == EINVAL, "alignment " + std::to_string(alignment));
        expect_unchanged(node, before, "a bad alignment");
        return;
    }
    size_t effective = std::max<size_t>(alignment, ARENA_DEFAULT_ALIGNMENT);
    if (p == nullptr) {
        MODEL_CHECK(error == ENOMEM, "errno " + std::to_string(error));
        MODEL_CHECK(faults_.refusals() > refusals || size > kUpstreamCap || effective > kUpstreamCap,
                    "an allocation of " + std::to_string(size) + " failed without cause");
        expect_unchanged(node, before, "a failed allocation");
        return;
    }
    MODEL_CHECK(size <= kUpstreamCap, "no block can hold " + std::to_string(size) + " bytes");
    record(node, p, size, effective);
    node.count += 1;
    node.requested += granules(size);
    node.since_reset.emplace_back(size, effective);
}

void Harness::reallocate(Decoder &in, size_t index) {
    Node *node = pick(in);
    uint8_t which = in.byte();
    size_t new_size = in.size();
    if (node == nullptr || full(*node)) return;
    // Only allocations made after the innermost mark may move or resize, so
    // that every mark's snapshot stays exact.
    size_t first = node->marks.empty() ? 0 : node->marks.back().live.size();
    std::vector<size_t> candidates;
    for (size_t j = first; j < node->live.size(); ++j)
        if (node->live[j].fill != 0) candidates.push_back(j);
    ArenaStats before = stats_of(node->arena);
    size_t refusals = faults_.refusals();
    if (which == kReallocNull || candidates.empty()) { // NULL pointer: an allocation
        trace("#%zu realloc %d NULL -> %zu", index, node->id, new_size);
        errno = 0;
        void *p = arena_realloc(node->arena, nullptr, 0, new_size);
        if (p == nullptr) {
            MODEL_CHECK(errno == ENOMEM && (faults_.refusals() > refusals || new_size > kUpstreamCap), "");
            expect_unchanged(*node, before, "a failed realloc");
            return;
        }
        record(*node, p, new_size, ARENA_DEFAULT_ALIGNMENT);
        node->count += 1;
        node->requested += granules(new_size);
        node->since_reset.emplace_back(new_size, ARENA_DEFAULT_ALIGNMENT);
        return;
    }
    // The newest grows or shrinks in place when it can.
    size_t j = which == kReallocNewest ? candidates.back() : candidates[which % candidates.size()];
    Allocation old = node->live[j];
    trace("#%zu realloc %d [%zu] %zu -> %zu", index, node->id, j, old.size, new_size);
    errno = 0;
    auto *p = static_cast<unsigned char *>(arena_realloc(node->arena, old.ptr, old.size, new_size));
    if (p == nullptr) {
        MODEL_CHECK(errno == ENOMEM, "errno " + std::to_string(errno));
        MODEL_CHECK(new_size > old.size, "shrinking failed");
        MODEL_CHECK(faults_.refusals() > refusals || new_size > kUpstreamCap, "a realloc failed without cause");
        expect_unchanged(*node, before, "a failed realloc");
        verify(*node, old);
        return;
    }
    MODEL_CHECK(new_size <= std::max(old.size, kUpstreamCap), "");
    size_t kept = std::min(old.size, new_size);
    for_each_sample(old.size, options_.every_byte, [&](size_t k) {
        if (k < kept && p[k] != pattern(old.fill, k))
            violated(__FILE__, __LINE__, "realloc keeps the old bytes", "offset " + std::to_string(k));
    });
    size_t alignment = ARENA_DEFAULT_ALIGNMENT;
    if (p == old.ptr) {
        by_address_.erase(old.ptr);
        node->live.erase(node->live.begin() + static_cast<long>(j));
        node->requested -= granules(old.size);
        alignment = old.alignment;
    } else {
        node->count += 1;
    }
    node->requested += granules(new_size);
    record(*node, p, new_size, alignment);
    node->replayable = false;
}

void Harness::add_cleanup(Node &node, size_t index) {
    if (full(node)) return;
    trace("#%zu add_cleanup %d seq %zu", index, node.id, node.cleanups);
    ArenaStats before = stats_of(node.arena);
    size_t refusals = faults_.refusals();
    errno = 0;
    auto *record_memory = static_cast<CleanupRecord *>(arena_alloc(node.arena, sizeof(CleanupRecord)));
    if (record_memory == nullptr) {
        MODEL_CHECK(errno == ENOMEM && faults_.refusals() > refusals, "");
        expect_unchanged(node, before, "a failed allocation");
        return;
    }
    *record_memory = {this, node.id, node.cleanups};
    auto *p = reinterpret_cast<unsigned char *>(record_memory);
    MODEL_CHECK(node.upstream->contains(p, sizeof(CleanupRecord), structs_), "");
    node.live.push_back({p, sizeof(CleanupRecord), ARENA_DEFAULT_ALIGNMENT, 0});
    by_address_[p] = sizeof(CleanupRecord);
    node.count += 1;
    node.requested += granules(sizeof(CleanupRecord));
    node.since_reset.emplace_back(sizeof(CleanupRecord), ARENA_DEFAULT_ALIGNMENT);

    ArenaStats middle = stats_of(node.arena);
    refusals = faults_.refusals();
    int result = arena_add_cleanup(node.arena, &Harness::on_cleanup, record_memory);
    if (result != 0) {
        MODEL_CHECK(result == ENOMEM && faults_.refusals() > refusals, "result " + std::to_string(result));
        expect_unchanged(node, middle, "a failed add_cleanup");
        return;
    }
    node.count += 1;
    node.requested += granules(kCleanupNodeBytes);
    node.since_reset.emplace_back(kCleanupNodeBytes, ARENA_DEFAULT_ALIGNMENT);
    node.cleanups += 1;
    registered_ += 1;
}

void Harness::burst(Decoder &in, size_t index) {
    Node *node = pick(in);
    size_t count = 1 + in.byte() % 64;
    size_t size = in.byte() % 97;
    if (node == nullptr) return;
    trace("#%zu burst %d: %zu x %zu", index, node->id, count, size);
    for (size_t i = 0; i < count && !full(*node); ++i) allocate(*node, size + (i % 3) * 8, 0, index);
}

void Harness::replay(Decoder &in, size_t index) {
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
        MODEL_CHECK(p != nullptr, "a warm refill failed");
        record(*node, p, size, alignment);
        node->count += 1;
        node->requested += granules(size);
        node->since_reset.emplace_back(size, alignment);
    }
    MODEL_CHECK(total_upstream_allocations() == upstream_calls, "a warm reset/refill cycle asked upstream for memory");
}

} // namespace arena_model
