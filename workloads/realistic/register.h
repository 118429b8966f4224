// register.h - registers the realistic workloads for one adapter type, with
// the synthetic ones' naming (<workload>/<allocator>) and run scales:
//   scheme_reader, compiler_nested  Scheme sources (corpus.h), 48 KiB smoke,
//                                   320 KiB quick, every file at full scale
//   json_dom                        JSON documents, 32 KiB / 512 KiB / all
//   binary_trees                    depth 6 / 12 / 16
//   request_reset                   300 / 3000 / 20000 requests per fill
// Inputs are loaded on first use; when the directories are given explicitly
// (environment, see corpus.h) they are checked here, and a bad setting ends
// the process with status 2 before anything runs.
#ifndef WORKLOADS_REALISTIC_REGISTER_H
#define WORKLOADS_REALISTIC_REGISTER_H

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "binary_trees.h"
#include "compiler_nested.h"
#include "corpus.h"
#include "json_dom.h"
#include "registry.h"
#include "request_reset.h"
#include "scheme_reader.h"

namespace bench {

namespace realistic {
// Loads the corpora now if their settings are explicit; exits with status 2
// on a bad setting. Adds the input settings to the benchmark context.
void check_input_settings(const char* program);
}  // namespace realistic

template <Adapter A>
void register_realistic(const char* program = "bench") {
    using namespace realistic;
    check_input_settings(program);
    const std::string alloc(A::kName);
    auto name = [&](std::string_view workload) { return std::string(workload) + "/" + alloc; };
    register_workload<A, SchemeReader>(name(SchemeReader::kName), [] {
        return std::make_unique<SchemeReader>(scheme_corpus());
    });
    register_workload<A, CompilerNested>(name(CompilerNested::kName), [] {
        return std::make_unique<CompilerNested>(scheme_corpus());
    });
    register_workload<A, JsonDom>(name(JsonDom::kName), [] { return std::make_unique<JsonDom>(json_corpus()); });
    register_workload<A, BinaryTrees>(name(BinaryTrees::kName), [] {
        return std::make_unique<BinaryTrees>(BinaryTrees::default_depth(), BinaryTrees::default_array());
    });
    register_workload<A, RequestReset>(name(RequestReset::kName), [] {
        return std::make_unique<RequestReset>(RequestReset::default_requests());
    });
}

}  // namespace bench

#endif  // WORKLOADS_REALISTIC_REGISTER_H
