// test_toolkit.cpp - the measurement toolkit and the objects/checksum layer.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "arena_adapter.h"
#include "ideal_bump_adapter.h"
#include "malloc_adapter.h"
#include "measure.h"
#include "objects.h"
#include "small_fixed.h"

namespace {

TEST(Percentile, NearestRank) {
    std::uint64_t v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    EXPECT_EQ(bench::percentile_sorted(v, 10, 0), 1);
    EXPECT_EQ(bench::percentile_sorted(v, 10, 50), 5);
    EXPECT_EQ(bench::percentile_sorted(v, 10, 90), 9);
    EXPECT_EQ(bench::percentile_sorted(v, 10, 99), 10);
    EXPECT_EQ(bench::percentile_sorted(v, 10, 100), 10);
    EXPECT_EQ(bench::percentile_sorted(v, 0, 50), 0);
}

TEST(Latency, SubtractsTimerOverheadAndClampsAtZero) {
    bench::TscCalibration cal;
    cal.ns_per_tick = 0.5;
    cal.overhead_ticks = 10;
    std::vector<std::uint64_t> ticks;
    for (int i = 0; i < 1000; ++i) ticks.push_back(i < 500 ? 4 : 30);  // half below the overhead
    ticks.back() = 2010;
    bench::LatencySummary s = bench::summarize_latency(ticks.data(), ticks.size(), cal);
    EXPECT_EQ(s.samples, 1000u);
    EXPECT_DOUBLE_EQ(s.p50_ns, 0.0);            // 4 ticks - 10 -> clamped
    EXPECT_DOUBLE_EQ(s.p99_ns, (30 - 10) * 0.5);
    EXPECT_DOUBLE_EQ(s.max_ns, (2010 - 10) * 0.5);
    ASSERT_EQ(s.cdf_percentile.size(), bench::kCdfPoints.size());
    EXPECT_TRUE(std::is_sorted(s.cdf_ns.begin(), s.cdf_ns.end()));
    EXPECT_DOUBLE_EQ(s.cdf_ns.back(), s.max_ns);
}

TEST(Tsc, CalibrationIsPlausible) {
    const bench::TscCalibration& cal = bench::tsc_calibration();
    EXPECT_GT(cal.ns_per_tick, 0.01);  // < 100 GHz
    EXPECT_LT(cal.ns_per_tick, 10.0);  // > 100 MHz
    EXPECT_GT(cal.overhead_ticks, 0.0);
    EXPECT_LT(cal.overhead_ns(), 2000.0);
}

TEST(ProcessMemory, RssAndPeakFollowTouchedPages) {
    ASSERT_GT(bench::rss_bytes(), 0u);
    if (!bench::reset_peak_rss()) GTEST_SKIP() << "/proc/self/clear_refs not writable";
    std::size_t before = bench::rss_bytes();
    std::uint64_t faults = bench::page_faults();
    constexpr std::size_t kBytes = 32 << 20;
    void* p = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(p, MAP_FAILED);
    std::memset(p, 1, kBytes);
    EXPECT_GE(bench::rss_bytes(), before + kBytes / 2);
    EXPECT_GT(bench::page_faults(), faults);
    munmap(p, kBytes);  // the peak survives the unmap
    EXPECT_GE(bench::peak_rss_bytes(), before + kBytes / 2);
}

TEST(Rng, IsDeterministicAndBounded) {
    bench::Rng a(7), b(7);
    for (int i = 0; i < 1000; ++i) {
        std::uint64_t x = a.below(10);
        EXPECT_EQ(x, b.below(10));
        EXPECT_LT(x, 10u);
        double u = a.unit();
        b.unit();
        EXPECT_GT(u, 0.0);
        EXPECT_LE(u, 1.0);
    }
    bench::Rng r(1);
    for (int i = 0; i < 10000; ++i) {
        std::uint32_t s = bench::power_law_size(r, 8, 65536, 0.9);
        EXPECT_GE(s, 8u);
        EXPECT_LE(s, 65536u);
    }
}

TEST(Alignment, RequiredAlignmentFollowsMallocRules) {
    EXPECT_EQ(bench::required_alignment(8, 16), 8u);
    EXPECT_EQ(bench::required_alignment(1, 16), 1u);
    EXPECT_EQ(bench::required_alignment(24, 16), 16u);
    EXPECT_EQ(bench::required_alignment(8, 64), 64u);
    EXPECT_EQ(bench::required_alignment(100, 4096), 4096u);
    EXPECT_EQ(bench::bump_bytes(1, 16), 16u);
    EXPECT_EQ(bench::bump_bytes(17, 64), 32u + 48u);
}

// An allocator that hands out overlapping memory: every object starts 4 bytes
// after the previous one.
struct OverlappingAdapter : competitors::IdealBumpAdapter {
    using IdealBumpAdapter::IdealBumpAdapter;
    void* allocate_pointer_free(std::size_t size, std::size_t align) {
        void* p = IdealBumpAdapter::allocate(size, align);
        IdealBumpAdapter::release();  // rewind: the next object lands on this one
        return static_cast<char*>(p) + (offset_++ % 4) * 4;
    }
    std::size_t offset_ = 0;
};

TEST(Checksum, DetectsOverlappingObjects) {
    bench::SmallFixed w(32, 100);
    OverlappingAdapter a(competitors::AdapterConfig{1 << 20, 0});
    bench::NoProbe probe;
    w.fill(a, probe);
    bench::Verification v = w.verify();
    EXPECT_FALSE(v.ok());
    EXPECT_GT(v.corrupted, 0u);
    EXPECT_GT(v.misaligned, 0u);
}

TEST(Checksum, DependsOnSizesAndSerialsOnly) {
    competitors::IdealBumpAdapter bump(competitors::AdapterConfig{1 << 20, 0});
    competitors::MallocAdapter heap{competitors::AdapterConfig{}};
    bench::SmallFixed w1(48, 500), w2(48, 500), w3(64, 500);
    bench::NoProbe probe;
    w1.fill(bump, probe);
    w2.fill(heap, probe);
    w3.fill(heap, probe);
    bench::Verification v1 = w1.verify(), v2 = w2.verify(), v3 = w3.verify();
    EXPECT_TRUE(v1.ok());
    EXPECT_TRUE(v2.ok());
    EXPECT_EQ(v1.checksum, v2.checksum);
    EXPECT_NE(v1.checksum, v3.checksum);
    EXPECT_LE(v1.checksum, bench::kChecksumMask);
    w2.release(heap, probe);
    w3.release(heap, probe);
}

// A counting adapter: which release path release_all() takes per kind.
template <bool Frees, bool BulkRelease, bool Collected>
struct CountingAdapter : competitors::IdealBumpAdapter {
    static constexpr bool kFrees = Frees;
    static constexpr bool kBulkRelease = BulkRelease;
    static constexpr bool kCollected = Collected;
    using IdealBumpAdapter::IdealBumpAdapter;
    void deallocate(void*, std::size_t, std::size_t) { ++frees; }
    void reset() { ++resets; }
    void release() { ++releases; }
    int frees = 0, resets = 0, releases = 0;
};

struct Counts {
    int frees, resets, releases;
};

template <class C>
Counts released(bool keep) {
    C a(competitors::AdapterConfig{1 << 16, 0});
    bench::ObjectTable t(10);
    for (int i = 0; i < 10; ++i) t.push(a.allocate(16, 16), 16, static_cast<std::uint32_t>(i));
    bench::release_all(a, t, keep, 16);
    EXPECT_EQ(t.size(), 0u);
    return {a.frees, a.resets, a.releases};
}

TEST(ReleaseAll, FollowsTheAllocatorKind) {
    auto manual = released<CountingAdapter<true, false, false>>(true);
    EXPECT_EQ(manual.frees, 10);
    EXPECT_EQ(manual.resets, 1);
    auto heap = released<CountingAdapter<true, true, false>>(false);  // mimalloc_heap
    EXPECT_EQ(heap.frees, 0);
    EXPECT_EQ(heap.releases, 1);
    auto gc = released<CountingAdapter<false, false, true>>(false);
    EXPECT_EQ(gc.frees, 0);
    EXPECT_EQ(gc.releases, 1);
}

TEST(ObjectTable, ClearWithDropErasesReferences) {
    bench::ObjectTable t(4);
    int x;
    t.push(&x, 4, 1);
    t.push(&x, 4, 2);
    t.clear(true);
    EXPECT_EQ(t.size(), 0u);
    EXPECT_EQ(t[0].ptr, nullptr);
    EXPECT_EQ(t[1].ptr, nullptr);
}

TEST(Series, JsonHoldsTimelinesAndCdfs) {
    bench::record_memory_timeline("w/a", {{0, 1, 2}, {5, 10, 20}});
    bench::LatencySummary s;
    s.cdf_percentile = {0, 100};
    s.cdf_ns = {1.5, 7};
    bench::record_latency_cdf("w/a", s);
    std::string json = bench::series_json();
    EXPECT_NE(json.find("\"memory_timeline\""), std::string::npos);
    EXPECT_NE(json.find("\"w/a\": {\"t_ns\": [0,5], \"footprint_bytes\": [1,10], \"rss_bytes\": [2,20]}"),
              std::string::npos) << json;
    EXPECT_NE(json.find("\"percentile\": [0,100], \"ns\": [1.5,7]"), std::string::npos) << json;
    std::string path = testing::TempDir() + "series_test.json";
    ASSERT_TRUE(bench::write_series(path));
    EXPECT_FALSE(bench::write_series("/nonexistent-dir/x/series.json"));
}

TEST(Scale, ParsesOnlyKnownNames) {
    bench::Scale s;
    EXPECT_TRUE(bench::parse_scale("quick", &s));
    EXPECT_EQ(s, bench::Scale::kQuick);
    EXPECT_FALSE(bench::parse_scale("huge", &s));
    EXPECT_FALSE(bench::parse_scale("", &s));
}

}  // namespace
