// malloc_family.h - shared code of the adapters that go through malloc/free:
// glibc malloc, jemalloc and tcmalloc. All three are measured through the very
// same calls (malloc, posix_memalign, free); which library answers them is
// decided at link time (see CMakeLists.txt: bench_jemalloc links jemalloc so
// that it replaces malloc in that process). Each adapter adds its own
// statistics call for footprint_bytes(), in_use_bytes() and verify_live().
#ifndef COMPETITORS_MALLOC_FAMILY_H
#define COMPETITORS_MALLOC_FAMILY_H

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

#include "adapter.h"

namespace competitors {

class MallocFamilyBase : public AdapterBase<lifetime::Free, FootprintScope::kProcess> {
public:
    static void* allocate_with(std::string_view name, std::size_t size, std::size_t align) {
        void* p;
        if (align <= alignof(std::max_align_t)) {
            p = std::malloc(size);
        } else if (posix_memalign(&p, align, size) != 0) {
            p = nullptr;
        }
        if (__builtin_expect(p == nullptr, 0)) out_of_memory(name, size, align);
        return p;
    }
    void deallocate(void* p, std::size_t, std::size_t) { std::free(p); }
    void reset() {}    // objects are freed one by one by the workload
    void release() {}

protected:
    // verify_live(): the allocator's own counter of allocated bytes (read by
    // counter()) grows by a probe malloc() of n bytes, which proves that this
    // allocator answers malloc in this process; failure explains otherwise.
    template <class Counter>
    static bool counts_malloc(std::size_t n, Counter counter, std::string* why, std::string_view failure) {
        std::size_t before = counter();
        void* p = probe_malloc(n);
        std::size_t after = counter();
        std::free(p);
        bool ok = p != nullptr && after >= before + n;
        if (!ok && why) *why = failure;
        return ok;
    }

private:
    // A probe allocation the optimizer cannot remove (malloc/free pairs may be
    // elided otherwise).
    static void* probe_malloc(std::size_t n) {
        void* p = std::malloc(n);
        if (p != nullptr) std::memset(p, 0x5a, n);
        static void* volatile sink;
        sink = p;
        return sink;
    }
};

// Derived adds kName and footprint_bytes(); this gives allocate() its name.
template <class Derived>
class MallocFamilyAdapter : public MallocFamilyBase {
public:
    explicit MallocFamilyAdapter(const AdapterConfig&) {}
    void* allocate(std::size_t size, std::size_t align) {
        return allocate_with(Derived::kName, size, align);
    }
    void* allocate_pointer_free(std::size_t size, std::size_t align) {
        return allocate(size, align);
    }
};

}  // namespace competitors

#endif  // COMPETITORS_MALLOC_FAMILY_H
