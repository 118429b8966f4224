// arena_adapter.h - ours: arena_alloc / arena_alloc_aligned from the C API.
// reset() is arena_reset (keeps every block), release() is arena_destroy
// followed by a fresh arena_create (so the adapter stays usable).
#ifndef COMPETITORS_ARENA_ADAPTER_H
#define COMPETITORS_ARENA_ADAPTER_H

#include <arena/arena.h>

#include "adapter.h"

namespace competitors {

class ArenaAdapter : public AdapterBase {
public:
    static constexpr std::string_view kName = "arena";
    static constexpr bool kFrees = false;
    static constexpr bool kBulkRelease = true;
    static constexpr bool kCollected = false;
    static constexpr FootprintScope kScope = FootprintScope::kInstance;

    explicit ArenaAdapter(const AdapterConfig& config) {
        arena_options_init(&options_);
        if (config.initial_capacity != 0) options_.initial_capacity = config.initial_capacity;
        create();
    }
    ~ArenaAdapter() {
        arena_destroy(arena_);
    }
    ArenaAdapter(const ArenaAdapter&) = delete;
    ArenaAdapter& operator=(const ArenaAdapter&) = delete;

    // The alignment test folds away for the constant alignments workloads pass.
    void* allocate(std::size_t size, std::size_t align) {
        void* p = align <= ARENA_DEFAULT_ALIGNMENT ? arena_alloc(arena_, size)
                                                   : arena_alloc_aligned(arena_, size, align);
        if (__builtin_expect(p == nullptr, 0)) out_of_memory(kName, size, align);
        return p;
    }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void*, std::size_t, std::size_t) {}  // an arena cannot free one object
    void reset() { arena_reset(arena_); }
    void release() {
        retired_upstream_ += stats().upstream_allocations;
        arena_destroy(arena_);
        create();
    }
    std::size_t footprint_bytes() const { return stats().committed_bytes; }
    std::optional<std::size_t> upstream_allocations() const {
        return retired_upstream_ + stats().upstream_allocations;
    }
    ArenaStats stats() const {
        ArenaStats s;
        arena_get_stats(arena_, &s, ARENA_STATS_INCLUDE_CHILDREN);
        return s;
    }
    Arena* get() const { return arena_; }

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
    void create() {
        arena_ = arena_create_ex(&options_);
        if (arena_ == nullptr) out_of_memory(kName, options_.initial_capacity, 0);
    }

    ArenaOptions options_{};
    Arena* arena_ = nullptr;
    std::size_t retired_upstream_ = 0;
};

}  // namespace competitors

#endif  // COMPETITORS_ARENA_ADAPTER_H
