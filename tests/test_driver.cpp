// test_driver.cpp - the driver end to end: registers workloads for a few
// adapters, runs them through Google Benchmark with a capturing reporter and
// checks every row carries every counter with plausible values.
#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "arena_adapter.h"
#include "ideal_bump_adapter.h"
#include "malloc_adapter.h"
#include "pmr_monotonic_adapter.h"
#include "registry.h"

namespace {

// A workload with the optional traverse() hook: a singly linked list through
// its allocations (the link after the stamp's 8 bytes, which verification
// overwrites), walked read-only after each fill.
class ListWalk : public bench::Workload<ListWalk> {
public:
    static constexpr std::string_view kName = "list_walk";
    static constexpr std::size_t kNodeBytes = 32;
    struct Node {
        std::uint64_t stamp;
        Node* next;
        std::uint64_t value;
    };
    static_assert(sizeof(Node) < kNodeBytes, "the last byte is the stamp's");

    explicit ListWalk(std::size_t count) : Workload(count, 0x11577a1c), count_(count) {}
    std::size_t allocs_per_fill() const { return count_; }
    std::size_t capacity_hint() const { return count_ * bench::bump_bytes(kNodeBytes, 16); }
    bool keep_memory() const { return true; }

    template <bench::Adapter A, class P>
    void fill(A& a, P& probe) {
        Node* prev = nullptr;
        for (std::size_t i = 0; i < count_; ++i) {
            auto* n = static_cast<Node*>(bench::timed_allocate<16>(a, probe, kNodeBytes));
            n->next = nullptr;
            n->value = i;
            if (prev != nullptr) prev->next = n;
            if (i == 0) head_ = n;
            prev = n;
            table_.push(n, kNodeBytes, static_cast<std::uint32_t>(i));
        }
    }
    // Nodes visited; checks the values it reads (what a real walk would use).
    std::uint64_t traverse() {
        std::uint64_t nodes = 0, sum = 0;
        for (const Node* n = head_; n != nullptr; n = n->next) {
            sum += n->value;
            ++nodes;
        }
        ++walks;
        if (table_.size() != count_ || nodes != count_ || sum != count_ * (count_ - 1) / 2) ++bad_walks;
        return nodes;
    }

    static inline int walks = 0, bad_walks = 0;

private:
    std::size_t count_;
    Node* head_ = nullptr;
};

const char* const kCounters[] = {
    "ns_per_alloc", "release_ns", "live_peak_bytes", "footprint_peak_bytes", "rss_peak_bytes",
    "overhead_ratio", "fragmentation", "lat_p50_ns", "lat_p99_ns", "lat_p999_ns", "lat_max_ns",
    "page_faults", "gc_count", "gc_pause_total_ns", "gc_pause_max_ns", "retained_after_release_bytes",
    "checksum"};

class Capture : public benchmark::BenchmarkReporter {
public:
    bool ReportContext(const Context&) override { return true; }
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& r : runs) rows[r.benchmark_name()] = r;
    }
    std::map<std::string, Run> rows;
};

class Driver : public testing::Test {
protected:
    static void SetUpTestSuite() {
        bench::set_scale(bench::Scale::kSmoke);
        bench::register_synthetic<competitors::ArenaAdapter>();
        bench::register_synthetic<competitors::IdealBumpAdapter>();
        bench::register_synthetic<competitors::MallocAdapter>();
        bench::register_synthetic<competitors::PmrMonotonicAdapter>();
        bench::register_workload<competitors::ArenaAdapter, ListWalk>(
            "list_walk/arena", [] { return std::make_unique<ListWalk>(1000); });
        bench::register_workload<competitors::MallocAdapter, ListWalk>(
            "list_walk/malloc", [] { return std::make_unique<ListWalk>(1000); });
        char arg0[] = "test_driver";
        char min_time[] = "--benchmark_min_time=0.0001";
        // The synthetic workloads and the traverse hook's test workload.
        char filter[] =
            "--benchmark_filter=^(small_fixed|mixed_sizes|aligned|reset_cycles|churn|large|"
            "capacity_sweep|small_fixed_mt|list_walk)/";
        char* argv[] = {arg0, min_time, filter, nullptr};
        int argc = 3;
        benchmark::Initialize(&argc, argv);
        capture_ = new Capture;
        benchmark::RunSpecifiedBenchmarks(capture_);
    }
    static const benchmark::BenchmarkReporter::Run& row(const std::string& name) {
        auto it = capture_->rows.find(name);
        if (it == capture_->rows.end()) {
            ADD_FAILURE() << "no row " << name;
            static benchmark::BenchmarkReporter::Run empty;
            return empty;
        }
        return it->second;
    }
    static double counter(const std::string& name, const std::string& key) {
        const auto& r = row(name);
        auto it = r.counters.find(key);
        return it == r.counters.end() ? -1.0 : it->second.value;
    }
    static Capture* capture_;
};
Capture* Driver::capture_ = nullptr;

TEST_F(Driver, EveryRowHasEveryCounter) {
    ASSERT_GT(capture_->rows.size(), 60u);
    for (const auto& [name, r] : capture_->rows) {
        EXPECT_FALSE(r.error_occurred) << name << ": " << r.error_message;
        for (const char* key : kCounters) EXPECT_TRUE(r.counters.count(key)) << name << " lacks " << key;
        EXPECT_GT(r.counters.at("ns_per_alloc").value, 0.0) << name;
        EXPECT_GT(r.counters.at("live_peak_bytes").value, 0.0) << name;
        EXPECT_EQ(r.counters.at("gc_count").value, 0.0) << name;
    }
    EXPECT_EQ(bench::failure_count(), 0);
}

