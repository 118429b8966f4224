// trace_replay.h - the trace_replay workload: replays a recorded allocation
// trace (trace_reader.h) through an allocator.
//
// One fill replays the whole trace in order:
//   alloc    allocate(size, alignment) (calloc: then clear it), stamp it
//   free     read the stamp back; deallocate() where the allocator frees
//            (kFrees), drop the reference where it collects (kCollected),
//            nothing for the arena, pmr_monotonic and ideal_bump, whose
//            footprint therefore grows with every byte the program allocated
//   realloc  read the old stamp, allocate the new size, copy min(old, new)
//            bytes, stamp, then free the old object as above (the adapter
//            interface has no realloc: every allocator gets the same
//            allocate-copy-free, none grows in place)
//   phase    nothing, except in the arena_phase_reset variant
// and the release at the end frees what the program never freed.
//
// <allocator>_phase_reset (adapters with kPhaseResetVariant: the arena): the
// allocator as a programmer who knows the lifetimes would use it. Objects
// that die in the phase that made them (the trace says which) go to a region
// (competitors/region.h; for the arena a child arena) that is reset at every
// phase boundary; every other object goes to the long-lived parent, which
// keeps them until the end. The region stays open until release() (verify()
// reads the last phase's objects) and is closed after the adapter's
// release(). A misplaced object would be overwritten after the reset and its
// stamp would not read back: the checksum catches it.
//
// Stamps: the first min(size, 8) bytes of an object hold mix64 of its serial
// (the op index), and objects over 8 bytes also their last byte. Every stamp
// read back (at each free, and at the end for the objects still live) is
// folded into the checksum, which depends only on the trace.
#ifndef WORKLOADS_TRACE_TRACE_REPLAY_H
#define WORKLOADS_TRACE_TRACE_REPLAY_H

#include <algorithm>
#include <memory>
#include <string>

#include "region.h"
#include "trace_reader.h"
#include "workload.h"

namespace bench {

class TraceReplay : public WorkloadBase {
public:
    static constexpr std::string_view kName = "trace_replay";

    TraceReplay(std::shared_ptr<const trace::ReplayTrace> t, bool phase_reset)
        : WorkloadBase(std::max<std::size_t>(1, t->slots), 0x7ace7ace), trace_(std::move(t)), phase_reset_(phase_reset) {
        for (std::size_t i = 0; i < table_.capacity(); ++i) table_.push(nullptr, 0, 0);
    }

    const trace::ReplayTrace& replayed() const { return *trace_; }
    std::size_t allocs_per_fill() const { return std::max<std::size_t>(1, trace_->allocations()); }
    // ideal_bump never frees: it needs every byte the program ever allocated.
    std::size_t capacity_hint() const { return static_cast<std::size_t>(trace_->summary.bump_bytes) + 4096; }
    RunOptions options() const {
        RunOptions o;
        o.warmup_fills = 1;
        o.memory_fills = 1;
        o.latency_max_fills = 2;
        o.timeline = true;
        return o;
    }

    template <Adapter A, class P>
    void fill(A& a, P& probe) {
        competitors::RegionOf<A>* phase_region = nullptr;
        if constexpr (A::kPhaseResetVariant) {
            // Phase-local objects die with the region's reset, never one by one.
            static_assert(competitors::OffersRegion<A> && !competitors::RegionOf<A>::kFrees && !A::kFrees);
            if (phase_reset_) phase_region = &phase_region_.open(a, 0);
        }
        Fold fold{seed_, seed_};
        misaligned_ = 0;
        const trace::Op* ops = trace_->ops.data();
        const std::size_t n = trace_->ops.size();
        for (std::size_t i = 0; i < n; ++i) {
            const trace::Op& op = ops[i];
            switch (op.kind) {
                case trace::kAlloc: {
                    void* p = place(a, phase_region, op, probe);
                    if (op.flags & trace::kZeroed) std::memset(p, 0, op.size);
                    born(op, p, static_cast<std::uint32_t>(i));
                    break;
                }
                case trace::kFree: {
                    Slot& s = table_[op.slot];
                    check(s, fold);
                    die<A>(a, s, probe);
                    break;
                }
                case trace::kRealloc: {
                    Slot& old = table_[op.aux];
                    check(old, fold);
                    void* p = place(a, phase_region, op, probe);
                    std::memcpy(p, old.ptr, std::min<std::size_t>(old.size, op.size));
                    born(op, p, static_cast<std::uint32_t>(i));
                    die<A>(a, old, probe);
                    break;
                }
                case trace::kPhase:
                    if (phase_region != nullptr) phase_region->reset();
                    break;
                default: break;
            }
        }
        fold_ = fold;
    }

