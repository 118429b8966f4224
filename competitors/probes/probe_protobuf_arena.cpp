// Feature probe of google::protobuf::Arena (libprotobuf 3.21).
#include <google/protobuf/arena.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "probe.h"

namespace probe {
namespace {

std::size_t g_block_calls = 0;

// ArenaOptions::block_alloc is protobuf's allocator hook.
void* counting_block_alloc(std::size_t n) {
    ++g_block_calls;
    return std::malloc(n);
}

// start_block_size is protobuf's knob for its first block: the shared size.
google::protobuf::ArenaOptions options(bool counting) {
    google::protobuf::ArenaOptions o;
    o.start_block_size = kFirstBlock;
    if (counting) {
        o.block_alloc = counting_block_alloc;
        o.block_dealloc = [](void* p, std::size_t) { std::free(p); };
    }
    return o;
}

}  // namespace

void align_4096() {
    google::protobuf::Arena a(options(false));
    // Above 8, AllocateAligned takes size + align - 8 bytes, which must be a
    // multiple of 8: 100 fails a CHECK (FatalException), so ask for 104.
    void* p = a.AllocateAligned(104, 4096);
    report_pointer(p, "AllocateAligned(104, 4096): size rounded up to 8 by the caller (AllocateAligned(100, 4096) "
                      "fails CHECK AlignUpTo8(n) == n)", 4096);
}

void oversized() {
    google::protobuf::Arena a(options(false));
    void* p = a.AllocateAligned(kOversized);
    report_pointer(p, "AllocateAligned(64 MiB), start block 64 KiB");
}

void size_zero() {
    google::protobuf::Arena a(options(false));
    void* p = a.AllocateAligned(0);
    report_pointer(p, "AllocateAligned(0)");
}

void size_max() {
    google::protobuf::Arena a(options(false));
    void* p = a.AllocateAligned(opaque(SIZE_MAX));
    report_pointer(p, "AllocateAligned(SIZE_MAX) (the size is rounded up to 8 without an overflow check)");
}

void reset_reuse() {
    google::protobuf::Arena a(options(true));
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(a.AllocateAligned(kPiece));
    const std::size_t first = g_block_calls;
    a.Reset();
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(a.AllocateAligned(kPiece));
    report_reuse(first, g_block_calls - first,
                 "ArenaOptions::block_alloc counting; bulk release Reset() frees every block it allocated");
}

void child_region() {
    report(kNo, "no nested arena: a second Arena is independent (arena.h has no parent/child API)");
}

void savepoint() {
    report(kNo, "no mark/rewind: Reset() releases everything (arena.h has no savepoint API)");
}

namespace {
int g_destroyed = 0;
}

void destructor() {
    google::protobuf::Arena a(options(false));
    int* object = google::protobuf::Arena::Create<int>(&a, 7);
    a.OwnCustomDestructor(object, [](void*) { ++g_destroyed; });
    a.Reset();
    if (g_destroyed == 1)
        report(kYes, "OwnCustomDestructor(object, fn) / OwnDestructor(T*) / Own(T*): ran once at Reset()");
    else
        report(kPartial, "the registered destructor ran " + std::to_string(g_destroyed) + " times at Reset()");
}

void statistics() {
    google::protobuf::Arena a(options(false));
    for (int i = 0; i < 10; ++i) static_cast<void>(a.AllocateAligned(100));
    const auto used = a.SpaceUsed();
    const auto allocated = a.SpaceAllocated();
    if (used >= 1000 && allocated >= used)
        report(kYes, "SpaceUsed() " + std::to_string(used) + ", SpaceAllocated() " + std::to_string(allocated));
    else
        report(kPartial, "SpaceUsed() " + std::to_string(used) + " after 10 allocations of 100 bytes");
}

}  // namespace probe
