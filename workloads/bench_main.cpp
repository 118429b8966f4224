// bench_main.cpp - main() of every bench_<allocator> binary. The same sources
// are compiled once per allocator (ARENA_BENCH_ADAPTER_HEADER / _CLASS, set by
// CMake), so each allocator runs in its own process and jemalloc/tcmalloc can
// replace malloc in theirs.
//
// Own flags (the rest goes to Google Benchmark):
//   --scale=smoke|quick|full   problem sizes (default full; env ARENA_BENCH_SCALE)
//   --series_out=FILE          write memory timelines / latency CDFs as JSON
//   --self_check               only check that the allocator is live; exit 0/1
//   --counts                   counts mode (counts.h, driver.h): every benchmark
//                              once, its phases counted by callgrind; only under
//                              valgrind --tool=callgrind --collect-atstart=no
//                              (scripts/bench --counts runs it so)
// Exit status: 0; 1 if a check failed (allocator not live, checksum
// mismatch, exhausted buffer); 2 for bad arguments.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include ARENA_BENCH_ADAPTER_HEADER
#include "counts.h"
#include "measure.h"
#include "registry.h"

using Adapter = competitors::ARENA_BENCH_ADAPTER_CLASS;

int main(int argc, char** argv) {
    Adapter::process_init();
    bench::Scale scale = bench::Scale::kFull;
    if (const char* env = std::getenv("ARENA_BENCH_SCALE"); env != nullptr && *env != '\0') {
        if (!bench::parse_scale(env, &scale)) {
            std::fprintf(stderr, "%s: bad ARENA_BENCH_SCALE '%s' (smoke, quick or full)\n", argv[0], env);
            return 2;
        }
    }
    std::string series_out;
    bool self_check = false;
    bool counts = false;
    std::vector<char*> rest;
    for (int i = 0; i < argc; ++i) {
        std::string arg = argv[i];
        if (i > 0 && arg.rfind("--scale=", 0) == 0) {
            if (!bench::parse_scale(arg.substr(8), &scale)) {
                std::fprintf(stderr, "%s: bad --scale '%s' (smoke, quick or full)\n", argv[0], arg.c_str() + 8);
                return 2;
            }
        } else if (i > 0 && arg.rfind("--series_out=", 0) == 0) {
            series_out = arg.substr(13);
        } else if (i > 0 && arg == "--self_check") {
            self_check = true;
        } else if (i > 0 && arg == "--counts") {
            counts = true;
        } else {
            rest.push_back(argv[i]);
        }
    }
    bench::set_scale(scale);
    if (counts && !bench::counts::enable()) {
        std::fprintf(stderr,
                     "%s: --counts needs valgrind: run it as valgrind --tool=callgrind --cache-sim=yes "
                     "--collect-atstart=no %s --counts ... (scripts/bench --counts does)\n",
                     argv[0], argv[0]);
        return 2;
    }

    std::string why;
    if (!Adapter::verify_live(&why)) {
        std::fprintf(stderr, "%s: allocator '%s' is not the one serving allocations: %s\n", argv[0],
                     std::string(Adapter::kName).c_str(), why.c_str());
        return 1;
    }
    if (self_check) {
        std::printf("%s: allocator '%s' is live\n", argv[0], std::string(Adapter::kName).c_str());
        return 0;
    }

    int rest_argc = static_cast<int>(rest.size());
    rest.push_back(nullptr);
    benchmark::Initialize(&rest_argc, rest.data());
    if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 2;

    benchmark::AddCustomContext("arena_bench_allocator", std::string(Adapter::kName));
    benchmark::AddCustomContext("arena_bench_scale", bench::scale_name(scale));
    if (bench::counts::enabled()) {
        // No timer in counts mode (valgrind 3.19 does not run rdtscp either).
        benchmark::AddCustomContext("arena_bench_mode", "counts");
    } else {
        const bench::TscCalibration& cal = bench::tsc_calibration();
        benchmark::AddCustomContext("arena_bench_tsc_ns_per_tick", std::to_string(cal.ns_per_tick));
        benchmark::AddCustomContext("arena_bench_timer_overhead_ns", std::to_string(cal.overhead_ns()));
    }

    bench::register_all<Adapter>(argv[0]);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();

    if (!series_out.empty() && !bench::write_series(series_out)) {
        std::fprintf(stderr, "%s: cannot write %s\n", argv[0], series_out.c_str());
        return 1;
    }
    if (bench::failure_count() > 0) {
        std::fprintf(stderr, "%s: %d check(s) failed\n", argv[0], bench::failure_count());
        return 1;
    }
    return 0;
}
