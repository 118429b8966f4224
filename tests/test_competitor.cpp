// test_competitor.cpp - the adapter contract, tested for one allocator per
// executable (ARENA_TEST_ADAPTER_HEADER / _CLASS, set by CMake), because
// jemalloc and tcmalloc replace malloc in the whole process that links them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include ARENA_TEST_ADAPTER_HEADER
#include "aligned.h"
#include "churn.h"
#include "ideal_bump_adapter.h"
#include "large.h"
#include "malloc_adapter.h"
#include "mixed_sizes.h"
#include "reset_cycles.h"
#include "small_fixed.h"

using A = competitors::ARENA_TEST_ADAPTER_CLASS;
using competitors::AdapterConfig;
using competitors::FootprintScope;

static_assert(competitors::Adapter<A>, "the adapter must satisfy the interface");

namespace {

AdapterConfig config(std::size_t hint = 64 << 20) {
    AdapterConfig c;
    c.capacity_hint = hint;
    return c;
}

template <class B>
std::size_t in_use_or_zero(const B& b) {
    if constexpr (requires { b.in_use_bytes(); }) {
        return b.in_use_bytes();
    } else {
        return 0;
    }
}

TEST(Competitor, IsLiveInThisProcess) {
    std::string why;
    EXPECT_TRUE(A::verify_live(&why)) << why;
}

// jemalloc/tcmalloc must really replace malloc: glibc's own statistics must
// not see a malloc() in their processes; in every other process they must.
TEST(Competitor, GlibcServesMallocOnlyWithoutInterposition) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "ASan's allocator serves malloc in sanitizer builds";
#endif
    std::string why;
    bool glibc = competitors::MallocAdapter::verify_live(&why);
    if (A::kName == "jemalloc" || A::kName == "tcmalloc") {
        EXPECT_FALSE(glibc) << "glibc malloc still answers malloc(): " << A::kName << " is not interposed";
    } else {
        EXPECT_TRUE(glibc) << why;
    }
}

TEST(Competitor, AllocationsAreAlignedDistinctAndWritable) {
    A a(config());
    std::vector<std::pair<unsigned char*, std::size_t>> blocks;
    for (std::size_t align : {16u, 32u, 64u, 4096u}) {
        for (std::size_t size : {1u, 8u, 16u, 24u, 100u, 1000u, 5000u}) {
            auto* p = static_cast<unsigned char*>(a.allocate(size, align));
            ASSERT_NE(p, nullptr);
            EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % bench::required_alignment(size, align), 0u)
                << "size " << size << " align " << align;
            std::memset(p, static_cast<int>(blocks.size() & 0xff), size);
            blocks.emplace_back(p, size);
        }
    }
    // Every block still holds its own pattern: no two overlap.
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        auto [p, size] = blocks[i];
        for (std::size_t k = 0; k < size; ++k) ASSERT_EQ(p[k], i & 0xff) << "block " << i << " overwritten";
    }
    for (auto [p, size] : blocks) a.deallocate(p, size, 16);
    a.release();
}

TEST(Competitor, PointerFreeAllocationsWork) {
    A a(config());
    auto* p = static_cast<char*>(a.allocate_pointer_free(48, 16));
    std::memset(p, 7, 48);
    EXPECT_EQ(p[47], 7);
    a.deallocate(p, 48, 16);
}

TEST(Competitor, FootprintCoversLiveData) {
#if defined(__SANITIZE_ADDRESS__)
    if (A::kName == "malloc") GTEST_SKIP() << "ASan's allocator, not glibc's, serves malloc here";
#endif
    A a(config());
    std::size_t before = in_use_or_zero(a);
    constexpr std::size_t kCount = 4096, kSize = 256;  // 1 MiB live
    bench::ObjectTable t(kCount);  // a root for a collector
    t.attach(a);
    for (std::size_t i = 0; i < kCount; ++i) {
        void* p = a.allocate_pointer_free(kSize, 16);
        std::memset(p, 1, kSize);
        t.push(p, kSize, static_cast<std::uint32_t>(i));
    }
    std::size_t held = a.footprint_bytes();
    EXPECT_GE(held, before + kCount * kSize * 9 / 10) << "footprint does not see 1 MiB of live data";
    bench::release_all(a, t, false, 16);
    t.detach(a);
}

TEST(Competitor, ReleaseGivesMemoryBackOrKeepsItForReuse) {
    A a(config(8 << 20));
    bench::ObjectTable t(10000);
    t.attach(a);
    for (std::uint32_t i = 0; i < 10000; ++i) t.push(a.allocate_pointer_free(512, 16), 512, i);
    std::size_t full = a.footprint_bytes();
    bench::release_all(a, t, false, 16);
    t.detach(a);
    std::size_t after = a.footprint_bytes();
    if constexpr (A::kName == "arena" || A::kName == "mimalloc_heap" || A::kName == "pmr_monotonic" ||
                  A::kName == "llvm_bump" || A::kName == "protobuf_arena" || A::kName == "foonathan_stack" ||
                  A::kName == "obstack" || A::kName == "apr_pool" || A::kName == "talloc_pool" ||
                  A::kName == "jemalloc_arena") {
        EXPECT_LT(after, full / 4) << "release() must give the blocks back";
    } else {
        EXPECT_LE(after, std::max(full, after));  // process-wide: nothing to promise
    }
}

