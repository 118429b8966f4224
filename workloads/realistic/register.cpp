// register.cpp - input settings check for the bench binaries (register.h).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "corpus.h"

namespace bench::realistic {

void check_input_settings(const char* program) {
    static bool done = false;
    if (done) return;
    done = true;
    const char* mode = std::getenv("ARENA_BENCH_INPUTS");
    bool scheme_explicit = false, json_explicit = false;
    std::vector<std::string> scheme_dirs = input_dirs(InputKind::kScheme, &scheme_explicit);
    std::vector<std::string> json_dirs = input_dirs(InputKind::kJson, &json_explicit);
    try {
        if ((mode != nullptr && *mode != '\0') || scheme_explicit) scheme_corpus();
        if ((mode != nullptr && *mode != '\0') || json_explicit) json_corpus();
    } catch (const InputError& e) {
        std::fprintf(stderr, "%s: bad input setting: %s\n", program, e.what());
        std::exit(2);
    }
    auto join = [](const std::vector<std::string>& dirs) {
        std::string s;
        for (const std::string& d : dirs) s += (s.empty() ? "" : ":") + d;
        return s;
    };
    benchmark::AddCustomContext("realistic_inputs",
                                std::string("mode=") + (mode != nullptr && *mode ? mode : "auto") +
                                    "; scheme dirs=" + join(scheme_dirs) + "; json dirs=" + join(json_dirs) +
                                    " (each row's label says what was used)");
}

}  // namespace bench::realistic
