// The model's operations: each decodes its arguments, calls the arena and
// updates the model, checking what the call itself must guarantee (results,
// errno, cleanups run, nothing changed by a failure).
#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

#include "check.h"
#include "harness.h"

namespace arena_model {
namespace {

bool is_power_of_two(size_t value) { return value != 0 && (value & (value - 1)) == 0; }

// Would creating with these options be refused as invalid?
bool options_invalid(size_t capacity, double growth, size_t max_block) {
    size_t effective = capacity == 0 ? ARENA_DEFAULT_CAPACITY : capacity;
    bool bad_growth = growth != 0.0 && !(growth >= 1.0 && growth <= 16.0);
    bool bad_max = max_block != 0 && (max_block < effective || max_block > std::numeric_limits<size_t>::max() / 4);
    return bad_growth || bad_max;
}

} // namespace

Harness::Harness(const RunOptions &options) : options_(options) { faults_.set_caps(kUpstreamCap, kLiveCap); }

Harness::~Harness() {
    // Only reached early after a violation: release what is left.
    faults_.stop();
    for (auto &node : nodes_)
        if (node->parent < 0) arena_destroy(node->arena);
}

void Harness::run(Decoder &in) {
    size_t op_index = 0;
    size_t every = std::max<size_t>(options_.verify_every, 1);
    while (!in.done()) {
        uint8_t op = in.byte();
        step(op & 15u, in, op_index);
        check_all();
        if (++op_index % every == 0) verify_all();
    }
    summary_.operations = op_index;
    finish();
}

void Harness::trace(const char *format, ...) {
    if (!options_.trace) return;
    va_list args;
    va_start(args, format);
    std::vfprintf(stderr, format, args);
    va_end(args);
    std::fputc('\n', stderr);
}

Node *Harness::pick(Decoder &in) {
    uint8_t b = in.byte();
    return nodes_.empty() ? nullptr : nodes_[b % nodes_.size()].get();
}

Node *Harness::find(int id) {
    for (auto &node : nodes_)
        if (node->id == id) return node.get();
    return nullptr;
}

std::vector<Node *> Harness::subtree(Node *root) {
    std::vector<Node *> result{root};
    for (size_t i = 0; i < result.size(); ++i)
        for (auto &node : nodes_)
            if (node->parent == result[i]->id) result.push_back(node.get());
    return result;
}

size_t Harness::total_upstream_allocations() const {
    size_t total = 0;
    for (auto &upstream : upstreams_) total += upstream->allocations();
    return total;
}

void Harness::forget_all(Node &node) {
    for (const Allocation &a : node.live) by_address_.erase(a.ptr);
    node.live.clear();
}

void Harness::make_stale(Node &node, const ArenaMark &mark) {
    if (node.stale.size() >= kMaxStale) node.stale.erase(node.stale.begin());
    node.stale.push_back(mark);
}

void Harness::on_cleanup(void *data) {
    auto *record = static_cast<CleanupRecord *>(data);
    record->harness->log_.emplace_back(record->id, record->seq);
}

void Harness::step(unsigned op, Decoder &in, size_t index) {
    switch (op) {
    case kCreateRoot: return create_root(in, index);
    case kCreateChild: return create_child(in, index);
    case kDestroy: {
        if (Node *node = pick(in)) destroy(*node, index);
        return;
    }
    case kAlloc: {
        Node *node = pick(in);
        size_t size = in.size();
        if (node) allocate(*node, size, 0, index);
        return;
    }
    case kAllocAligned: {
        Node *node = pick(in);
        size_t size = in.size();
        size_t alignment = in.alignment();
        if (node) allocate(*node, size, alignment, index);
        return;
    }
    case kRealloc: return reallocate(in, index);
    case kReset: {
        if (Node *node = pick(in)) reset(*node, false, 0, index);
        return;
    }
    case kResetRetain: {
        Node *node = pick(in);
        size_t retain = in.size();
        if (node) reset(*node, true, retain, index);
        return;
    }
    case kMark: {
        if (Node *node = pick(in)) mark(*node, index);
        return;
    }
    case kRewind: return rewind(in, index);
    case kAddCleanup: {
        if (Node *node = pick(in)) add_cleanup(*node, index);
        return;
    }
    case kInject: return inject(in.byte(), index);
    case kBadInput: return bad_input(in, index);
    case kVerify: return verify_everything(index);
    case kBurst: return burst(in, index);
    default: return replay(in, index);
    }
}

// Shared tail of every create: checks the result against the expectation.
void Harness::created(Arena *arena, int parent, TrackingUpstream *upstream, bool invalid, size_t capacity,
                      size_t refusals, size_t live_before) {
    if (arena == nullptr) {
        int error = errno;
        if (invalid) {
            MODEL_CHECK(error == EINVAL || (error == ENOMEM && capacity > kUpstreamCap),
                        "errno " + std::to_string(error));
        } else {
            MODEL_CHECK(error == ENOMEM, "errno " + std::to_string(error));
            MODEL_CHECK(faults_.refusals() > refusals || capacity > kUpstreamCap, "create failed without cause");
        }
        MODEL_CHECK(upstream->live_bytes() == live_before, "a failed create leaked");
        return;
    }
    MODEL_CHECK(!invalid, "invalid options accepted");
    MODEL_CHECK(capacity <= kUpstreamCap, "");
    MODEL_CHECK(upstream->size_of(arena) > 0, "the Arena struct comes from its upstream");
    auto node = std::make_unique<Node>();
    node->id = next_id_++;
    node->arena = arena;
    node->parent = parent;
    node->upstream = upstream;
    structs_.insert(arena);
    ArenaStats s = stats_of(arena);
    MODEL_CHECK(s.block_count == 1 && s.used_bytes == 0 && s.allocation_count == 0, describe(s));
    MODEL_CHECK(s.committed_bytes >= (capacity == 0 ? ARENA_DEFAULT_CAPACITY : capacity), describe(s));
    nodes_.push_back(std::move(node));
}

void Harness::create_root(Decoder &in, size_t index) {
    uint8_t flags = in.byte();
    size_t capacity = in.size();
    double growth = in.growth();
    size_t max_block = in.max_block();
    if (nodes_.size() >= kMaxArenas) return;
    // flags bits 1-3: blocks from malloc directly, or through the library's
    // malloc or pages upstream; 6: an upstream without functions.
    const ArenaUpstream *inner = nullptr;
    switch ((flags >> 1) % 8) {
    case 1: inner = arena_upstream_malloc(); break;
    case 2: inner = arena_upstream_pages(); break;
    default: break;
    }
    upstreams_.push_back(std::make_unique<TrackingUpstream>(faults_, inner));
    TrackingUpstream *upstream = upstreams_.back().get();
    ArenaOptions options;
    if (flags & 1) {
        std::memset(&options, 0, sizeof options); // zeroed fields mean defaults
    } else {
        arena_options_init(&options);
    }
    options.initial_capacity = capacity;
    options.growth_factor = growth;
    options.max_block_size = max_block;
    options.upstream = upstream->get();
    trace("#%zu create root capacity %zu growth %g max %zu upstream %u", index, capacity, growth, max_block,
          (flags >> 1) % 8u);
    size_t refusals = faults_.refusals();
    errno = 0;
    if ((flags >> 1) % 8 == 6) {
        ArenaUpstream broken = *upstream->get();
        broken.allocate = (flags & 0x10) ? nullptr : broken.allocate;
        broken.deallocate = (flags & 0x10) ? broken.deallocate : nullptr;
        options.upstream = &broken;
        // (An impossible capacity may be reported first, as ENOMEM.)
        MODEL_CHECK(arena_create_ex(&options) == nullptr &&
                        (errno == EINVAL || (errno == ENOMEM && capacity > kUpstreamCap)),
                    "an upstream without functions");
        MODEL_CHECK(upstream->live_bytes() == 0, "");
        return;
    }
    Arena *arena = arena_create_ex(&options);
    created(arena, -1, upstream, options_invalid(capacity, growth, max_block), capacity, refusals, 0);
}

void Harness::create_child(Decoder &in, size_t index) {
    Node *parent = pick(in);
    uint8_t variant = in.byte() % 4;
    size_t capacity = in.size();
    double growth = in.growth();
    size_t max_block = in.max_block();
    if (parent == nullptr || nodes_.size() >= kMaxArenas) return;
    trace("#%zu create child of %d variant %u capacity %zu growth %g max %zu", index, parent->id, variant, capacity,
          growth, max_block);
    TrackingUpstream *upstream = parent->upstream;
    if (variant == 2) { // own options and own upstream
        upstreams_.push_back(std::make_unique<TrackingUpstream>(faults_));
        upstream = upstreams_.back().get();
    }
    ArenaOptions options;
    arena_options_init(&options);
    options.initial_capacity = capacity;
    options.growth_factor = growth;
    options.max_block_size = max_block;
    bool invalid = false;
    ArenaStats before = stats_of(parent->arena);
    size_t refusals = faults_.refusals();
    size_t live_before = upstream->live_bytes();
    Arena *arena = nullptr;
    errno = 0;
    switch (variant) {
    case 0: // the seed's shape: inherits growth, cap and upstream
        arena = arena_create_child(parent->arena, capacity);
        break;
    case 1: // own options, the parent's upstream
    case 2:
        if (variant == 2) options.upstream = upstream->get();
        invalid = options_invalid(capacity, growth, max_block);
        arena = arena_create_child_ex(parent->arena, &options);
        break;
    default: // NULL options: defaults, the parent's upstream
        capacity = 0;
        arena = arena_create_child_ex(parent->arena, nullptr);
        break;
    }
    created(arena, parent->id, upstream, invalid, capacity, refusals, live_before);
    expect_unchanged(*parent, before, "creating a child");
}

void Harness::destroy(Node &node, size_t index) {
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
    node.requested += size;
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
        node->requested += new_size;
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
        node->requested -= old.size;
        alignment = old.alignment;
    } else {
        node->count += 1;
    }
    node->requested += new_size;
    record(*node, p, new_size, alignment);
    node->replayable = false;
}

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
    node.requested += sizeof(CleanupRecord);
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
    node.requested += kCleanupNodeBytes;
    node.since_reset.emplace_back(kCleanupNodeBytes, ARENA_DEFAULT_ALIGNMENT);
    node.cleanups += 1;
    registered_ += 1;
}

