// Feature probe of llvm::BumpPtrAllocator (LLVM 14 Support).
#include <llvm/Support/Allocator.h>

#include <cstdint>
#include <string>

#include "probe.h"

namespace probe {
namespace {

std::size_t g_slab_calls = 0;  // slabs requested from the upstream

// LLVM's MallocAllocator, counting: BumpPtrAllocatorImpl takes its upstream
// as a template argument, so this is the allocator hook.
class CountingMalloc : public llvm::MallocAllocator {
public:
    void* Allocate(std::size_t size, std::size_t alignment) {
        ++g_slab_calls;
        return llvm::MallocAllocator::Allocate(size, alignment);
    }
    using llvm::MallocAllocator::Deallocate;
};

// The slab size is LLVM's knob for its blocks: the shared first-block size.
using Bump = llvm::BumpPtrAllocatorImpl<llvm::MallocAllocator, kFirstBlock>;
using CountingBump = llvm::BumpPtrAllocatorImpl<CountingMalloc, kFirstBlock>;

}  // namespace

void align_4096() {
    Bump a;
    void* p = a.Allocate(100, llvm::Align(4096));
    report_pointer(p, "Allocate(100, Align(4096))", 4096);
}

void oversized() {
    Bump a;
    void* p = a.Allocate(kOversized, llvm::Align(16));
    report_pointer(p, "Allocate(64 MiB, Align(16)), slab 64 KiB (a custom-sized slab)");
}

void size_zero() {
    Bump a;
    void* p = a.Allocate(0, llvm::Align(16));
    report_pointer(p, "Allocate(0, Align(16))");
}

void size_max() {
    Bump a;
    void* p = a.Allocate(opaque(SIZE_MAX), llvm::Align(16));
    // Not touched: whatever came back cannot hold SIZE_MAX bytes.
    report_pointer(p, "Allocate(SIZE_MAX, Align(16)) (no overflow check in release builds; the pointer "
                      "cannot hold the size)");
}

void reset_reuse() {
    CountingBump a;
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(a.Allocate(kPiece, llvm::Align(16)));
    const std::size_t first = g_slab_calls;
    a.Reset();
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(a.Allocate(kPiece, llvm::Align(16)));
    report_reuse(first, g_slab_calls - first,
                 "a counting AllocatorT (the template's upstream); bulk release Reset() keeps the first slab only");
}

void child_region() {
    report(kNo, "no nested allocator: a second BumpPtrAllocator is independent of the first "
                "(Allocator.h has no parent/child API)");
}

void savepoint() {
    report(kNo, "no mark/rewind: Reset() releases everything (Allocator.h has no savepoint API)");
}

namespace {
int g_destroyed = 0;
struct Counted {
    ~Counted() { ++g_destroyed; }
};
}  // namespace

void destructor() {
    {
        llvm::SpecificBumpPtrAllocator<Counted> a;
        new (a.Allocate()) Counted;
        new (a.Allocate()) Counted;
        a.DestroyAll();
    }
    if (g_destroyed == 2)
        report(kPartial, "SpecificBumpPtrAllocator<T>::DestroyAll() runs ~T for every object, of one type "
                         "per allocator; no cleanup registration for arbitrary functions");
    else
        report(kNo, "SpecificBumpPtrAllocator<T>::DestroyAll() ran " + std::to_string(g_destroyed) +
                        " destructors of 2");
}

void statistics() {
    Bump a;
    for (int i = 0; i < 10; ++i) static_cast<void>(a.Allocate(100, llvm::Align(16)));
    if (a.getBytesAllocated() == 1000 && a.getTotalMemory() >= 1000 && a.GetNumSlabs() == 1)
        report(kYes, "getBytesAllocated() " + std::to_string(a.getBytesAllocated()) + ", getTotalMemory() " +
                         std::to_string(a.getTotalMemory()) + ", GetNumSlabs() " +
                         std::to_string(a.GetNumSlabs()) + ", PrintStats()");
    else
        report(kPartial, "getBytesAllocated() " + std::to_string(a.getBytesAllocated()) +
                             " after 10 allocations of 100 bytes");
}

}  // namespace probe
