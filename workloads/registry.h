// registry.h - registers every synthetic workload for one adapter type, with
// names <workload>/<allocator>[/<parameters>] and sizes from the run scale.
#ifndef WORKLOADS_REGISTRY_H
#define WORKLOADS_REGISTRY_H

#include <functional>
#include <memory>
#include <string>
#include <type_traits>

#include "aligned.h"
#include "capacity_sweep.h"
#include "churn.h"
#include "driver.h"
#include "large.h"
#include "mixed_sizes.h"
#include "reset_cycles.h"
#include "small_fixed.h"
#include "small_fixed_mt.h"
#include "trace/trace_registry.h"

namespace bench {

inline constexpr std::size_t kSmallFixedSizes[] = {8, 16, 32, 64, 80, 128, 256};
inline constexpr std::size_t kAlignments[] = {16, 32, 64, 4096};

// Registers one benchmark running workload W (made by make) on adapter A.
// threads > 0 registers a multi-threaded run (name gets "/threads:N").
template <Adapter A, class W>
void register_workload(const std::string& name, std::function<std::unique_ptr<W>()> make, int threads = 0) {
    std::string run_name = threads > 0 ? name + "/threads:" + std::to_string(threads) : name;
    auto shared = std::make_shared<Shared>(run_name, threads > 0 ? threads : 1);
    auto* b = benchmark::RegisterBenchmark(name.c_str(), [shared, make](benchmark::State& state) {
        run_benchmark<A, W>(state, *shared, make);
    });
    b->UseManualTime();
    if (threads > 0) b->Threads(threads);
}

template <Adapter A>
void register_all() {
    const std::string alloc(A::kName);
    auto name = [&](std::string_view workload, const std::string& params = "") {
        return std::string(workload) + "/" + alloc + (params.empty() ? "" : "/" + params);
    };
    for (std::size_t size : kSmallFixedSizes) {
        register_workload<A, SmallFixed>(name(SmallFixed::kName, std::to_string(size)), [size] {
            return std::make_unique<SmallFixed>(size, SmallFixed::default_count());
        });
    }
    register_workload<A, MixedSizes>(name(MixedSizes::kName), [] {
        return std::make_unique<MixedSizes>(MixedSizes::default_count());
    });
    for (std::size_t align : kAlignments) {
        register_workload<A, Aligned>(name(Aligned::kName, std::to_string(align)), [align] {
            return std::make_unique<Aligned>(align, Aligned::default_count());
        });
    }
    register_workload<A, ResetCycles>(name(ResetCycles::kName), [] {
        return std::make_unique<ResetCycles>(ResetCycles::default_count());
    });
    register_workload<A, Churn>(name(Churn::kName), [] {
        return std::make_unique<Churn>(Churn::default_live(), Churn::default_ops());
    });
    register_workload<A, Large>(name(Large::kName), [] {
        return std::make_unique<Large>(Large::default_count());
    });
    if constexpr (std::is_same_v<A, competitors::ArenaAdapter>) {
        for (std::size_t capacity : CapacitySweep::kCapacities) {
            register_workload<A, CapacitySweep>(name(CapacitySweep::kName, std::to_string(capacity)), [capacity] {
                return std::make_unique<CapacitySweep>(capacity, CapacitySweep::default_count());
            });
        }
    }
    for (int threads : SmallFixedMt::kThreadCounts) {
        register_workload<A, SmallFixedMt>(name(SmallFixedMt::kName, std::to_string(SmallFixedMt::kSize)), [] {
            return std::make_unique<SmallFixedMt>(SmallFixed::default_count());
        }, threads);
    }
    register_trace_replay<A>();
}

}  // namespace bench

#endif  // WORKLOADS_REGISTRY_H