template <class W>
std::uint64_t checksum_with_ideal_bump(W& w) {
    competitors::IdealBumpAdapter ref(config(w.capacity_hint() + (1 << 20)));
    bench::NoProbe probe;
    w.fill(ref, probe);
    bench::Verification v = w.verify();
    EXPECT_TRUE(v.ok());
    w.release(ref, probe);
    return v.checksum;
}

// Every workload yields the checksum the trivial reference allocator yields,
// fill after fill, and verification finds no corrupted or misaligned object.
template <class W>
void expect_same_checksum(W& w, int fills = 3) {
    std::uint64_t reference = checksum_with_ideal_bump(w);
    A a(bench::config_for<A>(w));
    w.table().attach(a);
    bench::NoProbe probe;
    for (int f = 0; f < fills; ++f) {
        w.fill(a, probe);
        bench::Verification v = w.verify();
        EXPECT_EQ(v.corrupted, 0u) << W::kName;
        EXPECT_EQ(v.misaligned, 0u) << W::kName;
        EXPECT_EQ(v.checksum, v.expected) << W::kName;
        EXPECT_EQ(v.checksum, reference) << W::kName << " fill " << f;
        if constexpr (A::kCollected) A::gc_stats();  // collections may run in between
        w.release(a, probe);
    }
    w.table().detach(a);
}

TEST(Competitor, WorkloadChecksumsMatchTheReference) {
    bench::set_scale(bench::Scale::kSmoke);
    for (std::size_t size : {8u, 16u, 64u, 256u}) {
        bench::SmallFixed w(size, 3000);
        expect_same_checksum(w);
    }
    bench::MixedSizes mixed(2000);
    expect_same_checksum(mixed);
    for (std::size_t align : {16u, 32u, 64u, 4096u}) {
        bench::Aligned w(align, 300);
        expect_same_checksum(w);
    }
    bench::ResetCycles cycles(1000);
    expect_same_checksum(cycles, 5);
    bench::Churn churn(300, 3000);
    expect_same_checksum(churn);
    bench::Large large(2);
    expect_same_checksum(large, 2);
}

// A collector must keep objects listed in a registered table alive through
// a collection, count the collection, and reclaim them once dropped.
template <class B>
void collector_keeps_roots_and_reclaims_garbage() {
    B a(config());
    constexpr std::size_t kCount = 20000, kSize = 64;
    bench::ObjectTable t(kCount);
    t.attach(a);
    for (std::size_t i = 0; i < kCount; ++i) t.push(a.allocate_pointer_free(kSize, 16), kSize, static_cast<std::uint32_t>(i));
    ASSERT_TRUE(bench::stamp_and_verify(t, 42, 16).ok());
    competitors::GcStats g0 = B::gc_stats();
    a.release();  // a full collection: the table is a root
    competitors::GcStats g1 = B::gc_stats();
    EXPECT_GT(g1.collections, g0.collections);
    EXPECT_GT(g1.pause_total_ns, g0.pause_total_ns);
    EXPECT_GT(g1.pause_max_ns, 0u);
    std::size_t live = a.in_use_bytes();
    ASSERT_TRUE(bench::stamp_and_verify(t, 43, 16).ok()) << "the collector freed reachable objects";
    t.clear(true);  // drop every reference
    a.release();
    EXPECT_LT(a.in_use_bytes() + kCount * kSize / 2, live) << "dropped objects were not reclaimed";
    t.detach(a);
}

TEST(Competitor, CollectorKeepsRootsAndReclaimsGarbage) {
    if constexpr (A::kCollected) {
        collector_keeps_roots_and_reclaims_garbage<A>();
    } else {
        GTEST_SKIP() << A::kName << " is not a collector";
    }
}

// An adapter whose library's reset gives blocks back to upstream (LLVM's
// Reset() keeps only the first slab, protobuf's Arena::Reset() frees every
// block) says so with kResetFreesBlocks: it cannot keep a warm cycle off
// upstream, and the test checks that it does go there.
template <class B>
constexpr bool reset_frees_blocks() {
    if constexpr (requires { B::kResetFreesBlocks; }) {
        return B::kResetFreesBlocks;
    } else {
        return false;
    }
}

// Upstream allocations: counted where the adapter can count them, and none in
// a warm reset cycle for allocators that keep their blocks.
TEST(Competitor, WarmResetCyclesNeedNoUpstreamAllocations) {
    if (!A(config()).upstream_allocations()) GTEST_SKIP() << A::kName << " cannot count them";
    bench::ResetCycles w(2000);
    A a(bench::config_for<A>(w));
    w.table().attach(a);
    bench::NoProbe probe;
    for (int i = 0; i < 2; ++i) {
        w.fill(a, probe);
        w.release(a, probe);
    }
    std::size_t before = *a.upstream_allocations();
    for (int i = 0; i < 3; ++i) {
        w.fill(a, probe);
        w.release(a, probe);
    }
    std::size_t after = *a.upstream_allocations();
    if (A::kName == "pmr_monotonic") {
        EXPECT_GT(after, before) << "monotonic_buffer_resource::release() gives its blocks back";
    } else if (reset_frees_blocks<A>()) {
        EXPECT_GT(after, before) << A::kName << "'s reset gives its blocks back";
    } else {
        EXPECT_EQ(after, before);
    }
    w.table().detach(a);
}

}  // namespace

int main(int argc, char** argv) {
    A::process_init();
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
