// trace_test.cpp - the trace format, the reader, the replay program and the
// replay through every allocator that can share one process (jemalloc and
// tcmalloc replace malloc in theirs: their bench binaries' smoke tests check
// their checksums; Boehm: trace_boehm_test.cpp).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "arena_adapter.h"
#include "ideal_bump_adapter.h"
#include "malloc_adapter.h"
#include "mimalloc_adapter.h"
#include "mimalloc_heap_adapter.h"
#include "pmr_monotonic_adapter.h"
#include "replay_harness.h"
#include "trace_reader.h"
#include "trace_registry.h"
#include "trace_synth.h"
#include "trace_writer.h"

namespace {

using trace::Op;
using trace::ReplayTrace;
using trace::TraceError;
using trace::TraceWriter;

std::shared_ptr<ReplayTrace> parse(const std::string& bytes) { return trace::parse_trace(bytes, "t", ""); }

// The message of the TraceError that parsing bytes throws ("" if none).
std::string error_of(const std::string& bytes) {
    try {
        parse(bytes);
    } catch (const TraceError& e) {
        return e.what();
    }
    return "";
}

// ---- format and parser ---------------------------------------------------------------

TEST(TraceFormat, RoundTripsEveryRecordKind) {
    TraceWriter w("prog\0arg", 4242);
    w.thread(1);
    w.phase("start", 5);
    w.malloc(100, 0x7f0000001000);
    w.calloc(200, 0x1000);  // a big backward jump: negative delta
    w.realloc(0x7f0000001000, 5000, 0x7f0000002000);
    w.aligned(12, 8192, 0x7f0000010000);
    w.free(0x1000);
    w.thread(2);
    w.malloc(std::uint64_t{1} << 31, 0xffffffffffff0000ull);
    w.phase(std::string(255, 'x'), 123456789);
    const std::string bytes = w.end(7);

    trace::TraceParser p(bytes, "t");
    EXPECT_EQ(p.header().version, 1u);
    EXPECT_EQ(p.header().pid, 4242u);
    EXPECT_EQ(p.header().command, "prog");  // cut at the writer's string_view (literal NUL)
    trace::Record r;
    std::vector<trace::Record> rs;
    while (p.next(&r)) rs.push_back(r);
    ASSERT_EQ(rs.size(), 11u);
    EXPECT_EQ(rs[0].op, ARENA_TRACE_OP_THREAD);
    EXPECT_EQ(rs[0].thread, 1u);
    EXPECT_EQ(rs[1].phase_name, "start");
    EXPECT_EQ(rs[1].time_ns, 5u);
    EXPECT_EQ(rs[2].size, 100u);
    EXPECT_EQ(rs[2].addr, 0x7f0000001000u);
    EXPECT_EQ(rs[3].op, ARENA_TRACE_OP_CALLOC);
    EXPECT_EQ(rs[3].addr, 0x1000u);
    EXPECT_EQ(rs[4].old_addr, 0x7f0000001000u);
    EXPECT_EQ(rs[4].size, 5000u);
    EXPECT_EQ(rs[4].addr, 0x7f0000002000u);
    EXPECT_EQ(rs[5].align_log2, 12u);
    EXPECT_EQ(rs[5].size, 8192u);
    EXPECT_EQ(rs[6].op, ARENA_TRACE_OP_FREE);
    EXPECT_EQ(rs[6].addr, 0x1000u);
    EXPECT_EQ(rs[7].thread, 2u);
    EXPECT_EQ(rs[8].size, std::uint64_t{1} << 31);
    EXPECT_EQ(rs[8].addr, 0xffffffffffff0000ull);
    EXPECT_EQ(rs[9].phase_name.size(), 255u);
    EXPECT_EQ(rs[9].time_ns, 123456789u);
    EXPECT_EQ(rs.back().op, ARENA_TRACE_OP_END);
    EXPECT_EQ(rs.back().end_unrecorded, 7u);
    EXPECT_FALSE(p.next(&r));
}

TEST(TraceFormat, SmallRecordsAreCompact) {
    TraceWriter w;
    const std::size_t header = w.bytes().size();
    w.malloc(32, 0x5000);
    w.malloc(48, 0x5030);
    w.free(0x5000);
    // opcode + 1-byte size + address delta (first is 3 bytes, then 1 byte each)
    EXPECT_LE(w.bytes().size() - header, 3u + 5u + 3u + 2u);
}

TEST(TraceFormat, EveryTruncationIsAClearError) {
    TraceWriter w;
    w.phase("start");
    w.malloc(100, 0x7f0000001000);
    w.realloc(0x7f0000001000, 300, 0x7f0000009000);
    w.aligned(6, 64, 0x7f0000002000);
    w.free(0x7f0000009000);
    const std::string full = w.end();
    ASSERT_EQ(error_of(full), "");
    for (std::size_t n = 0; n < full.size(); ++n) {
        std::string msg = error_of(full.substr(0, n));
        ASSERT_NE(msg, "") << "prefix of " << n << " bytes parsed";
        if (n >= ARENA_TRACE_HEADER_FIXED + 9) {
            EXPECT_NE(msg.find("truncated"), std::string::npos) << n << ": " << msg;
        }
    }
}

TEST(TraceFormat, BadInputsAreRejectedWithTheReason) {
    const std::string good = [] {
        TraceWriter w;
        w.malloc(8, 0x1000);
        return std::string(w.end());
    }();
    std::string s;

    EXPECT_NE(error_of("").find("too short"), std::string::npos);
    s = good;
    s[0] = 'X';
    EXPECT_NE(error_of(s).find("not an allocation trace"), std::string::npos);
    s = good;
    s[8] = 2;
    EXPECT_NE(error_of(s).find("unsupported trace format version 2"), std::string::npos);
    s = good;
    s[12] = 100;  // command line longer than the file
    EXPECT_NE(error_of(s).find("truncated header"), std::string::npos);
    s = good;
    s[13] = 0x20;  // 8 KiB command line
    EXPECT_NE(error_of(s).find("at most 4096"), std::string::npos);

    TraceWriter unknown;
    unknown.raw("\x09");
    EXPECT_NE(error_of(unknown.bytes()).find("unknown record type 0x09"), std::string::npos);

    TraceWriter lost;
    lost.malloc(8, 0x1000);
    std::string lost_bytes = lost.end();
    lost_bytes[lost_bytes.size() - 2] = 5;  // END claims 5 records
    EXPECT_NE(error_of(lost_bytes).find("records were lost"), std::string::npos);

    EXPECT_NE(error_of(good + "x").find("after the END record"), std::string::npos);

    TraceWriter wide;
    wide.raw(std::string("\x05") + std::string(11, '\xff'));
    EXPECT_NE(error_of(wide.bytes()).find("does not fit in 64 bits"), std::string::npos);
    TraceWriter leb;
    leb.raw(std::string("\x05") + std::string(11, '\x80'));
    EXPECT_NE(error_of(leb.bytes()).find("longer than 10 bytes"), std::string::npos);

    TraceWriter null;
    null.malloc(8, 0);
    EXPECT_NE(error_of(null.end()).find("null address"), std::string::npos);

    TraceWriter align;
    align.aligned(40, 8, 0x1000);
    EXPECT_NE(error_of(align.end()).find("alignment 2^40"), std::string::npos);

    TraceWriter huge;
    huge.malloc(std::uint64_t{5} << 30, 0x1000);
    EXPECT_NE(error_of(huge.end()).find("below 4 GiB"), std::string::npos);

    TraceWriter noend;
    noend.malloc(8, 0x1000);
    EXPECT_NE(error_of(noend.bytes()).find("no END record"), std::string::npos);

    try {
        trace::load_trace("/nonexistent/dir/x.trace", "x");
        FAIL() << "no error for a missing file";
    } catch (const TraceError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/x.trace: cannot open"), std::string::npos);
    }
}

// ---- replay program -------------------------------------------------------------------

TEST(TraceProgram, SlotsAreReusedAndReallocLinksTheOldSlot) {
    TraceWriter w;
    w.malloc(10, 0x1000);           // slot 0
    w.malloc(20, 0x2000);           // slot 1
    w.free(0x1000);                 // slot 0 free
    w.malloc(30, 0x3000);           // slot 0 again
    w.realloc(0x2000, 40, 0x2000);  // in place: new slot 2, old slot 1
    w.calloc(50, 0x4000);           // slot 1
    w.aligned(12, 4096, 0x8000);    // slot 3
    auto t = parse(w.end());
    ASSERT_EQ(t->ops.size(), 7u);
    const Op* o = t->ops.data();
    EXPECT_EQ(o[0].kind, trace::kAlloc);
    EXPECT_EQ(o[0].slot, 0u);
    EXPECT_EQ(o[2].kind, trace::kFree);
    EXPECT_EQ(o[2].slot, 0u);
    EXPECT_EQ(o[2].size, 10u);
    EXPECT_EQ(o[3].slot, 0u);
    EXPECT_EQ(o[4].kind, trace::kRealloc);
    EXPECT_EQ(o[4].slot, 2u);
    EXPECT_EQ(o[4].aux, 1u);
    EXPECT_EQ(o[4].size, 40u);
    EXPECT_EQ(o[5].slot, 1u);
    EXPECT_EQ(o[5].flags & trace::kZeroed, trace::kZeroed);
    EXPECT_EQ(o[6].align_log2, 12u);
    EXPECT_EQ(o[6].req_log2, 12u);
    EXPECT_EQ(o[0].req_log2, 3u);  // a 10-byte malloc result needs 8-byte alignment
    EXPECT_EQ(t->slots, 4u);
    EXPECT_EQ(t->summary.peak_live_bytes, 30u + 40u + 50u + 4096u);
    EXPECT_EQ(t->summary.allocated_bytes, 10u + 20u + 30u + 40u + 50u + 4096u);
    EXPECT_EQ(t->summary.live_at_end_objects, 4u);
    EXPECT_EQ(t->summary.bump_bytes, 16u + 32u + 32u + 48u + 64u + (4096u + 4096u - 16u));
}

TEST(TraceProgram, UnmatchedAndReusedAddressesAreCountedNotFatal) {
    TraceWriter w;
    w.free(0x9999);                 // never allocated
    w.realloc(0x7777, 64, 0x1000);  // unknown: replayed as malloc
    w.malloc(16, 0x1000);           // returned again while live: a missed free
    w.free(0x1000);
    auto t = parse(w.end());
    EXPECT_EQ(t->summary.unmatched_frees, 1u);
    EXPECT_EQ(t->summary.unmatched_reallocs, 1u);
    EXPECT_EQ(t->summary.implicit_frees, 1u);
    ASSERT_EQ(t->ops.size(), 4u);  // alloc, (implicit) free, alloc, free
    EXPECT_EQ(t->ops[0].kind, trace::kAlloc);
    EXPECT_EQ(t->ops[1].kind, trace::kFree);
    EXPECT_EQ(t->ops[2].kind, trace::kAlloc);
    EXPECT_EQ(t->ops[3].kind, trace::kFree);
    EXPECT_EQ(t->summary.live_at_end_objects, 0u);
}

TEST(TraceProgram, PhaseLocalMeansDeadBeforeTheNextPhase) {
    TraceWriter w;
    w.phase("a");
    w.malloc(16, 0x1000);           // op 1: freed in phase a -> local
    w.malloc(16, 0x2000);           // op 2: freed in phase b -> not local
    w.malloc(16, 0x3000);           // op 3: never freed -> not local
    w.malloc(16, 0x4000);           // op 4: realloc'ed away in phase a -> local
    w.realloc(0x4000, 32, 0x5000);  // op 5: its result freed in phase b -> not local
    w.free(0x1000);
    w.phase("b");
    w.free(0x2000);
    w.free(0x5000);
    auto t = parse(w.end());
    const Op* o = t->ops.data();
    EXPECT_EQ(o[0].kind, trace::kPhase);
    EXPECT_TRUE(o[1].flags & trace::kPhaseLocal);
    EXPECT_FALSE(o[2].flags & trace::kPhaseLocal);
    EXPECT_FALSE(o[3].flags & trace::kPhaseLocal);
    EXPECT_TRUE(o[4].flags & trace::kPhaseLocal);
    EXPECT_FALSE(o[5].flags & trace::kPhaseLocal);
    EXPECT_EQ(t->summary.phase_local_allocations, 2u);
    EXPECT_EQ(t->summary.phases, 2u);
    ASSERT_EQ(t->phase_names.size(), 2u);
    EXPECT_EQ(t->phase_names[1], "b");
}

TEST(TraceProgram, NamesComeFromTheFileName) {
    EXPECT_EQ(trace::trace_name_from_path("/a/b/python.quick.trace"), "python");
    EXPECT_EQ(trace::trace_name_from_path("sqlite.full.trace"), "sqlite");
    EXPECT_EQ(trace::trace_name_from_path("mine.trace"), "mine");
    EXPECT_EQ(trace::trace_name_from_path("/x/other.bin"), "other.bin");
}

TEST(TraceProgram, TraceFilesFromTheEnvironment) {
    setenv("ARENA_TRACE_FILES", "/t/one.trace::/t/two.full.trace", 1);
    auto sources = bench::trace_sources();
    unsetenv("ARENA_TRACE_FILES");
    ASSERT_EQ(sources.size(), 2u);
    EXPECT_EQ(sources[0].name, "one");
    EXPECT_EQ(sources[1].name, "two");
    EXPECT_EQ(sources[1].path, "/t/two.full.trace");
}

TEST(TraceProgram, SyntheticTraceHasPhasesAndEveryKind) {
    auto t = parse(trace::synthetic_trace());
    const auto& s = t->summary;
    EXPECT_GE(s.phases, 10u);
    EXPECT_GT(s.mallocs, 1000u);
    EXPECT_GT(s.callocs, 100u);
    EXPECT_GT(s.reallocs, 50u);
    EXPECT_GT(s.aligned, 20u);
    EXPECT_GT(s.frees, 1000u);
    EXPECT_EQ(s.unmatched_frees + s.unmatched_reallocs + s.implicit_frees, 0u);
    EXPECT_GT(s.phase_local_allocations, s.allocations / 2);
    EXPECT_LT(s.phase_local_allocations, s.allocations);
    EXPECT_LT(t->slots, s.allocations / 4);  // slots are reused
}

// The committed golden trace (recorded by libarena_trace.so from
// trace_testprog basic): the reader keeps reading version-1 files.
TEST(TraceProgram, GoldenTraceFromTheTracer) {
    auto t = trace::load_trace(ARENA_TRACE_TESTDATA "/testprog.trace", "testprog");
    const auto& s = t->summary;
    EXPECT_NE(t->header.command.find("trace_testprog basic"), std::string::npos) << t->header.command;
    EXPECT_EQ(s.callocs >= 1, true);
    EXPECT_EQ(s.aligned >= 3, true);
    EXPECT_EQ(s.reallocs >= 1, true);
    std::vector<std::string> want = {"start", "main", "known", "known-end", "unit.phasetest", "signal", "exit"};
    std::vector<std::string> got;
    for (const auto& n : t->phase_names) {
        if (std::find(want.begin(), want.end(), n) != want.end()) got.push_back(n);
    }
    EXPECT_EQ(got, want);
}

// ---- replay through the allocators -------------------------------------------------------

template <class A>
bench::Verification replay_with(std::shared_ptr<const ReplayTrace> t, bool phase_reset, double* footprint = nullptr) {
    return test_support::replay<A>(std::move(t), phase_reset, footprint);
}

TEST(TraceReplay, ChecksumIsTheSameForEveryAllocator) {
    auto t = parse(trace::synthetic_trace());
    using namespace competitors;
    std::vector<std::pair<std::string, bench::Verification>> runs = {
        {"arena", replay_with<ArenaAdapter>(t, false)},
        {"arena_phase_reset", replay_with<ArenaAdapter>(t, true)},
        {"ideal_bump", replay_with<IdealBumpAdapter>(t, false)},
        {"pmr_monotonic", replay_with<PmrMonotonicAdapter>(t, false)},
        {"mimalloc_heap", replay_with<MimallocHeapAdapter>(t, false)},
        {"mimalloc", replay_with<MimallocAdapter>(t, false)},
        {"malloc", replay_with<MallocAdapter>(t, false)},
    };
    for (const auto& [name, v] : runs) {
        EXPECT_TRUE(v.ok()) << name << ": corrupted " << v.corrupted << ", misaligned " << v.misaligned;
        EXPECT_EQ(v.checksum, runs[0].second.checksum) << name;
        EXPECT_NE(v.checksum, 0u);
    }
}

TEST(TraceReplay, ArenaFootprintGrowsPhaseResetBoundsIt) {
    auto t = parse(trace::synthetic_trace(trace::SynthOptions{24, 600, 5}));
    double plain = 0, phased = 0;
    ASSERT_TRUE(replay_with<competitors::ArenaAdapter>(t, false, &plain).ok());
    ASSERT_TRUE(replay_with<competitors::ArenaAdapter>(t, true, &phased).ok());
    // The arena ignores frees: it holds at least every byte ever allocated.
    EXPECT_GE(plain, static_cast<double>(t->summary.allocated_bytes));
    // Resetting the phase-local objects at every boundary holds far less.
    EXPECT_LT(phased, plain * 0.6);
    EXPECT_GE(phased, static_cast<double>(t->summary.peak_live_bytes) * 0.5);
}

// A broken allocator (hands out overlapping memory) must fail verification.
class OverlappingAdapter : public competitors::MallocAdapter {
public:
    using MallocAdapter::MallocAdapter;
    static constexpr bool kFrees = false;
    ~OverlappingAdapter() {
        for (void* p : owned_) std::free(p);
    }
    void* allocate(std::size_t size, std::size_t align) {
        if (size <= 64 && ++count_ % 7 == 0 && last_ != nullptr) return last_;  // reuse a live object
        void* p = MallocAdapter::allocate(size < 64 ? 64 : size, align);
        owned_.push_back(p);
        if (size <= 64) last_ = p;
        return p;
    }
    void deallocate(void*, std::size_t, std::size_t) {}

private:
    std::vector<void*> owned_;
    void* last_ = nullptr;
    unsigned count_ = 0;
};

TEST(TraceReplay, OverlappingObjectsAreDetected) {
    auto t = parse(trace::synthetic_trace());
    bench::Verification v = replay_with<OverlappingAdapter>(t, false);
    EXPECT_FALSE(v.ok());
    EXPECT_GT(v.corrupted, 0u);
}

}  // namespace
