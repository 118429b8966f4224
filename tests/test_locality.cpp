// test_locality.cpp - the locality workload: the same checksum on every
// allocator, exact allocation and live-byte accounting, traverse() visiting
// every node kPasses times, and a corrupted link reported as a failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "arena_adapter.h"
#include "ideal_bump_adapter.h"
#include "locality.h"
#include "malloc_adapter.h"
#include "pmr_monotonic_adapter.h"

namespace {

using bench::Locality;

constexpr std::size_t kSteps = 3000;  // more than kMediumLag: medium-lived objects die during the fill

// Counts allocations and live bytes as the driver's memory probe does.
struct CountingProbe {
    std::size_t allocations = 0, live = 0, peak = 0;
    void before() {}
    void after(std::size_t n) {
        ++allocations;
        live += n;
        peak = std::max(peak, live);
    }
    void freed(std::size_t n) {
        ASSERT_GE(live, n);
        live -= n;
    }
    void released() { live = 0; }
};

struct Result {
    std::uint64_t checksum = 0;
    std::uint64_t visited = 0;
};

// Two fills on one adapter: each verified, then traversed, then released.
template <class A>
Result fill_verify_traverse(Locality& w) {
    A a(bench::config_for<A>(w));
    w.table().attach(a);
    Result r;
    for (int fill = 0; fill < 2; ++fill) {
        CountingProbe probe;
        w.fill(a, probe);
        EXPECT_EQ(a.exhausted_reason(), nullptr) << A::kName;
        EXPECT_EQ(probe.allocations, w.allocs_per_fill()) << A::kName;
        // Every temporary and medium-lived object has died: what is live is
        // exactly what the table lists.
        std::size_t listed = 0;
        for (std::size_t i = 0; i < w.table().size(); ++i) listed += w.table()[i].size;
        EXPECT_EQ(probe.live, listed) << A::kName;
        EXPECT_GT(probe.peak, probe.live) << A::kName;
        bench::Verification v = w.verify();
        EXPECT_TRUE(v.ok()) << A::kName << ": " << v.corrupted << " corrupted, " << v.misaligned << " misaligned";
        int failures = bench::failure_count();
        std::uint64_t visited = w.traverse();  // after the stamps: the links survive them
        EXPECT_EQ(bench::failure_count(), failures) << A::kName;
        if (fill == 0) {
            r = Result{v.checksum, visited};
        } else {
            EXPECT_EQ(v.checksum, r.checksum) << A::kName << ": a second fill differs";
            EXPECT_EQ(visited, r.visited) << A::kName;
        }
        w.release(a, probe);
        EXPECT_EQ(w.traverse(), 0u) << "nothing to walk after the release";
    }
    w.table().detach(a);
    return r;
}

TEST(Locality, SameChecksumOnEveryAllocator) {
    Locality w(kSteps);
    Result on_arena = fill_verify_traverse<competitors::ArenaAdapter>(w);
    Result on_malloc = fill_verify_traverse<competitors::MallocAdapter>(w);
    Result on_bump = fill_verify_traverse<competitors::IdealBumpAdapter>(w);
    Result on_pmr = fill_verify_traverse<competitors::PmrMonotonicAdapter>(w);
    EXPECT_NE(on_arena.checksum, 0u);
    EXPECT_EQ(on_malloc.checksum, on_arena.checksum);
    EXPECT_EQ(on_bump.checksum, on_arena.checksum);
    EXPECT_EQ(on_pmr.checksum, on_arena.checksum);
    // A fresh workload with the same size draws the same: the seed decides.
    Locality again(kSteps);
    EXPECT_EQ(fill_verify_traverse<competitors::MallocAdapter>(again).checksum, on_arena.checksum);
}

TEST(Locality, TraverseVisitsEveryNodeEveryPass) {
    Locality w(kSteps);
    EXPECT_EQ(w.list_nodes(), kSteps);
    EXPECT_EQ(w.tree_nodes(), kSteps / 2);
    EXPECT_EQ(w.nodes_per_traverse(), std::uint64_t{Locality::kPasses} * (kSteps + kSteps / 2));
    EXPECT_EQ(w.allocs_per_fill(), 3 * kSteps + kSteps / 2);
    Result r = fill_verify_traverse<competitors::ArenaAdapter>(w);
    EXPECT_EQ(r.visited, w.nodes_per_traverse());
    // An odd number of steps: the tree gets the odd steps only.
    Locality odd(7);
    EXPECT_EQ(fill_verify_traverse<competitors::MallocAdapter>(odd).visited, std::uint64_t{Locality::kPasses} * (7 + 3));
}

// The capacity hint is what a bump allocator needs: ideal_bump's buffer is
// sized to it and must not run out.
TEST(Locality, CapacityHintHoldsAFill) {
    Locality w(kSteps);
    competitors::IdealBumpAdapter a(bench::config_for<competitors::IdealBumpAdapter>(w));
    bench::NoProbe none;
    w.fill(a, none);
    EXPECT_EQ(a.exhausted_reason(), nullptr);
    EXPECT_TRUE(w.verify().ok());
    w.release(a, none);
}

TEST(Locality, CorruptedLinksAreReported) {
    using competitors::MallocAdapter;
    Locality w(kSteps);
    MallocAdapter a(bench::config_for<MallocAdapter>(w));
    bench::NoProbe none;
    w.fill(a, none);
    ASSERT_TRUE(w.verify().ok());
    const int failures = bench::failure_count();

    // A list link that skips a node.
    Locality::ListNode* first = w.list_head(3);
    Locality::ListNode* second = first->next;
    first->next = second->next;
    EXPECT_LT(w.traverse(), w.nodes_per_traverse());
    EXPECT_EQ(bench::failure_count(), failures + 1);
    first->next = second;
    EXPECT_EQ(w.traverse(), w.nodes_per_traverse());
    EXPECT_EQ(bench::failure_count(), failures + 1);

    // A list that loops back on itself: the walk stops and reports.
    Locality::ListNode* last = w.list_head(5);
    while (last->next != nullptr) last = last->next;
    last->next = w.list_head(5);
    w.traverse();
    EXPECT_EQ(bench::failure_count(), failures + 2);
    last->next = nullptr;

    // Tree children swapped: every node is still there, out of key order.
    Locality::TreeNode* root = w.tree_root();
    std::swap(root->left, root->right);
    EXPECT_EQ(w.traverse(), w.nodes_per_traverse());
    EXPECT_EQ(bench::failure_count(), failures + 3);
    std::swap(root->left, root->right);
    w.traverse();
    EXPECT_EQ(bench::failure_count(), failures + 3);

    w.release(a, none);
}

}  // namespace
