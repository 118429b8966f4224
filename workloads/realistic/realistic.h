// realistic.h - what every realistic workload shares on top of the driver's
// workload contract (workload.h):
//
// - A reference run, once per process and configuration, on RefAdapter
//   (private memory): the expected checksum, the allocations per fill (the
//   same for every allocator: the workloads make the same allocations
//   everywhere, only lifetimes differ) and ideal_bump's capacity hint.
// - verify(): the workload's digest of what its fill left behind (content
//   only: symbol names, numbers, text; never addresses) against the reference.
// - release(): the workload's release, then a leak check: after a
//   malloc-family release every byte must have been freed one by one.
// - Hooks the driver calls when present: label() (the inputs, e.g.
//   "debian 41 files 389 KiB" or "GENERATED ..."), loop_counters() (counters
//   from the throughput loop: end_to_end_ns = fill + release per iteration,
//   warm-up excluded; request_reset adds request latencies).
//
// Derived provides fill_impl(a, probe), digest(), release_impl(a, probe, live)
// (usually through release_all), reference_key() and may add
// own_loop_counters(extras), memory_counters(extras).
#ifndef WORKLOADS_REALISTIC_REALISTIC_H
#define WORKLOADS_REALISTIC_REALISTIC_H

#include <map>
#include <mutex>
#include <string>
#include <type_traits>

#include "heap.h"
#include "workload.h"

namespace bench::realistic {

struct Digest {
    std::uint64_t hash = 0;
    std::size_t misaligned = 0;
};

struct Reference {
    std::size_t allocs = 0;
    std::size_t bump_bytes = 0;
    std::uint64_t checksum = 0;
};

// How a workload's long-lived heap ends: objects freed one by one (walk()
// frees them; the heap's live count must come back to 0), or all at once.
// Returns the bytes left counted as live (0 unless walk() missed some).
template <class H, class Walk>
std::size_t end_of_life(H& h, Walk&& walk) {
    if constexpr (H::kFreeAtEnd) {
        walk();
        return h.live_bytes();
    } else {
        h.all_dead();
        return 0;
    }
}

template <class Derived>
class Realistic {
public:
    RootSet& table() { return roots_; }
    std::size_t allocs_per_fill() const { return ref_.allocs; }
    // ideal_bump's buffer: the reference's peak between resets, plus slack.
    std::size_t capacity_hint() const { return ref_.bump_bytes + 4096; }
    std::size_t initial_capacity() const { return 0; }
    std::size_t alignment() const { return kAlign; }
    // Between fills the allocator keeps its memory (arena_reset, not
    // arena_destroy): the throughput loop measures a warm steady state for
    // every allocator, as malloc's free lists are warm from the second fill
    // on. (With destroy, each fill of the arena would page-fault its blocks
    // afresh.) The driver's final release() - destroy_ns - still measures
    // arena_destroy, GC_gcollect ...
    bool keep_memory() const { return true; }
    RunOptions options() const {
        RunOptions o;
        o.latency_max_fills = 1;
        o.timeline = true;
        return o;
    }
    std::string label() const { return label_; }
    std::uint64_t expected_checksum() const { return ref_.checksum; }
    // Bytes the last release left counted as live (must be 0).
    std::size_t leaked_bytes() const { return leaked_; }

    template <Adapter A, class P>
    void fill(A& a, P& probe) {
        bool timed = false;
        if constexpr (std::is_same_v<P, NoProbe>) timed = ++plain_fills_ > self().options().warmup_fills;
        std::uint64_t t0 = timed ? now_ns() : 0;
        in_timed_loop_ = timed;
        live_ = self().fill_impl(a, probe);
        in_timed_loop_ = false;
        if (timed) fill_ns_ += now_ns() - t0;
        timed_release_ = timed;
    }

    Verification verify() {
        Digest d = self().digest();
        Verification v;
        v.checksum = d.hash & kChecksumMask;
        v.expected = ref_.checksum;
        v.misaligned = d.misaligned;
        return v;
    }

    template <Adapter A, class P>
    void release(A& a, P& probe) {
        std::uint64_t t0 = timed_release_ ? now_ns() : 0;
        leaked_ = self().release_impl(a, probe, live_);
        probe.released();
        if (timed_release_) {
            release_ns_ += now_ns() - t0;
            ++timed_iterations_;
            timed_release_ = false;
        }
        live_ = 0;
        if (leaked_ != 0) {
            report_failure(std::string(Derived::kName) + "/" + std::string(A::kName) + ": " + std::to_string(leaked_) +
                           " bytes not freed by the release");
        }
    }

    void loop_counters(Extras& extras) {
        if (timed_iterations_ > 0) {
            extras.emplace_back("end_to_end_ns",
                                static_cast<double>(fill_ns_ + release_ns_) / static_cast<double>(timed_iterations_));
        }
        if constexpr (requires { self().own_loop_counters(extras); }) self().own_loop_counters(extras);
    }

    template <Adapter A>
    void extra_counters(A&, Extras& extras) {
        if constexpr (requires { self().memory_counters(extras); }) self().memory_counters(extras);
    }

protected:
    Realistic() = default;

    // Runs (or looks up) the reference for this configuration. Call at the
    // end of Derived's constructor.
    void init_reference(std::string label) {
        label_ = std::move(label);
        static std::mutex mutex;
        static std::map<std::string, Reference> cache;
        std::string key = std::string(Derived::kName) + "|" + self().reference_key();
        std::lock_guard<std::mutex> lock(mutex);
        if (auto it = cache.find(key); it != cache.end()) {
            ref_ = it->second;
            return;
        }
        RefAdapter ref;
        CountProbe probe;
        std::size_t live = self().fill_impl(ref, probe);
        Digest d = self().digest();
        ref_.checksum = d.hash & kChecksumMask;
        ref_.allocs = probe.count;
        ref_.bump_bytes = ref.peak_phase_bytes();
        self().release_impl(ref, probe, live);
        ref.release();
        cache.emplace(key, ref_);
    }

    // True inside a fill of the driver's throughput loop (warm-up excluded).
    bool in_timed_loop() const { return in_timed_loop_; }

    // A release: the long-lived objects die (free_all(h) frees them one by
    // one where the allocator needs it: see end_of_life below), the roots are
    // dropped and the allocator keeps its memory or gives it back
    // (keep_memory()). live: the bytes the fill left live. Returns the bytes
    // still counted as live (0 unless free_all missed some).
    template <Adapter A, class P, class FreeAll>
    std::size_t release_all(A& a, P& probe, std::size_t live, FreeAll&& free_all) {
        Heap<A, P> h(a, probe, live);
        std::size_t leaked = end_of_life(h, [&] { free_all(h); });
        roots_.clear();
        if (self().keep_memory()) {
            a.reset();
        } else {
            a.release();
        }
        return leaked;
    }

    RootSet roots_;

private:
    Derived& self() { return static_cast<Derived&>(*this); }
    const Derived& self() const { return static_cast<const Derived&>(*this); }

    Reference ref_;
    std::string label_;
    std::size_t live_ = 0, leaked_ = 0;
    int plain_fills_ = 0;
    bool timed_release_ = false, in_timed_loop_ = false;
    std::uint64_t fill_ns_ = 0, release_ns_ = 0, timed_iterations_ = 0;
};

}  // namespace bench::realistic

#endif  // WORKLOADS_REALISTIC_REALISTIC_H
