// protobuf_arena_adapter.h - google::protobuf::Arena (libprotobuf 3.21), the
// arena protocol buffer messages are built in.
//
// allocate() is AllocateAligned(size, align). The arena hands out multiples
// of 8 from 8-aligned memory: for align <= 8 it rounds the size up itself;
// for a larger alignment it allocates size + align - 8 bytes and aligns
// inside them, which needs a size that is a multiple of 8 (rounded up here).
// A request that does not fit the current block gets a new block of at least
// its size. reset() is Reset(), which frees EVERY block (and, as the arena
// keeps its allocation policy in its first block, takes a new first block at
// once); release() is the same call. A warm reset cycle therefore goes back
// upstream for all its blocks.
//
// First block: ArenaOptions::start_block_size = AdapterConfig::
// initial_capacity, or ARENA_DEFAULT_CAPACITY (4096) when it is 0 (the size
// asked of upstream, the block header and the arena's own bookkeeping
// included). Later blocks double up to max_block_size, protobuf's default
// (8192) unless the first block is larger, then the first block's size.
//
// footprint_bytes() is SpaceAllocated() (the sum of the block sizes) of the
// arena and of each open region. Blocks come from ArenaOptions::block_alloc /
// block_dealloc, here ::operator new / sized ::operator delete as in the
// default, plus a count. The hooks take no context, so the count is per
// thread: upstream_allocations() is this thread's block allocations since the
// adapter was made, exact while it is the only protobuf adapter the thread
// uses (as in every benchmark and test; its regions count with it).
//
// Nested regions are a second Arena with the same options (start block from
// open_region's initial_capacity); reset() is its Reset(), closing it
// destroys it. While open it counts in footprint_bytes().
#ifndef COMPETITORS_PROTOBUF_ARENA_ADAPTER_H
#define COMPETITORS_PROTOBUF_ARENA_ADAPTER_H

#include <arena/arena.h>
#include <google/protobuf/arena.h>

#include <algorithm>
#include <new>

#include "adapter.h"
#include "region.h"

namespace competitors {

class ProtobufArenaAdapter : public AdapterBase<lifetime::Bulk> {
public:
    static constexpr std::string_view kName = "protobuf_arena";
    // Reset() gives every block back (see above).
    static constexpr bool kResetFreesBlocks = true;

    explicit ProtobufArenaAdapter(const AdapterConfig& config)
        : upstream_before_(counts().allocations), arena_(options(config.initial_capacity)) {}

    void* allocate(std::size_t size, std::size_t align) { return allocate_in(arena_, size, align); }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void*, std::size_t, std::size_t) {}  // an Arena cannot free one object
    void reset() { arena_.Reset(); }
    void release() { arena_.Reset(); }
    std::size_t footprint_bytes() const {
        std::size_t bytes = arena_.SpaceAllocated();
        return bytes + regions_.sum([](const Region& r) { return r.arena_.SpaceAllocated(); });
    }
    std::optional<std::size_t> upstream_allocations() const { return counts().allocations - upstream_before_; }

    // A second Arena, listed in its adapter while open.
    class Region : public lifetime::Bulk, public OpenRegions<Region>::Link {
    public:
        static constexpr const char* kKind = "second protobuf Arena";
        Region(ProtobufArenaAdapter& owner, std::size_t initial_capacity)
            : OpenRegions<Region>::Link(owner.regions_), arena_(options(initial_capacity)) {}
        void* allocate(std::size_t n, std::size_t align) { return allocate_in(arena_, n, align); }
        void* allocate_pointer_free(std::size_t n, std::size_t align) { return allocate(n, align); }
        void deallocate(void*, std::size_t, std::size_t) {}
        void reset() { arena_.Reset(); }

    private:
        friend class ProtobufArenaAdapter;
        google::protobuf::Arena arena_;
    };
    Region open_region(std::size_t initial_capacity) { return Region(*this, initial_capacity); }

    static bool verify_live(std::string* why) {
        const BlockCounts before = counts();
        bool ok;
        {
            google::protobuf::Arena arena(options(0));
            std::uint64_t used = arena.SpaceUsed();
            void* p = arena.AllocateAligned(64, 16);
            ok = p != nullptr && arena.SpaceUsed() >= used + 64 && counts().allocations == before.allocations + 1 &&
                 arena.SpaceAllocated() == counts().bytes - before.bytes;
        }
        ok = ok && counts().bytes == before.bytes;
        if (!ok && why) *why = "protobuf_arena: the Arena's statistics do not match its block allocations";
        return ok;
    }

private:
    struct BlockCounts {
        std::size_t allocations = 0;
        std::size_t bytes = 0;  // held now
    };
    static BlockCounts& counts() {
        static thread_local BlockCounts c;
        return c;
    }
    // The default block source (operator new / sized delete), counted.
    static void* block_alloc(std::size_t size) {
        void* p;
        try {
            p = ::operator new(size);
        } catch (const std::bad_alloc&) {
            out_of_memory(kName, size, 8);
        }
        counts().allocations += 1;
        counts().bytes += size;
        return p;
    }
    static void block_dealloc(void* p, std::size_t size) {
        counts().bytes -= size;
        ::operator delete(p, size);
    }
    static google::protobuf::ArenaOptions options(std::size_t initial_capacity) {
        google::protobuf::ArenaOptions o;
        o.start_block_size = initial_capacity != 0 ? initial_capacity : ARENA_DEFAULT_CAPACITY;
        o.max_block_size = std::max(o.max_block_size, o.start_block_size);
        o.block_alloc = block_alloc;
        o.block_dealloc = block_dealloc;
        return o;
    }
    static void* allocate_in(google::protobuf::Arena& arena, std::size_t size, std::size_t align) {
        // Alignments fold away for the constants workloads pass.
        if (align <= 8) return arena.AllocateAligned(size, align);
        return arena.AllocateAligned(align_up(size, 8), align);
    }

    std::size_t upstream_before_;  // before arena_: its first block counts
    google::protobuf::Arena arena_;
    OpenRegions<Region> regions_;
};

}  // namespace competitors

#endif  // COMPETITORS_PROTOBUF_ARENA_ADAPTER_H
