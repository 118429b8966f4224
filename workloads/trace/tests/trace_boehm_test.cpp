// trace_boehm_test.cpp - the replay through Boehm GC (frees become dropped
// references): same checksum as the arena, the collector really collects.
// Its own binary: the collector cannot run under ASan (label no_sanitize).
#include <gtest/gtest.h>

#include "arena_adapter.h"
#include "boehm_adapter.h"
#include "replay_harness.h"
#include "trace_synth.h"

namespace {

TEST(TraceReplayBoehm, SameChecksumAsTheArenaAndCollections) {
    auto t = trace::parse_trace(trace::synthetic_trace(trace::SynthOptions{40, 2000, 9}), "synthetic", "");
    competitors::GcStats before = competitors::BoehmAdapter::gc_stats();
    bench::Verification gc = test_support::replay<competitors::BoehmAdapter>(t, false);
    competitors::GcStats after = competitors::BoehmAdapter::gc_stats();
    bench::Verification arena = test_support::replay<competitors::ArenaAdapter>(t, false);
    EXPECT_TRUE(gc.ok()) << "corrupted " << gc.corrupted << ", misaligned " << gc.misaligned;
    EXPECT_TRUE(arena.ok());
    EXPECT_EQ(gc.checksum, arena.checksum);
    EXPECT_GT(after.collections, before.collections);
}

}  // namespace
