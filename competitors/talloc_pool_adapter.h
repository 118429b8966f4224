// talloc_pool_adapter.h - talloc (libtalloc): talloc_size under a talloc_pool,
// talloc_free_children(pool) as reset().
//
// The first block: a talloc_pool is one block of a fixed size that never
// grows; once it is full, talloc mallocs every further object on its own
// (header included) and frees it again when its parent's children are freed.
// The pool gets AdapterConfig::initial_capacity bytes (the arena's first-block
// size; when that is 0 the arena's own default, 4096): what a user who sizes
// the pool like the arena's first block gets. Workloads that allocate more
// than that per cycle therefore measure talloc's malloc path for the rest.
//
// talloc's header: every object carries a chunk header (96 bytes in talloc
// 2.4, measured once at run time), in the pool as outside it, and talloc
// aligns objects to 16. For a larger alignment the adapter asks for
// size + align - 16 bytes and rounds the pointer up (talloc has no aligned
// allocation).
//
// Footprint and upstream allocations: talloc has no allocator hook and its
// statistics (talloc_total_size, talloc_total_blocks) count the bytes asked
// for, not the memory held. So each allocation is classified by address: an
// object outside the pool's range is a malloc of its own. Footprint = the pool
// (its size plus one header; its 32-byte pool header is not visible and not
// counted) + every object outside the pool still alive (size + header);
// upstream allocations = pools created + objects outside the pool. A compare
// per allocation; verify_live() checks the classification against
// talloc_total_size and talloc_total_blocks.
//
// reset() frees the pool's children: objects inside it cost nothing to free,
// objects outside it are each freed to malloc (kResetFreesBlocks). release()
// frees the pool itself and creates a new one. No per-object free: objects die
// with their parent (talloc_free of one object exists, but an aligned object's
// pointer is not its talloc pointer, and deallocate() is not told which).
//
// Nested regions are child contexts (talloc_new) of the pool: their objects
// come from the pool while it has room, from malloc after; reset() is
// talloc_free_children of the child, closing it talloc_free. The adapter's
// reset() and release() free open children with the rest (then closing one
// only forgets it). talloc_new has no size: the region's initial capacity is
// not used.
#ifndef COMPETITORS_TALLOC_POOL_ADAPTER_H
#define COMPETITORS_TALLOC_POOL_ADAPTER_H

#include <talloc.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "adapter.h"

namespace competitors {

class TallocPoolAdapter : public AdapterBase<lifetime::Bulk> {
public:
    static constexpr std::string_view kName = "talloc_pool";
    static constexpr bool kResetFreesBlocks = true;  // objects beyond the pool go back to malloc

    explicit TallocPoolAdapter(const AdapterConfig& config)
        : pool_size_(config.initial_capacity != 0 ? config.initial_capacity : kDefaultCapacity) {
        create();
    }
    ~TallocPoolAdapter() { talloc_free(pool_); }
    static void process_init() { header_bytes(); }

    void* allocate(std::size_t size, std::size_t align) { return allocate_in(pool_, size, align, nullptr); }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void*, std::size_t, std::size_t) {}
    void reset() {
        talloc_free_children(pool_);
        outside_bytes_ = 0;
        ++generation_;
    }
    void release() {
        talloc_free(pool_);
        create();
    }
    std::size_t footprint_bytes() const { return pool_bytes() + outside_bytes_; }
    std::optional<std::size_t> upstream_allocations() const { return upstream_; }

    // A child context of the pool.
    class ChildContext : public lifetime::Bulk {
    public:
        static constexpr const char* kKind = "talloc child context";
        explicit ChildContext(TallocPoolAdapter& owner) : owner_(owner), generation_(owner.generation_) {
            ctx_ = talloc_new(owner.pool_);
            if (ctx_ == nullptr) out_of_memory(kRegionName, 0, 0);
            owner.note(ctx_, 0, &own_bytes_);
        }
        ~ChildContext() {
            if (owner_.generation_ != generation_) return;  // freed with the pool's children already
            talloc_free(ctx_);
            owner_.outside_bytes_ -= own_bytes_ + bytes_;
        }
        ChildContext(const ChildContext&) = delete;
        ChildContext& operator=(const ChildContext&) = delete;
        void* allocate(std::size_t n, std::size_t align) { return owner_.allocate_in(ctx_, n, align, &bytes_); }
        void* allocate_pointer_free(std::size_t n, std::size_t align) { return allocate(n, align); }
        void deallocate(void*, std::size_t, std::size_t) {}
        void reset() {
            talloc_free_children(ctx_);
            owner_.outside_bytes_ -= bytes_;
            bytes_ = 0;
        }

