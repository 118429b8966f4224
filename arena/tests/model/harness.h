// The harness: decodes operations, applies each to the arenas and to the
// model, and checks the invariants. The loop is in harness.cpp; the
// operations in arenas.cpp (create, destroy), allocations.cpp (alloc,
// realloc, cleanups, bursts, refills), lifetime.cpp (reset, marks, rewind)
// and bad_input.cpp (faults, bad arguments, forged marks); the checks in
// invariants.cpp.
//
// Checked after every operation:
//   - every live allocation is aligned, inside a live upstream block that is
//     not an Arena struct, disjoint from every other allocation of every
//     arena, and keeps the bytes written into it (every verify_every
//     operations and after each rewind; fully at the end);
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
#ifndef ARENA_TESTS_MODEL_HARNESS_H
#define ARENA_TESTS_MODEL_HARNESS_H

#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "arena_model.h"
#include "encoding.h"
#include "model.h"
#include "upstream.h"

namespace arena_model {

class Harness {
public:
    explicit Harness(const RunOptions &options);
    Harness(const Harness &) = delete;
    Harness &operator=(const Harness &) = delete;
    ~Harness();

    void run(Decoder &in);
    const RunSummary &summary() const { return summary_; }

private:
    // ---- the loop and the operations ----
    void step(unsigned op, Decoder &in, size_t index);
    void create_root(Decoder &in, size_t index);
    void create_child(Decoder &in, size_t index);
    void created(Arena *arena, int parent, TrackingUpstream *upstream, bool invalid, size_t capacity,
                 size_t refusals, size_t live_before);
    void destroy(Node &node, size_t index);
    void allocate(Node &node, size_t size, size_t alignment, size_t index);
    void reallocate(Decoder &in, size_t index);
    void reset(Node &node, bool retain, size_t retain_bytes, size_t index);
    void mark(Node &node, size_t index);
    void rewind(Decoder &in, size_t index);
    void add_cleanup(Node &node, size_t index);
    void inject(uint8_t mode, size_t index);
    void bad_input(Decoder &in, size_t index);
    void burst(Decoder &in, size_t index);
    void replay(Decoder &in, size_t index);
    void finish();

    void trace(const char *format, ...) __attribute__((format(printf, 2, 3)));
    Node *pick(Decoder &in);
    Node *find(int id);
    std::vector<Node *> subtree(Node *root); // parents before children
    bool full(const Node &node) const { return node.live.size() >= kMaxLive; }
    size_t total_upstream_allocations() const;
    void forget_all(Node &node);
    void make_stale(Node &node, const ArenaMark &mark);
    static void on_cleanup(void *data);

    // ---- invariants (invariants.cpp) ----
    void check_all();
    void record(Node &node, void *result, size_t size, size_t alignment);
    void verify(const Node &node, const Allocation &a);
    void verify_all();
    void verify_everything(size_t index);
    void expect_unchanged(const Node &node, const ArenaStats &before, const char *what);
    void expect_cleanups_ran(size_t from, const std::vector<std::pair<Node *, size_t>> &expected);

    RunOptions options_;
    RunSummary summary_;
    FaultInjector faults_; // before the upstreams: it outlives them
    std::vector<std::unique_ptr<TrackingUpstream>> upstreams_;
    std::vector<std::unique_ptr<Node>> nodes_;
    std::set<const void *> structs_;               // live Arena structs
    std::map<unsigned char *, size_t> by_address_; // every live allocation of every arena
    std::vector<std::pair<int, size_t>> log_;      // cleanups run: (arena id, seq)
    size_t registered_ = 0;
    int next_id_ = 0;
    unsigned fills_ = 0;
};

} // namespace arena_model

#endif
