// workload.h - what a workload is, for the driver (driver.h) and for later
// workloads written against the same adapters.
//
// A workload W derives from WorkloadBase and provides
//   static constexpr std::string_view kName;            "small_fixed", ...
//   std::size_t allocs_per_fill() const;                allocations per fill
//   template <Adapter A, class P> void fill(A& a, P& probe);
//       the timed part: allocate (calling probe.before() / probe.after(bytes)
//       around each allocation, probe.freed(bytes) when an object dies) and
//       list every live object in table(); must do exactly the same thing on
//       every call (same sizes, same serials)
// and may override (hide) the defaults below:
//   capacity_hint()      bytes allocated between two releases, alignment
//                        padding included (ideal_bump's buffer); must be exact
//                        or larger
//   initial_capacity()   arena first block (0: library default)
//   alignment()          alignment of every allocation (default 16)
//   keep_memory()        release with reset() (true) rather than release();
//                        the default is release()
//   options()            RunOptions: warm-up fills, fills of the memory pass,
//                        timeline, sys_allocs_per_cycle
//   extra_counters(a, extras)  extra counters after the first memory fill
// and may add
//   std::uint64_t traverse()   walks, read-only, what the last fill built
//                        (the links a program would follow), checks what it
//                        reads (report_failure on a mismatch) and returns the
//                        nodes visited, the same number on every call. The
//                        driver calls it after verification and before the
//                        release: timed on its own in every iteration of the
//                        throughput loop (traverse_ns_per_node, not part of
//                        the fill time), counted once in counts mode
//                        (traverse_instructions_per_node,
//                        traverse_d1_misses_per_node, traverse_ll_misses_per_node).
//                        Verification stamps each object's first 8 bytes
//                        and last byte, so links must live elsewhere.
// The synthetic workloads allocate through the one fill loop of fill.h.
#ifndef WORKLOADS_WORKLOAD_H
#define WORKLOADS_WORKLOAD_H

#include "driver.h"
#include "objects.h"

namespace bench {

struct RunOptions {
    int warmup_fills = 1;         // untimed fills before the throughput loop
    int memory_fills = 1;         // fills in the memory pass
    int latency_max_fills = 8;    // at most this many fills in the latency pass
    bool timeline = false;        // record a memory timeline series
    bool sys_allocs = false;      // report sys_allocs_per_cycle
};

class WorkloadBase {
public:
    WorkloadBase(std::size_t table_capacity, std::uint64_t seed) : table_(table_capacity), seed_(seed) {}

    ObjectTable& table() { return table_; }
    std::uint64_t seed() const { return seed_; }
    std::size_t initial_capacity() const { return 0; }
    std::size_t alignment() const { return 16; }
    bool keep_memory() const { return false; }
    RunOptions options() const { return {}; }

protected:
    ObjectTable table_;
    std::uint64_t seed_;
};

// Default verify/release, using the derived class' alignment and keep_memory.
template <class Derived>
class Workload : public WorkloadBase {
public:
    using WorkloadBase::WorkloadBase;

    Verification verify() { return stamp_and_verify(table_, seed_, self().alignment()); }

    template <Adapter A, class P>
    void release(A& a, P& probe) {
        release_all(a, table_, self().keep_memory(), self().alignment());
        probe.released();
    }

private:
    const Derived& self() const { return static_cast<const Derived&>(*this); }
};

// Bytes a bump allocator needs for one allocation of size at alignment align
// (16-byte rounding as in the arena, worst-case padding).
constexpr std::size_t bump_bytes(std::size_t size, std::size_t align) {
    std::size_t a = align < 16 ? 16 : align;
    return ((size + 15) & ~std::size_t{15}) + (a - 16);
}

}  // namespace bench

#endif  // WORKLOADS_WORKLOAD_H
