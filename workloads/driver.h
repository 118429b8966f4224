// driver.h - runs one workload on one adapter inside a Google Benchmark and
// sets every counter. A workload type W (see workload.h) only says how to
// fill, verify and release; the driver does the measuring, in three passes:
//
// 1. Memory pass (once per benchmark per process, on its first run): a fresh
//    adapter runs options().memory_fills fills, each followed by verification
//    (which stamps every object, so its pages are touched) and the release.
//    It yields live_peak_bytes, footprint_peak_bytes (allocator introspection,
//    sampled about 200 times per pass and after every fill and release),
//    rss_peak_bytes (VmHWM after clearing it via /proc/self/clear_refs, minus
//    the RSS before the adapter was created), fragmentation,
//    destroy_ns (time of the final release(): arena_destroy, GC_gcollect...,
//    after the objects were released) and retained_after_release_bytes
//    (footprint after that release()); for process-wide allocators also
//    in_use_after_release_bytes (bytes still allocated then: for a collector,
//    what it could not reclaim; 0 for per-instance allocators, whose
//    release() frees every object by construction). For
//    process-wide allocators the bytes in use before the adapter was created
//    (the harness' own) are subtracted. scripts/bench runs every benchmark in its own process, so
//    this pass sees a pristine heap; its values repeat on every repetition.
// 2. Throughput loop (the Google Benchmark iterations): warm-up fills, then per
//    iteration fill (timed -> manual time, ns_per_alloc), verify (untimed,
//    checksum; the first iteration and every kVerifyEvery-th), release (timed
//    separately -> release_ns). page_faults counts the faults taken during
//    fill and release (not verification), per iteration; the collector's
//    counters are taken around the whole loop, per iteration.
// 3. Latency pass: further fills where each allocation is timed on its own
//    with the TSC (tsc_begin/tsc_end); the median cost of an empty timed
//    region is subtracted from every sample. Up to kLatencySamples samples.
//
// A workload with the optional traverse() (workload.h) is also traversed in
// every iteration of the throughput loop, after verification and before the
// release, timed on its own (not part of the fill time) -> traverse_ns_per_node.
//
// Multi-threaded benchmarks run all three passes in every thread, each thread
// with its own workload and adapter; thread 0 sets the counters (times and
// latencies averaged over threads, bytes summed for per-instance allocators,
// process-wide figures read once).
//
// Counts mode (--counts, counts.h; run_counts below) replaces the three
// passes: one adapter, the warm-up fills uncounted as in the throughput loop,
// then one counted fill, the verification (uncounted), one counted traverse
// and one counted release, under valgrind's callgrind. Multi-threaded
// benchmarks are not registered in counts mode: valgrind runs one thread at a
// time, so there is no contention to count, and the simulated caches (shared
// by the threads) would depend on valgrind's thread schedule.
#ifndef WORKLOADS_DRIVER_H
#define WORKLOADS_DRIVER_H

#include <benchmark/benchmark.h>

#include <algorithm>
#include <barrier>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "counts.h"
#include "measure.h"
#include "objects.h"

