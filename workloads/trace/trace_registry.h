// trace_registry.h - which traces trace_replay replays (registry.h registers
// trace_replay/<allocator>/<trace> for each, and
// trace_replay/<allocator>_phase_reset/<trace> for adapters with
// kPhaseResetVariant):
//   ARENA_TRACE_FILES=a.trace:b.trace   exactly these files (any scale)
//   otherwise at --scale=smoke           the generated synthetic trace
//   otherwise                            DIR/*.<scale>.trace, DIR being
//                                        ARENA_TRACE_DIR or the build's
//                                        default (build/traces, written by
//                                        scripts/record-trace); if there are
//                                        none, the synthetic trace and a note
// Traces are loaded when a benchmark first runs (not at registration) and kept
// for the rest of the process.
#ifndef WORKLOADS_TRACE_TRACE_REGISTRY_H
#define WORKLOADS_TRACE_TRACE_REGISTRY_H

#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "measure.h"
#include "trace_replay.h"
#include "trace_synth.h"

#ifndef ARENA_TRACE_DEFAULT_DIR
#define ARENA_TRACE_DEFAULT_DIR "build/traces"
#endif

namespace bench {

struct TraceSource {
    std::string name;  // benchmark parameter
    std::string path;  // "" for the synthetic trace
};

inline std::vector<TraceSource> trace_sources() {
    std::vector<TraceSource> out;
    if (const char* files = std::getenv("ARENA_TRACE_FILES"); files != nullptr && *files != '\0') {
        std::string list = files;
        std::size_t start = 0;
        while (start <= list.size()) {
            std::size_t end = list.find(':', start);
            if (end == std::string::npos) end = list.size();
            if (end > start) {
                std::string path = list.substr(start, end - start);
                out.push_back({trace::trace_name_from_path(path), path});
            }
            start = end + 1;
        }
        return out;
    }
    if (scale() == Scale::kSmoke) return {{"synthetic", ""}};
    const char* env_dir = std::getenv("ARENA_TRACE_DIR");
    std::string dir = env_dir != nullptr && *env_dir != '\0' ? env_dir : ARENA_TRACE_DEFAULT_DIR;
    std::string suffix = std::string(".") + scale_name(scale()) + ".trace";
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
            std::string file = e->d_name;
            if (file.size() > suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0) {
                out.push_back({trace::trace_name_from_path(file), dir + "/" + file});
            }
        }
        closedir(d);
    }
    std::sort(out.begin(), out.end(), [](const TraceSource& a, const TraceSource& b) { return a.name < b.name; });
    if (out.empty()) {
        std::fprintf(stderr,
                     "trace_replay: no recorded *%s traces in %s (scripts/record-trace makes them); "
                     "replaying the synthetic trace instead\n",
                     suffix.c_str(), dir.c_str());
        out.push_back({"synthetic", ""});
    }
    return out;
}

// Loads (once per process) the trace of a source. A trace that cannot be read
// is a failed check: the error is reported and an empty trace replayed.
inline std::shared_ptr<const trace::ReplayTrace> trace_for(const TraceSource& src) {
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const trace::ReplayTrace>> cache;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(src.name);
    if (it != cache.end()) return it->second;
    std::shared_ptr<const trace::ReplayTrace> t;
    try {
        t = src.path.empty() ? trace::parse_trace(trace::synthetic_trace(), src.name, "")
                             : trace::load_trace(src.path, src.name);
    } catch (const trace::TraceError& e) {
        report_failure(std::string("trace_replay: ") + e.what());
        auto empty = std::make_shared<trace::ReplayTrace>();
        empty->name = src.name;
        t = empty;
    }
    cache.emplace(src.name, t);
    return t;
}

}  // namespace bench

#endif  // WORKLOADS_TRACE_TRACE_REGISTRY_H
