// replay_harness.h - one trace replay outside Google Benchmark, for the tests:
// fill, verify, release, as the driver does, with the footprint read after the
// fill (the arena's fullest moment).
#ifndef WORKLOADS_TRACE_TESTS_REPLAY_HARNESS_H
#define WORKLOADS_TRACE_TESTS_REPLAY_HARNESS_H

#include <memory>

#include "driver.h"
#include "trace_replay.h"

namespace test_support {

template <class A>
bench::Verification replay(std::shared_ptr<const trace::ReplayTrace> t, bool phase_reset, double* footprint = nullptr) {
    A::process_init();
    bench::TraceReplay w(std::move(t), phase_reset);
    competitors::AdapterConfig config;
    config.capacity_hint = w.capacity_hint();
    A a(config);
    w.table().attach(a);
    bench::NoProbe none;
    w.fill(a, none);
    if (footprint != nullptr) *footprint = static_cast<double>(a.footprint_bytes());
    bench::Verification v = w.verify();
    w.release(a, none);
    w.table().detach(a);
    return v;
}

}  // namespace test_support

#endif  // WORKLOADS_TRACE_TESTS_REPLAY_HARNESS_H
