// The harness's loop: decode an operation, apply it, check the invariants;
// and the end of a run (everything destroyed, nothing left upstream).
#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <string>

#include "check.h"
#include "harness.h"

namespace arena_model {

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