    private:
        static constexpr std::string_view kRegionName = "talloc_pool region";
        TallocPoolAdapter& owner_;
        std::uint64_t generation_;  // the owner's reset()/release() count when opened
        void* ctx_;
        std::size_t own_bytes_ = 0;  // the context itself, if outside the pool
        std::size_t bytes_ = 0;      // its children outside the pool
    };
    ChildContext open_region(std::size_t) { return ChildContext(*this); }

    static bool verify_live(std::string* why) {
        TallocPoolAdapter a{AdapterConfig{}};
        const std::size_t size0 = talloc_total_size(a.pool_), blocks0 = talloc_total_blocks(a.pool_);
        void* small = a.allocate(64, 16);          // in the pool
        void* big = a.allocate(2 * a.pool_size_, 16);  // beyond it: a malloc of its own
        const std::size_t grew = talloc_total_size(a.pool_) - size0;
        const std::size_t blocks = talloc_total_blocks(a.pool_) - blocks0;
        bool ok = small != nullptr && big != nullptr && talloc_parent(big) == a.pool_ && grew == 64 + 2 * a.pool_size_ &&
                  blocks == 2 && a.upstream_ == 2 && a.outside_bytes_ == header_bytes() + 2 * a.pool_size_;
        if (!ok && why) *why = "talloc's statistics do not agree with the adapter's view of the pool";
        return ok;
    }

private:
    static constexpr std::size_t kDefaultCapacity = 4096;  // the arena's default first block

    // talloc's chunk header: the distance from a fresh pool to its first object.
    static std::size_t header_bytes() {
        static const std::size_t bytes = [] {
            void* pool = talloc_pool(nullptr, 1024);
            void* first = talloc_size(pool, 0);
            if (pool == nullptr || first == nullptr) out_of_memory(kName, 1024, 0);
            auto n = static_cast<std::size_t>(static_cast<char*>(first) - static_cast<char*>(pool));
            talloc_free(pool);
            return n;
        }();
        return bytes;
    }
    std::size_t pool_bytes() const { return pool_size_ + header_bytes(); }

    void create() {
        pool_ = talloc_pool(nullptr, pool_size_);
        if (pool_ == nullptr) out_of_memory(kName, pool_size_, 0);
        outside_bytes_ = 0;
        upstream_ += 1;
        ++generation_;
    }
    // Counts an object of n bytes outside the pool's range as a malloc of its
    // own (also in *region, for a child context's objects).
    void note(const void* p, std::size_t n, std::size_t* region) {
        auto offset = reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(pool_);
        if (offset >= pool_size_) {
            const std::size_t bytes = n + header_bytes();
            outside_bytes_ += bytes;
            upstream_ += 1;
            if (region != nullptr) *region += bytes;
        }
    }
    // The alignment test folds away for the constant alignments workloads pass.
    void* allocate_in(void* ctx, std::size_t size, std::size_t align, std::size_t* region) {
        const std::size_t n = align <= kTallocAlign ? size : size + (align - kTallocAlign);
        if (__builtin_expect(n < size, 0)) out_of_memory(kName, size, align);
        void* p = talloc_size(ctx, n);
        if (__builtin_expect(p == nullptr, 0)) out_of_memory(kName, size, align);
        note(p, n, region);
        if (align <= kTallocAlign) return p;
        return reinterpret_cast<void*>(align_up(reinterpret_cast<std::uintptr_t>(p), align));
    }

    static constexpr std::size_t kTallocAlign = 16;
    std::size_t pool_size_;
    void* pool_ = nullptr;
    std::size_t outside_bytes_ = 0;  // objects outside the pool, headers included
    std::size_t upstream_ = 0;       // pools created + objects outside the pool
    std::uint64_t generation_ = 0;   // reset() and release() count: open regions are gone
};

}  // namespace competitors

#endif  // COMPETITORS_TALLOC_POOL_ADAPTER_H