namespace bench {

using competitors::AdapterConfig;
using competitors::FootprintScope;
using competitors::GcStats;

using Extras = std::vector<std::pair<std::string, double>>;

// The counters of an adapter that reports its blocks (extra_counters of the
// workloads that show them).
inline void add_block_counters(const competitors::BlockStats& s, Extras& out) {
    out.emplace_back("blocks", static_cast<double>(s.blocks));
    out.emplace_back("committed_bytes", static_cast<double>(s.committed_bytes));
    out.emplace_back("waste_bytes", static_cast<double>(s.committed_bytes - s.requested_bytes));
    out.emplace_back("suggested_capacity_bytes", static_cast<double>(s.suggested_initial_capacity));
}

// ---- probes: what happens around each allocation in each pass -------------------

struct NoProbe {
    void before() {}
    void after(std::size_t) {}
    void freed(std::size_t) {}
    void released() {}
};

// Counts mode's probe: does nothing, like NoProbe, but is another type, so a
// workload that times its own fills when given NoProbe (realistic.h) runs no
// timer inside a counted fill.
struct CountsProbe : NoProbe {};

class LatencyProbe {
public:
    explicit LatencyProbe(std::size_t capacity) : ticks_(capacity) {}
    void before() { start_ = tsc_begin(); }
    void after(std::size_t) {
        std::uint64_t end = tsc_end();
        if (count_ < ticks_.capacity()) ticks_[count_++] = end - start_;
    }
    void freed(std::size_t) {}
    void released() {}
    bool full() const { return count_ >= ticks_.capacity(); }
    LatencySummary summarize() { return summarize_latency(ticks_.data(), count_, tsc_calibration()); }

private:
    MappedArray<std::uint64_t> ticks_;
    std::size_t count_ = 0;
    std::uint64_t start_ = 0;
};

template <Adapter A>
class MemoryProbe {
public:
    MemoryProbe(const A& a, std::size_t baseline, std::size_t rss0, std::size_t stride,
                std::vector<TimelinePoint>* timeline)
        : a_(a), baseline_(baseline), rss0_(rss0), stride_(stride), timeline_(timeline), t0_(now_ns()) {}
    void before() {}
    void after(std::size_t bytes) {
        live_ += bytes;
        live_peak_ = std::max(live_peak_, live_);
        if (++count_ % stride_ == 0) sample();
    }
    void freed(std::size_t bytes) { live_ -= bytes; }
    void released() { live_ = 0; }

