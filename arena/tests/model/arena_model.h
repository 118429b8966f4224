// The arena model: a byte-encoded sequence of operations (encoding.h) on a
// forest of arenas, each checked against a simple model after every
// operation. The libFuzzer target (arena/fuzz) feeds it arbitrary bytes; the
// random-operation unit test feeds it bytes from a seeded generator; the
// corpus replay feeds it the committed inputs.
#ifndef ARENA_TESTS_MODEL_ARENA_MODEL_H
#define ARENA_TESTS_MODEL_ARENA_MODEL_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace arena_model {

struct RunOptions {
    // Print every operation to stderr as it runs (for minimising a crash by hand).
    bool trace = false;
    // Corrupt one byte of an older allocation after every allocation, as an
    // overlapping allocator would: the tests use it to prove the checks can fail.
    bool sabotage = false;
    // Operations between two checks of every live allocation's contents
    // (also checked after each rewind and at the end).
    size_t verify_every = 64;
    // Fill and check every byte of each allocation instead of a sample (the
    // first and last 256 bytes and one every 4 KiB).
    bool every_byte = false;
};

// Statistics of a run that passed, for tests that pin what a sequence did.
struct RunSummary {
    size_t operations = 0;
    size_t allocations = 0; // successful allocations and reallocations
    size_t rewinds = 0;     // to a valid mark
    size_t resets = 0;
    size_t cleanups_run = 0;
};

// Runs the sequence encoded in data[0, size). Returns "" when every check
// held, otherwise a description of the first violation.
std::string run(const uint8_t *data, size_t size, const RunOptions &options = {}, RunSummary *summary = nullptr);

} // namespace arena_model

#endif