void Harness::inject(uint8_t mode, size_t index) {
    if (mode < 0x80) {
        faults_.fail_in(mode % 8, false);
    } else if (mode < 0xC0) {
        faults_.fail_in(mode % 8, true);
    } else if (mode < 0xE0) {
        faults_.misalign_next();
    } else {
        faults_.stop();
    }
    trace("#%zu inject countdown %ld%s%s", index, faults_.countdown(), faults_.persistent() ? " persistent" : "",
          faults_.misaligning() ? " misalign" : "");
}

void Harness::bad_input(Decoder &in, size_t index) {
    Node *node = pick(in);
    uint8_t which = in.byte();
    trace("#%zu bad input %u on %d", index, which % 8u, node ? node->id : -1);
    ArenaStats before{};
    if (node) before = stats_of(node->arena);
    auto expect_null = [](void *p, int error, const char *what) { MODEL_CHECK(p == nullptr && errno == error, what); };
    constexpr size_t kMax = std::numeric_limits<size_t>::max();
    size_t k = which >> 3;
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
        MODEL_CHECK(arena_add_cleanup(nullptr, &Harness::on_cleanup, nullptr) == EINVAL, "");
        if (node) MODEL_CHECK(arena_add_cleanup(node->arena, nullptr, nullptr) == EINVAL, "NULL cleanup function");
        break;
    }
    case 2: {
        arena_reset(nullptr);
        arena_reset_retain(nullptr, 0);
        arena_destroy(nullptr);
        arena_options_init(nullptr);
        MODEL_CHECK(arena_get_used_memory(nullptr) == 0 && arena_get_allocation_count(nullptr) == 0, "");
        MODEL_CHECK(arena_check(nullptr) == EINVAL, "");
        ArenaStats s;
        std::memset(&s, 0xAB, sizeof s);
        arena_get_stats(nullptr, &s, ARENA_STATS_INCLUDE_CHILDREN);
        ArenaStats zero{};
        MODEL_CHECK(std::memcmp(&s, &zero, sizeof s) == 0, "stats of NULL are zeros");
        if (node) arena_get_stats(node->arena, nullptr, 0);
        ArenaMark none = arena_mark(nullptr);
        MODEL_CHECK(arena_rewind(nullptr, none) == EINVAL, "");
        if (node) {
            MODEL_CHECK(arena_rewind(node->arena, none) == EINVAL, "the mark of a NULL arena");
            ArenaMark orphan = arena_mark(node->arena); // this arena's state, no arena named
            orphan.arena_ = nullptr;
            MODEL_CHECK(arena_rewind(node->arena, orphan) == EINVAL, "a mark naming no arena");
        }
        break;
    }
    case 3: // sizes whose rounding overflows, alignments that are not powers of two or no block can meet
        if (!node) break;
        // k, 32 + k and 64 - k reach every size from SIZE_MAX - 64 up.
        for (size_t below : {k, 32 + k, 64 - k})
            expect_null(arena_alloc(node->arena, kMax - below), ENOMEM, "overflowing size");
        expect_null(arena_alloc_aligned(node->arena, 16, size_t{1} << 63), ENOMEM, "alignment 2^63");
        expect_null(arena_alloc_aligned(node->arena, kMax / 2, 4096), ENOMEM, "huge aligned size");
        // which is 8k + 3: with +2, +4, +6 every odd number from 3 to 257.
        for (size_t odd : {size_t{which}, which + size_t{2}, which + size_t{4}, which + size_t{6}})
            expect_null(arena_alloc_aligned(node->arena, 16, odd), EINVAL, "an odd alignment");
        expect_null(arena_alloc_aligned(node->arena, 16, 0), EINVAL, "alignment 0");
        break;
    case 4: // realloc to an impossible size keeps the old allocation
        if (!node || node->live.empty()) break;
        {
            const Allocation &a = node->live[which % node->live.size()];
            if (a.fill == 0) break;
            expect_null(arena_realloc(node->arena, a.ptr, a.size, kMax), ENOMEM, "realloc to SIZE_MAX");
            verify(*node, a);
        }
        break;
    default: { // forged marks: each field off in a way the arena can detect
        if (!node) break;
        ArenaMark mark = arena_mark(node->arena);
        static char elsewhere[64];
        switch (which % 8) {
        case 5:
            mark.epoch_ += 1 + k;
            break;
        case 6:
            mark.allocation_count_ += 1;
            break;
        default:
            switch (k % 4) {
            case 0: mark.block_ = elsewhere; break;
            case 1: // past the current cursor (or a cursor where there is no block)
                mark.cursor_ = mark.cursor_ ? mark.cursor_ + 16 * (1 + (which >> 5)) : elsewhere;
                break;
            case 2: mark.dedicated_ = elsewhere; break;
            default: mark.cleanups_ = elsewhere; break;
            }
        }
        size_t from = log_.size();
        MODEL_CHECK(arena_rewind(node->arena, mark) == EINVAL, "a forged mark was accepted");
        MODEL_CHECK(log_.size() == from, "");
    }
    }
    if (node) expect_unchanged(*node, before, "bad input");
}

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
        MODEL_CHECK(all.allocation_count == count && all.requested_bytes == requested && all.committed_bytes == committed,
                    "statistics including children");
    }
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
        node->requested += size;
        node->since_reset.emplace_back(size, alignment);
    }
    MODEL_CHECK(total_upstream_allocations() == upstream_calls, "a warm reset/refill cycle asked upstream for memory");
}

void Harness::finish() {
    faults_.stop();
    verify_all();
    verify_everything(0);
    while (!nodes_.empty()) {
        Node *root = nullptr;
        for (auto &node : nodes_)
            if (node->parent < 0 || find(node->parent) == nullptr) root = node.get();
        MODEL_CHECK(root != nullptr, "");
        destroy(*root, 0);
        check_all();
    }
    for (auto &upstream : upstreams_) MODEL_CHECK(upstream->live_bytes() == 0, "memory left after destroy");
    MODEL_CHECK(log_.size() == registered_, "every cleanup runs exactly once");
}

std::string run(const uint8_t *data, size_t size, const RunOptions &options, RunSummary *summary) {
    Decoder in(data, size);
    try {
        Harness harness(options);
        harness.run(in);
        if (summary) *summary = harness.summary();
    } catch (const Violation &violation) {
        return violation.what;
    }
    return {};
}

} // namespace arena_model
