// llvm_bump_adapter.h - llvm::BumpPtrAllocator (LLVM 14's Support library),
// the allocator behind clang's and LLVM's ASTs and IR.
//
// allocate() is Allocate(n, Align(a)): a bump in the current slab; a request
// that does not fit and whose padded size exceeds the slab size (4096) gets a
// slab of its own (a "custom-sized slab"). reset() is Reset(), which keeps
// the FIRST slab only: every other slab and every custom-sized slab goes back
// to upstream, so a warm cycle that outgrows 4 KiB allocates its slabs again.
// release() replaces the allocator by a fresh one (every slab freed).
//
// First block: the slab size is a template parameter (4096, growing after
// every 128 slabs); there is no run-time knob, so AdapterConfig::
// initial_capacity is not used and every instance gets LLVM's default, which
// equals ARENA_DEFAULT_CAPACITY.
//
// Slabs come from the allocator's AllocatorT, here CountingSlabAllocator: the
// default MallocAllocator's own calls (llvm::allocate_buffer / deallocate_
// buffer) plus a count, so upstream_allocations() is measured without
// changing slab sizes. footprint_bytes() is getTotalMemory() (every slab and
// custom slab held) of the allocator and of each open region; verify_live()
// checks getBytesAllocated(), GetNumSlabs() and the count against each other.
//
// Nested regions are a second BumpPtrAllocator over the same counter (the way
// LLVM code gives a pass its own allocator); reset() is its Reset(), closing
// it frees its slabs. While open it counts in footprint_bytes().
#ifndef COMPETITORS_LLVM_BUMP_ADAPTER_H
#define COMPETITORS_LLVM_BUMP_ADAPTER_H

#include <llvm/Support/Allocator.h>

#include <new>

#include "adapter.h"
#include "region.h"

namespace competitors {

// Upstream calls of every slab allocator that shares it.
struct SlabCounts {
    std::size_t allocations = 0;
    std::size_t bytes = 0;  // held now
};

// llvm::MallocAllocator with a count: the same allocate_buffer/deallocate_buffer.
class CountingSlabAllocator : public llvm::AllocatorBase<CountingSlabAllocator> {
public:
    explicit CountingSlabAllocator(SlabCounts* counts) : counts_(counts) {}

    void* Allocate(std::size_t size, std::size_t align) {
        void* p;
        try {
            p = llvm::allocate_buffer(size, align);
        } catch (const std::bad_alloc&) {
            out_of_memory("llvm_bump", size, align);
        }
        counts_->allocations += 1;
        counts_->bytes += size;
        return p;
    }
    void Deallocate(const void* p, std::size_t size, std::size_t align) {
        counts_->bytes -= size;
        llvm::deallocate_buffer(const_cast<void*>(p), size, align);
    }
    using llvm::AllocatorBase<CountingSlabAllocator>::Allocate;
    using llvm::AllocatorBase<CountingSlabAllocator>::Deallocate;

private:
    SlabCounts* counts_;
};

class LlvmBumpAdapter : public AdapterBase<lifetime::Bulk> {
    // LLVM's defaults for everything but the slab source.
    using Bump = llvm::BumpPtrAllocatorImpl<CountingSlabAllocator>;

public:
    static constexpr std::string_view kName = "llvm_bump";
    // Reset() gives back every slab but the first (see above).
    static constexpr bool kResetFreesBlocks = true;

    explicit LlvmBumpAdapter(const AdapterConfig&) : bump_(CountingSlabAllocator(&counts_)) {}

    void* allocate(std::size_t size, std::size_t align) { return bump_.Allocate(size, llvm::Align(align)); }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void*, std::size_t, std::size_t) {}  // Deallocate() only poisons under ASan
    void reset() { bump_.Reset(); }
    void release() { bump_ = Bump(CountingSlabAllocator(&counts_)); }  // move-assignment frees every slab
    std::size_t footprint_bytes() const {
        std::size_t bytes = bump_.getTotalMemory();
        return bytes + regions_.sum([](const Region& r) { return r.bump_.getTotalMemory(); });
    }
    std::optional<std::size_t> upstream_allocations() const { return counts_.allocations; }

    // A second BumpPtrAllocator, listed in its adapter while open.
    class Region : public lifetime::Bulk, public OpenRegions<Region>::Link {
    public:
        static constexpr const char* kKind = "second BumpPtrAllocator";
        explicit Region(LlvmBumpAdapter& owner)
            : OpenRegions<Region>::Link(owner.regions_), bump_(CountingSlabAllocator(&owner.counts_)) {}
        void* allocate(std::size_t n, std::size_t align) { return bump_.Allocate(n, llvm::Align(align)); }
        void* allocate_pointer_free(std::size_t n, std::size_t align) { return allocate(n, align); }
        void deallocate(void*, std::size_t, std::size_t) {}
        void reset() { bump_.Reset(); }

    private:
        friend class LlvmBumpAdapter;
        Bump bump_;
    };
    // The slab size is fixed at compile time: initial_capacity is not used.
    Region open_region(std::size_t) { return Region(*this); }

    static bool verify_live(std::string* why) {
        SlabCounts counts;
        bool ok;
        {
            Bump b{CountingSlabAllocator(&counts)};
            void* p = b.Allocate(64, llvm::Align(16));
            ok = p != nullptr && b.getBytesAllocated() == 64 && b.GetNumSlabs() == 1 && counts.allocations == 1 &&
                 b.getTotalMemory() == counts.bytes;
        }
        ok = ok && counts.bytes == 0;
        if (!ok && why) *why = "llvm_bump: BumpPtrAllocator's statistics do not match its slab allocations";
        return ok;
    }

private:
    SlabCounts counts_;  // before bump_: it outlives the slabs
    Bump bump_;
    OpenRegions<Region> regions_;
};

}  // namespace competitors

#endif  // COMPETITORS_LLVM_BUMP_ADAPTER_H
