// fill.h - the timed fill loop every synthetic workload shares, and the base
// of the workloads whose sizes are drawn from their seed. Everything here is
// inline and templated on the adapter and the alignment, so the loop compiles
// to what a hand-written one would: no indirect call, no RNG, no runtime
// alignment in the timed code.
#ifndef WORKLOADS_FILL_H
#define WORKLOADS_FILL_H

#include "workload.h"

namespace bench {

// One timed allocation: the probe brackets the allocator call and nothing else.
template <std::size_t Align, Adapter A, class P>
inline void* timed_allocate(A& a, P& probe, std::size_t size) {
    probe.before();
    void* p = a.allocate_pointer_free(size, Align);
    probe.after(size);
    return p;
}

// n allocations of size_of(0), ..., size_of(n - 1) bytes at Align, in that
// order, each listed in table with its index as its serial.
template <std::size_t Align, Adapter A, class P, class SizeOf>
inline void fill_loop(A& a, P& probe, ObjectTable& table, std::size_t n, SizeOf size_of) {
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t size = size_of(i);
        table.push(timed_allocate<Align>(a, probe, size), size, static_cast<std::uint32_t>(i));
    }
}

// A workload that allocates a list of sizes drawn once, at construction, from
// its seed: draw(rng) gives the next size. capacity_hint() is the bump bytes
// of the whole list at the alignment given; the default fill allocates the
// whole list at 16 bytes.
template <class Derived>
class DrawnSizes : public Workload<Derived> {
public:
    std::size_t allocs_per_fill() const { return sizes_.capacity(); }
    std::size_t capacity_hint() const { return hint_; }

    template <Adapter A, class P>
    void fill(A& a, P& probe) {
        fill_first<16>(a, probe, sizes_.capacity());
    }

protected:
    // count sizes drawn at construction; table_capacity is the most objects
    // alive at once (churn frees as it goes, so it lists fewer than it draws).
    template <class Draw>
    DrawnSizes(std::size_t table_capacity, std::uint64_t seed, std::size_t count, std::size_t align, Draw draw)
        : Workload<Derived>(table_capacity, seed), rng_(seed), sizes_(count) {
        for (std::size_t i = 0; i < count; ++i) {
            sizes_[i] = draw(rng_);
            hint_ += bump_bytes(sizes_[i], align);
        }
    }

    // The first n sizes of the list, serials 0 .. n-1.
    template <std::size_t Align, Adapter A, class P>
    void fill_first(A& a, P& probe, std::size_t n) {
        const std::uint32_t* sizes = sizes_.data();
        fill_loop<Align>(a, probe, this->table_, n, [sizes](std::size_t i) { return sizes[i]; });
    }

    Rng rng_;                           // left after the sizes, for anything else the workload draws
    MappedArray<std::uint32_t> sizes_;  // precomputed: no RNG in the timed loop
    std::size_t hint_ = 0;
};

}  // namespace bench

#endif  // WORKLOADS_FILL_H