    std::size_t footprint() const {
        std::size_t f = a_.footprint_bytes();
        return f > baseline_ ? f - baseline_ : 0;
    }
    // Footprint and RSS now. At equal footprints the sample with more live
    // bytes defines the peak (a pre-sized block is the peak from the start).
    void sample() {
        std::size_t fp = footprint();
        if (fp > footprint_peak_ || (fp == footprint_peak_ && live_ > live_at_footprint_peak_)) {
            footprint_peak_ = fp;
            live_at_footprint_peak_ = live_;
        }
        std::size_t rss = rss_bytes();
        std::size_t rss_delta = rss > rss0_ ? rss - rss0_ : 0;
        rss_peak_ = std::max(rss_peak_, rss_delta);
        if (timeline_ != nullptr) timeline_->push_back({now_ns() - t0_, fp, rss_delta});
    }
    // Highest RSS above the pass' start seen by sample() (VmHWM may miss
    // peaks that were given back with madvise; the driver takes the max).
    std::size_t rss_peak() const { return rss_peak_; }
    std::size_t live_peak() const { return live_peak_; }
    std::size_t footprint_peak() const { return footprint_peak_; }
    std::size_t live_at_footprint_peak() const { return live_at_footprint_peak_; }

private:
    const A& a_;
    std::size_t baseline_, rss0_, stride_;
    std::vector<TimelinePoint>* timeline_;
    std::uint64_t t0_;
    std::size_t live_ = 0, live_peak_ = 0, count_ = 0;
    std::size_t footprint_peak_ = 0, live_at_footprint_peak_ = 0, rss_peak_ = 0;
};

// ---- per-benchmark state shared by runs and threads -----------------------------

struct MemoryFigures {
    double live_peak = 0, footprint_peak = 0, live_at_footprint_peak = 0, rss_peak = 0, retained = 0;
    double destroy_ns = 0;
    double in_use_after_release = 0;
    Extras extras;
};

struct ThreadFigures {
    double alloc_ns = 0, release_ns = 0;
    double traverse_ns = 0;
    std::uint64_t traverse_nodes = 0;
    std::uint64_t iterations = 0, allocs_per_fill = 0;
    std::optional<std::size_t> upstream_delta;
    LatencySummary latency;
    Verification verification;
    MemoryFigures memory;
};

struct Shared {
    Shared(std::string run_name_, int threads)
        : run_name(std::move(run_name_)), barrier(threads), figures(static_cast<std::size_t>(threads)) {}
    std::string run_name;  // name without "/manual_time", as in results.json
    std::barrier<> barrier;
    std::vector<ThreadFigures> figures;
    bool memory_done = false;
    MemoryFigures memory;
    // Process-wide readings taken by thread 0.
    std::size_t rss0 = 0;
    bool rss_ok = false;
};

constexpr std::size_t kTimelineSamples = 200;
// The throughput loop verifies the first iteration of every run and every
// kVerifyEvery-th after it (fills are deterministic; the memory pass and the
// warm-up fills verify every fill).
constexpr std::uint64_t kVerifyEvery = 8;

inline std::size_t latency_samples() { return pick<std::size_t>(2000, 20000, 100000); }

// ---- the three passes -------------------------------------------------------------

template <Adapter A, class W>
AdapterConfig config_for(const W& w) {
    AdapterConfig c;
    c.capacity_hint = w.capacity_hint();
    c.initial_capacity = w.initial_capacity();
    return c;
}

template <Adapter A, class W>
bool check_fill(A& a, const W& w, const std::string& run_name) {
    if (const char* why = a.exhausted_reason()) {
        report_failure(run_name + ": " + std::string(A::kName) + " " + why + " (capacity_hint " +
                       std::to_string(w.capacity_hint()) + " too small)");
        return false;
    }
    return true;
}

template <Adapter A, class W>
bool check_verification(const Verification& v, const std::string& run_name) {
    if (v.ok()) return true;
    report_failure(run_name + ": checksum mismatch (" + std::to_string(v.corrupted) + " corrupted, " +
                   std::to_string(v.misaligned) + " misaligned objects; checksum " +
                   std::to_string(v.checksum) + " expected " + std::to_string(v.expected) + ")");
    return false;
}

template <Adapter A, class W>
void memory_pass(W& w, Shared& shared, int tid, MemoryFigures* out) {
    const bool timeline_wanted = tid == 0 && w.options().timeline;
    std::vector<TimelinePoint> timeline;
    if (timeline_wanted) timeline.reserve(kTimelineSamples * 2 + 4 * w.options().memory_fills + 8);
    if (tid == 0) {
        shared.rss_ok = reset_peak_rss();
        shared.rss0 = rss_bytes();
    }
    shared.barrier.arrive_and_wait();
    {
        A a(config_for<A>(w));
        w.table().attach(a);
        std::size_t baseline = 0;  // the harness' own bytes, for process-wide allocators
        if constexpr (A::kScope == FootprintScope::kProcess) baseline = a.in_use_bytes();
        shared.barrier.arrive_and_wait();
        int fills = w.options().memory_fills;
        std::size_t stride = std::max<std::size_t>(1, fills * w.allocs_per_fill() / kTimelineSamples);
        MemoryProbe<A> probe(a, baseline, shared.rss0, stride, timeline_wanted ? &timeline : nullptr);
        probe.sample();
        for (int f = 0; f < fills; ++f) {
            w.fill(a, probe);
            if (!check_fill(a, w, shared.run_name)) break;
            check_verification<A, W>(w.verify(), shared.run_name);
            probe.sample();
            if (f == 0) {
                if constexpr (requires { w.extra_counters(a, out->extras); }) w.extra_counters(a, out->extras);
            }
            w.release(a, probe);
            probe.sample();
        }
        shared.barrier.arrive_and_wait();
        if (tid == 0) {
            std::size_t hwm = shared.rss_ok ? peak_rss_bytes() : 0;
            std::size_t peak = std::max(hwm > shared.rss0 ? hwm - shared.rss0 : 0, probe.rss_peak());
            out->rss_peak = static_cast<double>(peak);
        }
        std::uint64_t d0 = now_ns();
        a.release();
        out->destroy_ns = static_cast<double>(now_ns() - d0);
        out->live_peak = static_cast<double>(probe.live_peak());
        out->footprint_peak = static_cast<double>(probe.footprint_peak());
        out->live_at_footprint_peak = static_cast<double>(probe.live_at_footprint_peak());
        out->retained = static_cast<double>(probe.footprint());
        if constexpr (A::kScope == FootprintScope::kProcess) {
            std::size_t in_use = a.in_use_bytes();
            out->in_use_after_release = static_cast<double>(in_use > baseline ? in_use - baseline : 0);
        }
        if (timeline_wanted) {
            probe.sample();
            record_memory_timeline(shared.run_name, timeline);
        }
        w.table().detach(a);
    }
}

// Thread 0 combines the threads' memory figures.
template <Adapter A>
MemoryFigures combine_memory(const Shared& shared) {
    MemoryFigures m;
    for (std::size_t i = 0; i < shared.figures.size(); ++i) {
        const MemoryFigures& t = shared.figures[i].memory;
        m.live_peak += t.live_peak;
        m.destroy_ns = std::max(m.destroy_ns, t.destroy_ns);
        m.in_use_after_release = std::max(m.in_use_after_release, t.in_use_after_release);
        m.live_at_footprint_peak += t.live_at_footprint_peak;
        if constexpr (A::kScope == FootprintScope::kInstance) {
            m.footprint_peak += t.footprint_peak;
            m.retained += t.retained;
        } else {  // every thread saw the same process-wide figure
            m.footprint_peak = std::max(m.footprint_peak, t.footprint_peak);
            m.retained = std::max(m.retained, t.retained);
        }
    }
    m.rss_peak = shared.figures[0].memory.rss_peak;
    m.extras = shared.figures[0].memory.extras;
    return m;
}

// Counts mode (counts.h): one adapter; the warm-up fills, each verified and
// released, uncounted as in the throughput loop; then the one iteration of
// the Google Benchmark loop: a counted fill (n = allocations), the
// verification (uncounted: checksum), a counted traverse() when the workload
// has one (n = nodes visited) and a counted release (n = the fill's
// allocations, so instructions_per_alloc + instructions_per_release is one
// object's lifetime). Counters: checksum, allocs, the workload's identity
// counters (extra_counters after the first fill, as the memory pass takes
// them; loop counters without times) and its label. The counts themselves are
// callgrind's dump parts, which scripts/bench merges into the row.
template <Adapter A, class W>
void run_counts(benchmark::State& state, W& w, const std::string& run_name) {
    if (state.threads() > 1) {  // never registered (see register_workload)
        state.SkipWithError("multi-threaded benchmarks are not measured in counts mode");
        return;
    }
    bool ok = true;
    Verification verification;
    Extras extras;
    counts::begin();
    {
        A a(config_for<A>(w));
        w.table().attach(a);
        CountsProbe none;
        bool extras_taken = false;
        auto after_fill = [&](const Verification& v) {
            ok = check_fill(a, w, run_name) && check_verification<A, W>(v, run_name) && ok;
            if (!extras_taken) {
                if constexpr (requires { w.extra_counters(a, extras); }) w.extra_counters(a, extras);
                extras_taken = true;
            }
        };
        for (int i = 0; i < w.options().warmup_fills && ok; ++i) {
            w.fill(a, none);
            after_fill(w.verify());
            w.release(a, none);
        }
        const std::uint64_t allocs = w.allocs_per_fill();
        for (auto _ : state) {
            counts::measure("", "alloc", [&] {
                w.fill(a, none);
                return allocs;
            });
            verification = w.verify();
            after_fill(verification);
            if constexpr (requires { w.traverse(); }) counts::measure("traverse_", "node", [&] { return w.traverse(); });
            counts::measure("", "release", [&] {
                w.release(a, none);
                return allocs;
            });
            state.SetIterationTime(0);  // nothing is timed in counts mode
        }
        counts::end();
        w.table().detach(a);
    }
    if (!ok) state.SkipWithError("checksum verification failed (see stderr)");
    Extras loop_extras;
    if constexpr (requires { w.loop_counters(loop_extras); }) w.loop_counters(loop_extras);
    auto& c = state.counters;
    c["checksum"] = static_cast<double>(verification.checksum);
    c["allocs"] = static_cast<double>(w.allocs_per_fill());
    for (const auto& [key, value] : extras) c[key] = value;
    for (const auto& [key, value] : loop_extras) {
        if (!key.ends_with("_ns")) c[key] = value;  // times under valgrind mean nothing
    }
    if constexpr (requires { w.label(); }) state.SetLabel(w.label());
}

template <Adapter A, class W>
void run_benchmark(benchmark::State& state, Shared& shared, const std::function<std::unique_ptr<W>()>& make) {
    const int tid = state.thread_index();
    if (tid != 0) A::thread_enter();
    std::unique_ptr<W> wp = make();
    W& w = *wp;
    ThreadFigures& mine = shared.figures[static_cast<std::size_t>(tid)];
    mine = ThreadFigures{};
    mine.allocs_per_fill = w.allocs_per_fill();
    if (counts::enabled()) {
        run_counts<A>(state, w, shared.run_name);
        return;
    }

    // 1. memory pass (first run of this benchmark in the process).
    const bool do_memory = !shared.memory_done;  // read by all threads before thread 0 sets it
    shared.barrier.arrive_and_wait();
    if (do_memory) {
        memory_pass<A>(w, shared, tid, &mine.memory);
        shared.barrier.arrive_and_wait();
        if (tid == 0) {
            shared.memory = combine_memory<A>(shared);
            shared.memory_done = true;
        }
    }

    // 2. throughput loop.
    A a(config_for<A>(w));
    w.table().attach(a);
    NoProbe none;
    bool ok = true;
    for (int i = 0; i < w.options().warmup_fills && ok; ++i) {
        w.fill(a, none);
        ok = check_fill(a, w, shared.run_name) && check_verification<A, W>(w.verify(), shared.run_name);
        w.release(a, none);
    }
    std::uint64_t faults = 0;  // in fill and release only (thread 0: process-wide)
    GcStats gc0;
    if (tid == 0) {
        A::gc_reset_max();
        gc0 = A::gc_stats();
    }
    std::optional<std::size_t> up0 = a.upstream_allocations();
    for (auto _ : state) {
        std::uint64_t f0 = tid == 0 ? page_faults() : 0;
        std::uint64_t t0 = now_ns();
        w.fill(a, none);
        std::uint64_t t1 = now_ns();
        std::uint64_t f1 = tid == 0 ? page_faults() : 0;
        if (ok && mine.iterations % kVerifyEvery == 0) {
            mine.verification = w.verify();
            ok = check_fill(a, w, shared.run_name) && check_verification<A, W>(mine.verification, shared.run_name);
        }
        if constexpr (requires { w.traverse(); }) {
            std::uint64_t r0 = now_ns();
            mine.traverse_nodes += w.traverse();
            mine.traverse_ns += static_cast<double>(now_ns() - r0);
        }
        std::uint64_t f2 = tid == 0 ? page_faults() : 0;
        std::uint64_t t2 = now_ns();
        w.release(a, none);
        std::uint64_t t3 = now_ns();
        if (tid == 0) faults += (f1 - f0) + (page_faults() - f2);
        state.SetIterationTime(static_cast<double>(t1 - t0) * 1e-9);
        mine.alloc_ns += static_cast<double>(t1 - t0);
        mine.release_ns += static_cast<double>(t3 - t2);
        mine.iterations += 1;
    }
    GcStats gc1 = tid == 0 ? A::gc_stats() : GcStats{};
    std::optional<std::size_t> up1 = a.upstream_allocations();
    if (up0 && up1) mine.upstream_delta = *up1 - *up0;

    // 3. latency pass.
    {
        LatencyProbe probe(latency_samples());
        const int max_fills = std::max(1, w.options().latency_max_fills);
        for (int f = 0; f < max_fills && !probe.full(); ++f) {
            w.fill(a, probe);
            w.release(a, none);
        }
        mine.latency = probe.summarize();
    }
    w.table().detach(a);
    if (!ok) state.SkipWithError("checksum verification failed (see stderr)");
    // Optional workload hooks (realistic workloads): counters the workload
    // measured itself in the throughput loop, and a label (its inputs).
    Extras loop_extras;
    if constexpr (requires { w.loop_counters(loop_extras); }) w.loop_counters(loop_extras);

    shared.barrier.arrive_and_wait();
    if (tid == 0) {
        const std::size_t n = shared.figures.size();
        const double iters = std::max<double>(1, static_cast<double>(mine.iterations));
        double ns_per_alloc = 0, release_ns = 0, traverse_ns_per_node = 0, p50 = 0, p99 = 0, p999 = 0, pmax = 0;
        for (const ThreadFigures& f : shared.figures) {
            double it = std::max<double>(1, static_cast<double>(f.iterations));
            ns_per_alloc += f.alloc_ns / (it * static_cast<double>(std::max<std::uint64_t>(1, f.allocs_per_fill)));
            release_ns += f.release_ns / it;
            if (f.traverse_nodes > 0) traverse_ns_per_node += f.traverse_ns / static_cast<double>(f.traverse_nodes);
            p50 += f.latency.p50_ns;
            p99 += f.latency.p99_ns;
            p999 += f.latency.p999_ns;
            pmax = std::max(pmax, f.latency.max_ns);
            if (f.verification.checksum != mine.verification.checksum) {
                report_failure(shared.run_name + ": threads disagree on the checksum");
                state.SkipWithError("threads disagree on the checksum");
            }
        }
        const double dn = static_cast<double>(n);
        const MemoryFigures& m = shared.memory;
        auto& c = state.counters;
        c["ns_per_alloc"] = ns_per_alloc / dn;
        c["release_ns"] = release_ns / dn;
        if constexpr (requires { w.traverse(); }) c["traverse_ns_per_node"] = traverse_ns_per_node / dn;
        c["live_peak_bytes"] = m.live_peak;
        c["footprint_peak_bytes"] = m.footprint_peak;
        c["rss_peak_bytes"] = m.rss_peak;
        c["overhead_ratio"] = m.live_peak > 0 ? m.footprint_peak / m.live_peak : 0;
        c["fragmentation"] =
            m.footprint_peak > 0 ? std::clamp(1.0 - m.live_at_footprint_peak / m.footprint_peak, 0.0, 1.0) : 0;
        c["lat_p50_ns"] = p50 / dn;
        c["lat_p99_ns"] = p99 / dn;
        c["lat_p999_ns"] = p999 / dn;
        c["lat_max_ns"] = pmax;
        c["page_faults"] = static_cast<double>(faults) / iters;
        c["gc_count"] = static_cast<double>(gc1.collections - gc0.collections) / iters;
        c["gc_pause_total_ns"] = static_cast<double>(gc1.pause_total_ns - gc0.pause_total_ns) / iters;
        c["gc_pause_max_ns"] = static_cast<double>(gc1.pause_max_ns);
        c["retained_after_release_bytes"] = m.retained;
        c["checksum"] = static_cast<double>(mine.verification.checksum);
        c["allocs"] = static_cast<double>(mine.allocs_per_fill);
        c["destroy_ns"] = m.destroy_ns;
        c["in_use_after_release_bytes"] = m.in_use_after_release;
        if (w.options().sys_allocs && mine.upstream_delta) {
            c["sys_allocs_per_cycle"] = static_cast<double>(*mine.upstream_delta) / iters;
        }
        for (const auto& [key, value] : m.extras) c[key] = value;
        for (const auto& [key, value] : loop_extras) c[key] = value;
        if constexpr (requires { w.label(); }) state.SetLabel(w.label());
        record_latency_cdf(shared.run_name, mine.latency);
    }
    if (tid != 0) A::thread_leave();
}

// Registers one benchmark running workload W (made by make) on adapter A.
// threads > 0 registers a multi-threaded run (name gets "/threads:N"). In
// counts mode the loop runs exactly once, and multi-threaded runs are left out
// (see the header comment).
template <Adapter A, class W>
void register_workload(const std::string& name, std::function<std::unique_ptr<W>()> make, int threads = 0) {
    if (counts::enabled() && threads > 0) return;
    std::string run_name = threads > 0 ? name + "/threads:" + std::to_string(threads) : name;
    auto shared = std::make_shared<Shared>(run_name, threads > 0 ? threads : 1);
    auto* b = benchmark::RegisterBenchmark(name.c_str(), [shared, make](benchmark::State& state) {
        run_benchmark<A, W>(state, *shared, make);
    });
    b->UseManualTime();
    if (threads > 0) b->Threads(threads);
    if (counts::enabled()) b->Iterations(1)->Repetitions(1);
}

}  // namespace bench

#endif  // WORKLOADS_DRIVER_H
