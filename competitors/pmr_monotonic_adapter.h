// pmr_monotonic_adapter.h - std::pmr::monotonic_buffer_resource, the standard
// library's arena, default-constructed (no initial buffer) over a counting
// upstream resource (new/delete, i.e. glibc malloc) so that its footprint and
// upstream allocations can be read. deallocate() is a no-op (as in the
// resource itself); reset() and release() call release(), which hands every
// upstream block back. Nested regions are monotonic_buffer_resources over the
// same counting upstream, so their blocks count in footprint_bytes().
#ifndef COMPETITORS_PMR_MONOTONIC_ADAPTER_H
#define COMPETITORS_PMR_MONOTONIC_ADAPTER_H

#include <memory_resource>
#include <new>

#include "adapter.h"

namespace competitors {

// Forwards to an upstream resource and counts what passes through.
class CountingResource final : public std::pmr::memory_resource {
public:
    explicit CountingResource(std::pmr::memory_resource* upstream = std::pmr::new_delete_resource())
        : upstream_(upstream) {}
    std::size_t outstanding_bytes() const { return outstanding_; }
    std::size_t allocations() const { return allocations_; }

private:
    void* do_allocate(std::size_t bytes, std::size_t align) override {
        void* p = upstream_->allocate(bytes, align);
        outstanding_ += bytes;
        allocations_ += 1;
        return p;
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t align) override {
        outstanding_ -= bytes;
        upstream_->deallocate(p, bytes, align);
    }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
        return this == &other;
    }

    std::pmr::memory_resource* upstream_;
    std::size_t outstanding_ = 0;
    std::size_t allocations_ = 0;
};

class PmrMonotonicAdapter : public AdapterBase<lifetime::Bulk> {
public:
    static constexpr std::string_view kName = "pmr_monotonic";

    explicit PmrMonotonicAdapter(const AdapterConfig&) {}

    void* allocate(std::size_t size, std::size_t align) { return allocate_in(resource_, size, align, kName); }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void*, std::size_t, std::size_t) {}
    void reset() { resource_.release(); }
    void release() { resource_.release(); }
    std::size_t footprint_bytes() const { return upstream_.outstanding_bytes(); }
    std::optional<std::size_t> upstream_allocations() const { return upstream_.allocations(); }

    // A nested resource: reset() is its release(), closing it too.
    class NestedResource : public lifetime::Bulk {
    public:
        static constexpr const char* kKind = "nested monotonic_buffer_resource";
        NestedResource(std::pmr::memory_resource* upstream, std::size_t initial_capacity)
            : child_(initial_capacity != 0 ? initial_capacity : 1024, upstream) {}
        void* allocate(std::size_t n, std::size_t align) { return allocate_in(child_, n, align, "pmr_monotonic region"); }
        void* allocate_pointer_free(std::size_t n, std::size_t align) { return allocate(n, align); }
        void deallocate(void*, std::size_t, std::size_t) {}
        void reset() { child_.release(); }

    private:
        std::pmr::monotonic_buffer_resource child_;  // neither copyable nor movable
    };
    NestedResource open_region(std::size_t initial_capacity) { return NestedResource(&upstream_, initial_capacity); }

    static bool verify_live(std::string* why) {
        PmrMonotonicAdapter a{AdapterConfig{}};
        bool ok = a.allocate(64, 16) != nullptr && a.upstream_allocations() == 1u && a.footprint_bytes() >= 64;
        if (!ok && why) *why = "pmr_monotonic: the counting upstream saw no block";
        return ok;
    }

private:
    // On the concrete resource type: the call stays devirtualized.
    template <class Resource>
    static void* allocate_in(Resource& r, std::size_t size, std::size_t align, std::string_view who) {
        try {
            return r.allocate(size, align);
        } catch (const std::bad_alloc&) {
            out_of_memory(who, size, align);
        }
    }

    CountingResource upstream_;
    std::pmr::monotonic_buffer_resource resource_{&upstream_};
};

}  // namespace competitors

#endif  // COMPETITORS_PMR_MONOTONIC_ADAPTER_H
