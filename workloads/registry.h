// registry.h - the one list of benchmarks: every workload (synthetic,
// trace_replay, realistic) registered for one adapter type, named
// <workload>/<allocator>[/<parameters>], with sizes from the run scale. Each
// bench binary calls register_all() once; the order here is the order of
// --benchmark_list_tests (tests/bench_lists pins it).
//
// What runs for which adapter is asked of the adapter, never of its name:
// capacity_sweep for adapters that report their blocks, trace_replay's
// <allocator>_phase_reset variant for adapters with kPhaseResetVariant.
//
// Realistic inputs (corpus.h):
//   scheme_reader, compiler_nested  Scheme sources, 48 KiB smoke, 320 KiB
//                                   quick, every file at full scale
//   json_dom                        JSON documents, 32 KiB / 512 KiB / all
//   binary_trees                    depth 6 / 12 / 16
//   request_reset                   300 / 3000 / 20000 requests per fill
// They are loaded on first use; when their directories are given explicitly
// they are checked at registration, and a bad setting ends the process with
// status 2 before anything runs.
#ifndef WORKLOADS_REGISTRY_H
#define WORKLOADS_REGISTRY_H

#include <memory>
#include <string>

#include "aligned.h"
#include "capacity_sweep.h"
#include "churn.h"
#include "driver.h"
#include "large.h"
#include "locality.h"
#include "mixed_sizes.h"
#include "realistic/binary_trees.h"
#include "realistic/compiler_nested.h"
#include "realistic/corpus.h"
#include "realistic/json_dom.h"
#include "realistic/request_reset.h"
#include "realistic/scheme_reader.h"
#include "reset_cycles.h"
#include "small_fixed.h"
#include "small_fixed_mt.h"
#include "trace/trace_registry.h"

namespace bench {

inline constexpr std::size_t kSmallFixedSizes[] = {8, 16, 32, 64, 80, 128, 256};
inline constexpr std::size_t kAlignments[] = {16, 32, 64, 4096};

// <workload>/<allocator>[/<params>]
template <Adapter A>
std::string benchmark_name(std::string_view workload, const std::string& params = "") {
    return std::string(workload) + "/" + std::string(A::kName) + (params.empty() ? "" : "/" + params);
}

template <Adapter A>
void register_synthetic() {
    for (std::size_t size : kSmallFixedSizes) {
        register_workload<A, SmallFixed>(benchmark_name<A>(SmallFixed::kName, std::to_string(size)), [size] {
            return std::make_unique<SmallFixed>(size, SmallFixed::default_count());
        });
    }
    register_workload<A, MixedSizes>(benchmark_name<A>(MixedSizes::kName), [] {
        return std::make_unique<MixedSizes>(MixedSizes::default_count());
    });
    for (std::size_t align : kAlignments) {
        register_workload<A, Aligned>(benchmark_name<A>(Aligned::kName, std::to_string(align)), [align] {
            return std::make_unique<Aligned>(align, Aligned::default_count());
        });
    }
    register_workload<A, ResetCycles>(benchmark_name<A>(ResetCycles::kName), [] {
        return std::make_unique<ResetCycles>(ResetCycles::default_count());
    });
    register_workload<A, Churn>(benchmark_name<A>(Churn::kName), [] {
        return std::make_unique<Churn>(Churn::default_live(), Churn::default_ops());
    });
    register_workload<A, Large>(benchmark_name<A>(Large::kName), [] {
        return std::make_unique<Large>(Large::default_count());
    });
    if constexpr (competitors::ReportsBlocks<A>) {
        for (std::size_t capacity : CapacitySweep::kCapacities) {
            register_workload<A, CapacitySweep>(benchmark_name<A>(CapacitySweep::kName, std::to_string(capacity)),
                                                [capacity] {
                                                    return std::make_unique<CapacitySweep>(
                                                        capacity, CapacitySweep::default_count());
                                                });
        }
    }
    for (int threads : SmallFixedMt::kThreadCounts) {
        register_workload<A, SmallFixedMt>(benchmark_name<A>(SmallFixedMt::kName, std::to_string(SmallFixedMt::kSize)),
                                           [] { return std::make_unique<SmallFixedMt>(SmallFixed::default_count()); },
                                           threads);
    }
    register_workload<A, Locality>(benchmark_name<A>(Locality::kName), [] {
        return std::make_unique<Locality>(Locality::default_steps());
    });
}

template <Adapter A>
void register_trace_replay() {
    for (const TraceSource& src : trace_sources()) {
        register_workload<A, TraceReplay>(benchmark_name<A>(TraceReplay::kName, src.name), [src] {
            return std::make_unique<TraceReplay>(trace_for(src), false);
        });
        if constexpr (A::kPhaseResetVariant) {
            register_workload<A, TraceReplay>(
                std::string(TraceReplay::kName) + "/" + std::string(A::kName) + "_phase_reset/" + src.name, [src] {
                    return std::make_unique<TraceReplay>(trace_for(src), true);
                });
        }
    }
}

template <Adapter A>
void register_realistic(const char* program) {
    using namespace realistic;
    check_input_settings(program);
    register_workload<A, SchemeReader>(benchmark_name<A>(SchemeReader::kName), [] {
        return std::make_unique<SchemeReader>(scheme_corpus());
    });
    register_workload<A, CompilerNested>(benchmark_name<A>(CompilerNested::kName), [] {
        return std::make_unique<CompilerNested>(scheme_corpus());
    });
    register_workload<A, JsonDom>(benchmark_name<A>(JsonDom::kName), [] {
        return std::make_unique<JsonDom>(json_corpus());
    });
    register_workload<A, BinaryTrees>(benchmark_name<A>(BinaryTrees::kName), [] {
        return std::make_unique<BinaryTrees>(BinaryTrees::default_depth(), BinaryTrees::default_array());
    });
    register_workload<A, RequestReset>(benchmark_name<A>(RequestReset::kName), [] {
        return std::make_unique<RequestReset>(RequestReset::default_requests());
    });
}

// Everything, in the order of the benchmark list. program: argv[0], for the
// input settings' error message.
template <Adapter A>
void register_all(const char* program) {
    register_synthetic<A>();
    register_trace_replay<A>();
    register_realistic<A>(program);
}

}  // namespace bench

#endif  // WORKLOADS_REGISTRY_H
