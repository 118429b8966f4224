// Operations that create and destroy arenas: roots with every kind of
// options and upstream, children in each variant.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

#include "check.h"
#include "harness.h"

namespace arena_model {

namespace {

// Would creating with these options be refused as invalid?
bool options_invalid(size_t capacity, double growth, size_t max_block) {
    size_t effective = capacity == 0 ? ARENA_DEFAULT_CAPACITY : capacity;
    bool bad_growth = growth != 0.0 && !(growth >= 1.0 && growth <= 16.0);
    bool bad_max = max_block != 0 && (max_block < effective || max_block > std::numeric_limits<size_t>::max() / 4);
    return bad_growth || bad_max;
}

} // namespace

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

} // namespace arena_model
