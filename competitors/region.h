// region.h - nested regions: temporaries with a lifetime of their own inside
// an adapter's (one form's compiler temporaries, one batch of trees, the
// objects of one trace phase).
//
// An adapter whose allocator can nest offers
//   R a.open_region(std::size_t initial_capacity);
// returning a region R, not copyable, with
//   void* allocate(size, align); void* allocate_pointer_free(size, align);
//   void deallocate(p, size, align);  // a no-op unless R::kFrees
//   void reset();                     // every object in the region is dead
//   kFrees, kBulkRelease, kCollected  // its lifetime kind (adapter.h)
//   kKind                             // what it is, for messages and tests
// While it is open its memory counts in the adapter's footprint_bytes().
// A region is closed (destroyed) before its adapter, but may be closed after
// the adapter's reset() or release(): release() may take the region's memory
// with the rest (the arena destroys its child arenas), and the close then
// only forgets it.
//
// Workloads call open_region(a, initial_capacity) below and name the type
// RegionOf<A>: for an adapter that offers no region, the region is the adapter
// itself (SelfRegion), and its temporaries die the adapter's way (freed one by
// one, dropped for a collector, or abandoned in a bump buffer).
#ifndef COMPETITORS_REGION_H
#define COMPETITORS_REGION_H

#include <concepts>
#include <cstddef>
#include <new>
#include <utility>

#include "adapter.h"

namespace competitors {

template <class R>
concept Region = requires(R& r, std::size_t n, void* p) {
    { r.allocate(n, n) } -> std::same_as<void*>;
    { r.allocate_pointer_free(n, n) } -> std::same_as<void*>;
    r.deallocate(p, n, n);
    r.reset();
    { R::kFrees } -> std::convertible_to<bool>;
    { R::kBulkRelease } -> std::convertible_to<bool>;
    { R::kCollected } -> std::convertible_to<bool>;
    { R::kKind } -> std::convertible_to<const char*>;
};

// Capability: the adapter opens nested regions of its own.
template <class A>
concept OffersRegion = Adapter<A> && requires(A& a, std::size_t n) {
    { a.open_region(n) } -> Region;
};

// The fallback: temporaries come from the adapter itself.
template <Adapter A>
class SelfRegion {
public:
    static constexpr bool kFrees = A::kFrees, kBulkRelease = A::kBulkRelease, kCollected = A::kCollected;
    static constexpr const char* kKind = "parent";

    explicit SelfRegion(A& a) : a_(a) {}
    SelfRegion(const SelfRegion&) = delete;
    SelfRegion& operator=(const SelfRegion&) = delete;
    void* allocate(std::size_t n, std::size_t align) { return a_.allocate(n, align); }
    void* allocate_pointer_free(std::size_t n, std::size_t align) { return a_.allocate_pointer_free(n, align); }
    void deallocate(void* p, std::size_t n, std::size_t align) { a_.deallocate(p, n, align); }
    // Every temporary is dead already: freed one by one, dropped, or abandoned.
    void reset() {}

private:
    A& a_;
};

// A region of a: its own where the adapter offers one, else the adapter itself.
// (Returned by value: regions are neither copied nor moved.)
template <Adapter A>
[[nodiscard]] auto open_region(A& a, [[maybe_unused]] std::size_t initial_capacity) {
    if constexpr (OffersRegion<A>) {
        return a.open_region(initial_capacity);
    } else {
        return SelfRegion<A>(a);
    }
}

template <Adapter A>
using RegionOf = decltype(open_region(std::declval<A&>(), std::size_t{}));

// The regions an adapter has open, whose memory its footprint_bytes() counts.
// A region R derives from OpenRegions<R>::Link, constructed from its adapter's
// list: it is listed from construction to destruction.
template <class R>
class OpenRegions {
public:
    class Link {
    public:
        explicit Link(OpenRegions& list) : list_(list), next_(list.head_) {
            if (next_ != nullptr) next_->prev_ = this;
            list.head_ = this;
        }
        ~Link() {
            (prev_ != nullptr ? prev_->next_ : list_.head_) = next_;
            if (next_ != nullptr) next_->prev_ = prev_;
        }
        Link(const Link&) = delete;
        Link& operator=(const Link&) = delete;

    private:
        friend class OpenRegions;
        OpenRegions& list_;
        Link* prev_ = nullptr;
        Link* next_;
    };

    OpenRegions() = default;
    OpenRegions(const OpenRegions&) = delete;
    OpenRegions& operator=(const OpenRegions&) = delete;

    // The sum of f(region) over the open regions.
    template <class F>
    std::size_t sum(F f) const {
        std::size_t total = 0;
        for (const Link* l = head_; l != nullptr; l = l->next_) total += f(static_cast<const R&>(*l));
        return total;
    }

private:
    Link* head_ = nullptr;
};

// Holds one open region between calls, for code that is not a template on the
// adapter (a workload opens it in fill() and closes it in release()). Inline
// storage: opening allocates nothing beyond what the allocator itself does.
class RegionSlot {
public:
    RegionSlot() = default;
    RegionSlot(const RegionSlot&) = delete;
    RegionSlot& operator=(const RegionSlot&) = delete;
    ~RegionSlot() { close(); }

    // Closes the region held, if any, and opens a region of a.
    template <Adapter A>
    RegionOf<A>& open(A& a, std::size_t initial_capacity) {
        using R = RegionOf<A>;
        static_assert(sizeof(R) <= kBytes && alignof(R) <= alignof(std::max_align_t), "RegionSlot too small");
        close();
        R* r = ::new (static_cast<void*>(storage_)) R(open_region(a, initial_capacity));
        close_ = [](void* p) { static_cast<R*>(p)->~R(); };
        return *r;
    }
    // Destroys the region held (its memory goes back to the adapter).
    void close() {
        if (close_ != nullptr) std::exchange(close_, nullptr)(storage_);
    }

private:
    static constexpr std::size_t kBytes = 128;
    alignas(std::max_align_t) unsigned char storage_[kBytes];
    void (*close_)(void*) = nullptr;
};

}  // namespace competitors

#endif  // COMPETITORS_REGION_H
