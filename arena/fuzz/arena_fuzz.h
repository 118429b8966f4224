// The arena fuzz harness: one byte-encoded sequence of operations on a forest
// of arenas, each checked against a simple model. Used by the libFuzzer target
// (fuzz_arena.cpp) and by the corpus replay in the unit tests.
#ifndef ARENA_FUZZ_ARENA_FUZZ_H
#define ARENA_FUZZ_ARENA_FUZZ_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace arena_fuzz {

// Runs the sequence encoded in data[0, size). Returns "" when every check
// held, otherwise a description of the first violation. With trace set, every
// operation is printed to stderr as it runs (for minimising a crash by hand).
// With sabotage set, the harness corrupts one byte of an older allocation
// after every allocation, as an overlapping allocator would: the tests use it
// to prove the checks can fail.
std::string run(const uint8_t *data, size_t size, bool trace = false, bool sabotage = false);

} // namespace arena_fuzz

#endif
