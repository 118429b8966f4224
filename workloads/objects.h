// objects.h - what every workload does with its objects: a table of live
// objects (outside the measured heap), the stamp written into each object and
// the read-back that yields the checksum, the release of everything according
// to the allocator's kind, and the size distributions.
//
// Checksum: after a fill (outside the timed region) every live object gets a
// stamp: its first 8 bytes hold mix64(seed, serial) and its last byte the top
// byte of that value. All stamps are then read back in table order and folded
// into a 48-bit checksum. It depends only on the sequence of sizes and serials,
// so it is identical for every allocator; overlapping or misplaced objects
// change a stamp before it is read back, which is counted as corruption (and
// changes the checksum). Misaligned objects are counted too.
#ifndef WORKLOADS_OBJECTS_H
#define WORKLOADS_OBJECTS_H

#include <cmath>
#include <cstring>

#include "adapter.h"
#include "measure.h"

namespace bench {

using competitors::Adapter;

struct Slot {
    void* ptr;
    std::uint32_t size;
    std::uint32_t serial;
};

// Live objects of one workload, in its own mapped pages. A collector is told
// to scan it (add_roots) so that listed objects stay reachable.
class ObjectTable {
public:
    explicit ObjectTable(std::size_t capacity) : slots_(capacity) {}

    template <class A>
    void attach(A& a) {
        a.add_roots(begin_addr(), end_addr());
    }
    template <class A>
    void detach(A& a) {
        a.remove_roots(begin_addr(), end_addr());
    }

    void push(void* p, std::size_t size, std::uint32_t serial) {
        slots_[count_++] = Slot{p, static_cast<std::uint32_t>(size), serial};
    }
    Slot& operator[](std::size_t i) const { return slots_[i]; }
    std::size_t size() const { return count_; }
    std::size_t capacity() const { return slots_.capacity(); }
    // Forget every object; drop = also erase the references (needed before a
    // collection, so that the collector sees the objects as garbage).
    void clear(bool drop) {
        if (drop) std::memset(static_cast<void*>(slots_.data()), 0, count_ * sizeof(Slot));
        count_ = 0;
    }

private:
    void* begin_addr() const { return slots_.data(); }
    void* end_addr() const { return reinterpret_cast<char*>(slots_.data()) + slots_.mapped_bytes(); }

    MappedArray<Slot> slots_;
    std::size_t count_ = 0;
};

constexpr std::uint64_t stamp_value(std::uint64_t seed, std::uint32_t serial) {
    return mix64(seed ^ (std::uint64_t{serial} * 0xd1b54a32d192ed03ull));
}

// Every object is at least kMinObject bytes so that the stamp fits.
constexpr std::size_t kMinObject = 8;

inline void stamp(const Slot& s, std::uint64_t seed) {
    std::uint64_t v = stamp_value(seed, s.serial);
    std::memcpy(s.ptr, &v, sizeof v);
    static_cast<unsigned char*>(s.ptr)[s.size - 1] = static_cast<unsigned char>(v >> 56);
}

struct Verification {
    std::uint64_t checksum = 0;   // folded from what was read back
    std::uint64_t expected = 0;   // folded from what should have been there
    std::size_t corrupted = 0;    // objects whose stamp did not read back
    std::size_t misaligned = 0;
    bool ok() const { return corrupted == 0 && misaligned == 0 && checksum == expected; }
};

inline std::uint64_t fold(std::uint64_t h, std::uint64_t value, std::uint32_t size, unsigned last) {
    return mix64(h ^ value ^ (std::uint64_t{size} << 40) ^ (std::uint64_t{last} << 32));
}

// The alignment an object must have: an explicit over-alignment (> 16) is
// owed in full; the default 16 only as far as the size needs it (as for
// malloc: an 8-byte object may be 8-byte aligned).
constexpr std::size_t required_alignment(std::size_t size, std::size_t align) {
    if (align > 16) return align;
    std::size_t a = 1;
    while (a * 2 <= size && a * 2 <= align) a *= 2;
    return a;
}

// Stamps every live object, then reads every stamp back.
inline Verification stamp_and_verify(const ObjectTable& t, std::uint64_t seed, std::size_t align) {
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i].ptr != nullptr) stamp(t[i], seed);
    }
    Verification v;
    std::uint64_t h = seed, e = seed;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const Slot& s = t[i];
        if (s.ptr == nullptr) continue;
        std::uint64_t want = stamp_value(seed, s.serial);
        std::uint64_t got;
        std::memcpy(&got, s.ptr, sizeof got);
        unsigned last = static_cast<const unsigned char*>(s.ptr)[s.size - 1];
        unsigned want_last = static_cast<unsigned char>(want >> 56);
        if (got != want || last != want_last) ++v.corrupted;
        if ((reinterpret_cast<std::uintptr_t>(s.ptr) & (required_alignment(s.size, align) - 1)) != 0) {
            ++v.misaligned;
        }
        h = fold(h, got, s.size, last);
        e = fold(e, want, s.size, want_last);
    }
    v.checksum = h & kChecksumMask;
    v.expected = e & kChecksumMask;
    return v;
}

// Releases every object of the table the way the allocator releases:
// kBulkRelease: one reset()/release(); collected: drop the references (and
// release() forces a collection); otherwise free each object, then the
// (no-op) reset()/release(). keep_memory picks reset() over release().
template <Adapter A>
void release_all(A& a, ObjectTable& t, bool keep_memory, std::size_t align) {
    if constexpr (A::kFrees && !A::kBulkRelease) {
        for (std::size_t i = 0; i < t.size(); ++i) {
            if (t[i].ptr != nullptr) a.deallocate(t[i].ptr, t[i].size, align);
        }
    }
    t.clear(A::kCollected);
    if (keep_memory) {
        a.reset();
    } else {
        a.release();
    }
}

// Power law: P(size > s) = (min/s)^alpha, truncated to [min, max], rounded
// down to a whole byte. Mostly small, with a long tail.
inline std::uint32_t power_law_size(Rng& rng, double min, double max, double alpha) {
    double s = min * std::pow(rng.unit(), -1.0 / alpha);
    if (s > max) s = max;
    return static_cast<std::uint32_t>(s);
}

}  // namespace bench

#endif  // WORKLOADS_OBJECTS_H