TEST_F(Driver, NamesFollowWorkloadAllocatorParams) {
    row("small_fixed/arena/64/manual_time");
    row("capacity_sweep/arena/4096/manual_time");
    row("small_fixed_mt/malloc/64/manual_time/threads:2");
    EXPECT_EQ(capture_->rows.count("capacity_sweep/malloc/4096/manual_time"), 0u);
}

TEST_F(Driver, LivePeakIsExactAndChecksumsAgree) {
    const std::size_t n = bench::SmallFixed::default_count();
    for (const char* a : {"arena", "ideal_bump", "malloc", "pmr_monotonic"}) {
        std::string name = std::string("small_fixed/") + a + "/64/manual_time";
        EXPECT_EQ(counter(name, "live_peak_bytes"), static_cast<double>(n * 64)) << name;
        EXPECT_EQ(counter(name, "allocs"), static_cast<double>(n)) << name;
        EXPECT_EQ(counter(name, "checksum"), counter("small_fixed/arena/64/manual_time", "checksum")) << name;
        EXPECT_EQ(counter(std::string("churn/") + a + "/manual_time", "checksum"),
                  counter("churn/arena/manual_time", "checksum"));
    }
    // Two threads: twice the live bytes, the same checksum as one.
    EXPECT_EQ(counter("small_fixed_mt/arena/64/manual_time/threads:2", "live_peak_bytes"),
              2 * counter("small_fixed_mt/arena/64/manual_time/threads:1", "live_peak_bytes"));
    EXPECT_EQ(counter("small_fixed_mt/arena/64/manual_time/threads:2", "checksum"),
              counter("small_fixed/arena/64/manual_time", "checksum"));
}

TEST_F(Driver, MemoryFiguresAreConsistent) {
    for (const auto& [name, r] : capture_->rows) {
        double live = r.counters.at("live_peak_bytes").value;
        double fp = r.counters.at("footprint_peak_bytes").value;
        double ratio = r.counters.at("overhead_ratio").value;
        double frag = r.counters.at("fragmentation").value;
        EXPECT_NEAR(ratio, fp / live, 1e-9 * ratio + 1e-12) << name;
        EXPECT_GE(frag, 0.0) << name;
        EXPECT_LE(frag, 1.0) << name;
    }
    // Instance-level footprints are exact: a bump buffer sized to the data.
    EXPECT_GE(counter("small_fixed/ideal_bump/64/manual_time", "footprint_peak_bytes"),
              counter("small_fixed/ideal_bump/64/manual_time", "live_peak_bytes"));
    // The arena cannot free: churn's footprint exceeds its live peak by far.
    EXPECT_GT(counter("churn/arena/manual_time", "overhead_ratio"), 3.0);
    // release(): the re-created arena holds just its first block.
    EXPECT_LE(counter("churn/arena/manual_time", "retained_after_release_bytes"), 8192.0);
    // pmr_monotonic's release() gives every block back.
    EXPECT_EQ(counter("churn/pmr_monotonic/manual_time", "retained_after_release_bytes"), 0.0);
}

TEST_F(Driver, ResetCyclesCountUpstreamAllocations) {
    EXPECT_EQ(counter("reset_cycles/arena/manual_time", "sys_allocs_per_cycle"), 0.0);
    EXPECT_EQ(counter("reset_cycles/ideal_bump/manual_time", "sys_allocs_per_cycle"), 0.0);
    EXPECT_GT(counter("reset_cycles/pmr_monotonic/manual_time", "sys_allocs_per_cycle"), 0.0);
    EXPECT_EQ(counter("reset_cycles/malloc/manual_time", "sys_allocs_per_cycle"), -1.0);  // not measured
}

TEST_F(Driver, CapacitySweepReportsBlocks) {
    EXPECT_GT(counter("capacity_sweep/arena/4096/manual_time", "blocks"),
              counter("capacity_sweep/arena/67108864/manual_time", "blocks"));
    EXPECT_EQ(counter("capacity_sweep/arena/67108864/manual_time", "blocks"), 1.0);
    EXPECT_EQ(counter("capacity_sweep/arena/65536/manual_time", "initial_capacity"), 65536.0);
    EXPECT_GE(counter("capacity_sweep/arena/67108864/manual_time", "waste_bytes"), 60e6);
}

TEST_F(Driver, TraverseIsTimedOnItsOwnAfterEveryFill) {
    for (const char* name : {"list_walk/arena/manual_time", "list_walk/malloc/manual_time"}) {
        const auto& r = row(name);
        EXPECT_FALSE(r.error_occurred) << name;
        EXPECT_GT(counter(name, "traverse_ns_per_node"), 0.0) << name;
        EXPECT_EQ(counter(name, "allocs"), 1000.0) << name;
    }
    // Every walk saw the whole list the last fill built (after verification,
    // before the release), in every iteration.
    EXPECT_GE(ListWalk::walks, static_cast<int>(row("list_walk/arena/manual_time").iterations));
    EXPECT_EQ(ListWalk::bad_walks, 0);
    // Workloads without the hook have no traversal counter.
    EXPECT_EQ(counter("small_fixed/arena/64/manual_time", "traverse_ns_per_node"), -1.0);
    EXPECT_EQ(counter("churn/malloc/manual_time", "traverse_ns_per_node"), -1.0);
}

TEST_F(Driver, SeriesAreRecorded) {
    std::string json = bench::series_json();
    EXPECT_NE(json.find("\"reset_cycles/arena\": {\"t_ns\""), std::string::npos);
    EXPECT_NE(json.find("\"small_fixed/malloc/64\": {\"percentile\""), std::string::npos);
    EXPECT_NE(json.find("\"small_fixed_mt/arena/64/threads:2\": {\"percentile\""), std::string::npos);
}

}  // namespace
