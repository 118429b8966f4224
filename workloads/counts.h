// counts.h - counts mode of the bench binaries (--counts): instead of timing,
// the driver brackets each measured phase with callgrind client requests, so
// that valgrind's callgrind counts exactly the instructions and simulated
// cache misses of that phase and nothing else (set-up, verification and the
// harness' own code run with collection off).
//
// The binary must run under
//   valgrind --tool=callgrind --cache-sim=yes --collect-atstart=no [--instr-atstart=no]
// (scripts/bench --counts does). measure() toggles collection on and off, so
// with --collect-atstart=yes it would count everything except the phase.
// Each measure() ends with one dump part whose description names the phase:
//   "arena-counts <prefix>|<unit>|<n>"
// and scripts/arenabench/counts.py turns its totals (Ir, D1mr+D1mw, DLmr+DLmw)
// into <prefix>instructions_per_<unit>, <prefix>d1_misses_per_<unit> and
// <prefix>ll_misses_per_<unit>, each divided by n.
//
// Client requests of valgrind 3.19 used here: CALLGRIND_ZERO_STATS,
// CALLGRIND_TOGGLE_COLLECT, CALLGRIND_DUMP_STATS_AT, and
// CALLGRIND_START/STOP_INSTRUMENTATION (begin()/end(): with
// --instr-atstart=no, the start-up, the registration and the workload's
// construction run uninstrumented, which is faster). Outside valgrind every
// request is a no-op, so the code costs nothing in timed runs.
#ifndef WORKLOADS_COUNTS_H
#define WORKLOADS_COUNTS_H

#include <valgrind/callgrind.h>
#include <valgrind/valgrind.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace bench::counts {

namespace detail {
inline bool enabled = false;
}  // namespace detail

// The bench binary was started with --counts (and runs under valgrind: see
// enable()).
inline bool enabled() { return detail::enabled; }

// Turns counts mode on. False when the process is not running under
// valgrind (the caller says so and exits with status 2).
inline bool enable() {
    if (RUNNING_ON_VALGRIND == 0) return false;
    detail::enabled = true;
    return true;
}

// Instrumentation on, for the part of a benchmark that runs its fills (the
// warm-up fills then fill the simulated caches as they would the real ones).
// A no-op when it is already on (--instr-atstart=yes).
inline void begin() { CALLGRIND_START_INSTRUMENTATION; }
// Instrumentation off again once the counted phases are done.
inline void end() { CALLGRIND_STOP_INSTRUMENTATION; }

// Zeroes callgrind's counters, collects while f() runs, stops collecting and
// dumps the totals as one part named "arena-counts <prefix>|<unit>|<n>",
// n = f()'s return value: the divisor (allocations, objects released, nodes
// visited).
template <class F>
void measure(std::string_view prefix, std::string_view unit, F&& f) {
    static_assert(std::is_convertible_v<std::invoke_result_t<F&>, std::uint64_t>,
                  "measure(): f() returns the divisor, a count");
    CALLGRIND_ZERO_STATS;
    CALLGRIND_TOGGLE_COLLECT;
    const std::uint64_t n = f();
    // callgrind adds a block's cost when the next block starts, under the
    // collection state of that moment: without this request (any client
    // request ends a block), the last block of f() would be added after the
    // toggle below, uncounted. What is counted besides f() is the requests'
    // own code, a constant: an empty f() counts 11 instructions (7 stores to
    // the request's argument block), about 0.001 per allocation at quick scale.
    (void)RUNNING_ON_VALGRIND;
    CALLGRIND_TOGGLE_COLLECT;
    std::string desc = "arena-counts ";
    desc.append(prefix).append("|").append(unit).append("|").append(std::to_string(n));
    CALLGRIND_DUMP_STATS_AT(desc.c_str());
}

}  // namespace bench::counts

#endif  // WORKLOADS_COUNTS_H
