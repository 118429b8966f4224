// arena_adapter.h - ours: arena_alloc / arena_alloc_aligned from the C API.
// reset() is arena_reset (keeps every block), release() is arena_destroy
// followed by a fresh arena_create (so the adapter stays usable). Nested
// regions are child arenas (arena_create_child), counted in the parent's
// statistics while they live; block_stats() reports them too.
#ifndef COMPETITORS_ARENA_ADAPTER_H
#define COMPETITORS_ARENA_ADAPTER_H

#include <arena/arena.h>

#include "adapter.h"

namespace competitors {

class ArenaAdapter : public AdapterBase<lifetime::Bulk> {
public:
    static constexpr std::string_view kName = "arena";
    static constexpr bool kPhaseResetVariant = true;

    explicit ArenaAdapter(const AdapterConfig& config) {
        arena_options_init(&options_);
        if (config.initial_capacity != 0) options_.initial_capacity = config.initial_capacity;
        create();
    }
    ~ArenaAdapter() { arena_destroy(arena_); }

    void* allocate(std::size_t size, std::size_t align) { return allocate_in(arena_, size, align, kName); }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void*, std::size_t, std::size_t) {}  // an arena cannot free one object
    void reset() { arena_reset(arena_); }
    void release() {
        retired_upstream_ += stats().upstream_allocations;
        arena_destroy(arena_);  // and every child arena still open
        ++releases_;
        create();
    }
    std::size_t footprint_bytes() const { return stats().committed_bytes; }
    std::optional<std::size_t> upstream_allocations() const {
        return retired_upstream_ + stats().upstream_allocations;
    }
    BlockStats block_stats() const {
        ArenaStats s = stats();
        return {s.block_count, s.committed_bytes, s.requested_bytes, s.suggested_initial_capacity};
    }
    Arena* get() const { return arena_; }

    // A child arena: reset() is arena_reset, closing it arena_destroy, unless
    // the adapter's release() destroyed it with the parent already.
    class ChildArena : public lifetime::Bulk {
    public:
        static constexpr const char* kKind = "child arena";
        ChildArena(ArenaAdapter& owner, std::size_t initial_capacity)
            : owner_(owner), opened_after_(owner.releases_), child_(arena_create_child(owner.arena_, initial_capacity)) {
            if (child_ == nullptr) out_of_memory(kRegionName, initial_capacity, 0);
        }
        ~ChildArena() {
            if (owner_.releases_ == opened_after_) arena_destroy(child_);
        }
        ChildArena(const ChildArena&) = delete;
        ChildArena& operator=(const ChildArena&) = delete;
        void* allocate(std::size_t n, std::size_t align) { return allocate_in(child_, n, align, kRegionName); }
        void* allocate_pointer_free(std::size_t n, std::size_t align) { return allocate(n, align); }
        void deallocate(void*, std::size_t, std::size_t) {}
        void reset() { arena_reset(child_); }

    private:
        static constexpr std::string_view kRegionName = "arena child";
        const ArenaAdapter& owner_;
        std::uint64_t opened_after_;  // the owner's release() count when opened
        Arena* child_;
    };
    ChildArena open_region(std::size_t initial_capacity) { return ChildArena(*this, initial_capacity); }

    static bool verify_live(std::string* why) {
        Arena* a = arena_create(0);
        void* p = arena_alloc(a, 64);
        ArenaStats s;
        arena_get_stats(a, &s, 0);
        bool ok = p != nullptr && s.allocation_count == 1 && s.requested_bytes == 64;
        arena_destroy(a);
        if (!ok && why) *why = "arena statistics do not count the allocation";
        return ok;
    }

private:
    // The alignment test folds away for the constant alignments workloads pass.
    static void* allocate_in(Arena* arena, std::size_t size, std::size_t align, std::string_view who) {
        // Never NULL here (create() and the child's constructor abort instead):
        // said so, the inline fast path drops its NULL-arena test, as a caller
        // holding an arena it created can.
        if (arena == nullptr) __builtin_unreachable();
        void* p = align <= ARENA_DEFAULT_ALIGNMENT ? arena_alloc(arena, size) : arena_alloc_aligned(arena, size, align);
        if (__builtin_expect(p == nullptr, 0)) out_of_memory(who, size, align);
        return p;
    }
    // Children included.
    ArenaStats stats() const {
        ArenaStats s;
        arena_get_stats(arena_, &s, ARENA_STATS_INCLUDE_CHILDREN);
        return s;
    }
    void create() {
        arena_ = arena_create_ex(&options_);
        if (arena_ == nullptr) out_of_memory(kName, options_.initial_capacity, 0);
    }

    ArenaOptions options_{};
    Arena* arena_ = nullptr;
    std::size_t retired_upstream_ = 0;
    std::uint64_t releases_ = 0;
};

}  // namespace competitors

#endif  // COMPETITORS_ARENA_ADAPTER_H