    // The objects still live, then the fill's own reads.
    Verification verify() {
        Fold fold = fold_;
        for (std::size_t i = 0; i < table_.size(); ++i) {
            if (table_[i].ptr != nullptr) check(table_[i], fold);
        }
        Verification v;
        v.checksum = fold.got & kChecksumMask;
        v.expected = fold.want & kChecksumMask;
        v.corrupted = fold.corrupted;
        v.misaligned = misaligned_;
        return v;
    }

    // What the program never freed: freed one by one where the allocator
    // frees (and has no bulk release), dropped for the collector; then release().
    template <Adapter A, class P>
    void release(A& a, P& probe) {
        for (std::size_t i = 0; i < table_.size(); ++i) {
            Slot& s = table_[i];
            if (s.ptr == nullptr) continue;
            if constexpr (A::kFrees && !A::kBulkRelease) a.deallocate(s.ptr, s.size, 16);
            s.ptr = nullptr;
        }
        a.release();
        phase_region_.close();  // after: its memory counts in the adapter's until the end
        probe.released();
    }

    template <Adapter A>
    void extra_counters(A& a, Extras& out) const {
        const trace::TraceSummary& s = trace_->summary;
        out.emplace_back("trace_ops", static_cast<double>(trace_->ops.size()));
        out.emplace_back("trace_phases", static_cast<double>(s.phases));
        out.emplace_back("trace_allocated_bytes", static_cast<double>(s.allocated_bytes));
        out.emplace_back("trace_peak_live_bytes", static_cast<double>(s.peak_live_bytes));
        out.emplace_back("phase_local_fraction",
                         s.allocations > 0 ? static_cast<double>(s.phase_local_allocations) / s.allocations : 0.0);
        if constexpr (competitors::ReportsBlocks<A>) add_block_counters(a.block_stats(), out);
    }

private:
    struct Fold {
        std::uint64_t got, want;
        std::size_t corrupted = 0;
    };

    template <Adapter A, class R, class P>
    void* place(A& a, R* phase_region, const trace::Op& op, P& probe) {
        const std::size_t align = std::size_t{1} << std::max<unsigned>(4, op.align_log2);
        probe.before();
        void* p;
        if (phase_region != nullptr && (op.flags & trace::kPhaseLocal)) {
            p = phase_region->allocate(op.size, align);
        } else {
            p = a.allocate(op.size, align);
        }
        probe.after(op.size);
        misaligned_ += (reinterpret_cast<std::uintptr_t>(p) & ((std::uintptr_t{1} << op.req_log2) - 1)) != 0;
        return p;
    }

    void born(const trace::Op& op, void* p, std::uint32_t serial) {
        std::uint64_t v = stamp_value(seed_, serial);
        auto* bytes = static_cast<unsigned char*>(p);
        std::memcpy(bytes, &v, std::min<std::size_t>(8, op.size));
        if (op.size > 8) bytes[op.size - 1] = static_cast<unsigned char>(v >> 56);
        table_[op.slot] = Slot{p, op.size, serial};
    }

    void check(const Slot& s, Fold& f) const {
        std::uint64_t want = stamp_value(seed_, s.serial);
        std::size_t n = std::min<std::size_t>(8, s.size);
        std::uint64_t got = 0, want_masked = 0;
        std::memcpy(&got, s.ptr, n);
        std::memcpy(&want_masked, &want, n);
        unsigned last = s.size > 8 ? static_cast<const unsigned char*>(s.ptr)[s.size - 1] : 0;
        unsigned want_last = s.size > 8 ? static_cast<unsigned char>(want >> 56) : 0;
        if (got != want_masked || last != want_last) ++f.corrupted;
        f.got = fold(f.got, got, s.size, last);
        f.want = fold(f.want, want_masked, s.size, want_last);
    }

    template <Adapter A, class P>
    void die(A& a, Slot& s, P& probe) {
        probe.freed(s.size);
        if constexpr (A::kFrees) a.deallocate(s.ptr, s.size, 16);
        s.ptr = nullptr;  // for a collector: the object is garbage now
    }

    std::shared_ptr<const trace::ReplayTrace> trace_;
    bool phase_reset_;
    competitors::RegionSlot phase_region_;  // open from fill() to release()
    Fold fold_{0, 0};
    std::size_t misaligned_ = 0;
};

}  // namespace bench

#endif  // WORKLOADS_TRACE_TRACE_REPLAY_H
