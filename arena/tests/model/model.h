// The model's state: what each arena of the forest should hold.
#ifndef ARENA_TESTS_MODEL_MODEL_H
#define ARENA_TESTS_MODEL_MODEL_H

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "arena/arena.h"
#include "upstream.h"

namespace arena_model {

constexpr size_t kMaxArenas = 8;
constexpr size_t kMaxMarks = 8;
constexpr size_t kMaxStale = 16;
constexpr size_t kMaxLive = 1024; // live allocations per arena
constexpr size_t kCleanupNodeBytes = 3 * sizeof(void *); // the arena's own record per cleanup

struct Allocation {
    unsigned char *ptr;
    size_t size;
    size_t alignment;
    uint8_t fill; // 0: a cleanup record, checked field by field
};

// What a mark restores.
struct Snapshot {
    ArenaMark mark;
    std::vector<Allocation> live;
    size_t count;
    size_t requested;
    size_t cleanups;
};

struct Node {
    int id;
    Arena *arena;
    int parent; // id, or -1 for a root
    TrackingUpstream *upstream;
    std::vector<Allocation> live; // in allocation order
    size_t count = 0;             // the arena's allocation_count
    size_t requested = 0;         // the arena's requested_bytes
    std::vector<Snapshot> marks;  // valid marks, oldest first
    std::vector<ArenaMark> stale; // must be refused
    size_t cleanups = 0;          // registered and not yet run
    size_t resets = 0;
    std::vector<std::pair<size_t, size_t>> since_reset; // (size, alignment) of every allocation
    bool replayable = true; // since_reset replays to the same layout
};

class Harness;

// What a registered cleanup receives; lives in the arena it is registered on.
struct CleanupRecord {
    Harness *harness;
    int id;
    size_t seq;
};

// What an allocation of size adds to requested_bytes: its size rounded up to
// the 16-byte granule (0 stays 0), however it was served.
inline size_t granules(size_t size) {
    return (size + ARENA_DEFAULT_ALIGNMENT - 1) & ~size_t{ARENA_DEFAULT_ALIGNMENT - 1};
}

inline uint8_t pattern(uint8_t fill, size_t offset) { return static_cast<uint8_t>(fill + offset * 131); }

// Offsets written and checked: every one, or the first and last 256 bytes
// and one every 4 KiB.
template <typename F> void for_each_sample(size_t size, bool every_byte, F f) {
    if (every_byte || size <= 512) {
        for (size_t k = 0; k < size; ++k) f(k);
        return;
    }
    for (size_t k = 0; k < 256; ++k) f(k);
    for (size_t k = 4096; k < size - 256; k += 4096) f(k);
    for (size_t k = size - 256; k < size; ++k) f(k);
}

} // namespace arena_model

#endif
