// libFuzzer entry point: runs one input through the arena model
// (arena/tests/model) and aborts with the violated check, so libFuzzer saves
// the input as a crash artifact. Set ARENA_FUZZ_TRACE=1 to print every
// operation of a replayed input.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "arena_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const arena_model::RunOptions options{.trace = std::getenv("ARENA_FUZZ_TRACE") != nullptr};
    std::string violation = arena_model::run(data, size, options);
    if (!violation.empty()) {
        std::fprintf(stderr, "arena fuzz: model violated: %s\n", violation.c_str());
        std::abort();
    }
    return 0;
}
