// mimalloc_api.h - mimalloc's entry points, loaded with dlopen(RTLD_LOCAL).
//
// Why not link it: Debian's libmimalloc.so is built with MI_OVERRIDE, so
// linking it replaces malloc/free in the whole process. We want mimalloc
// measured through its own API only (mi_malloc, mi_heap_*), with the harness
// and the C library on glibc, so the library is loaded privately: its malloc
// symbols never enter the global scope. A call through these pointers costs
// what a call through the PLT costs (one indirect jump).
#ifndef COMPETITORS_MIMALLOC_API_H
#define COMPETITORS_MIMALLOC_API_H

#include <dlfcn.h>
#include <mimalloc.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#ifndef ARENA_MIMALLOC_LIBRARY
#define ARENA_MIMALLOC_LIBRARY "libmimalloc.so.2"
#endif

namespace competitors {

struct MimallocApi {
    decltype(&mi_malloc) malloc = nullptr;
    decltype(&mi_malloc_aligned) malloc_aligned = nullptr;
    decltype(&mi_free) free = nullptr;
    decltype(&mi_heap_new) heap_new = nullptr;
    decltype(&mi_heap_destroy) heap_destroy = nullptr;
    decltype(&mi_heap_malloc) heap_malloc = nullptr;
    decltype(&mi_heap_malloc_aligned) heap_malloc_aligned = nullptr;
    decltype(&mi_heap_check_owned) heap_check_owned = nullptr;
    decltype(&mi_heap_get_default) heap_get_default = nullptr;
    decltype(&mi_heap_visit_blocks) heap_visit_blocks = nullptr;
    decltype(&mi_version) version = nullptr;
};

namespace mimalloc_detail {
template <class F>
void bind(void* lib, F* slot, const char* name) {
    *slot = reinterpret_cast<F>(dlsym(lib, name));
    if (*slot == nullptr) {
        std::fprintf(stderr, "mimalloc: symbol %s missing from %s\n", name, ARENA_MIMALLOC_LIBRARY);
        std::abort();
    }
}
inline MimallocApi load() {
    void* lib = dlopen(ARENA_MIMALLOC_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
        std::fprintf(stderr, "mimalloc: cannot load %s: %s\n", ARENA_MIMALLOC_LIBRARY, dlerror());
        std::abort();
    }
    MimallocApi api;
    bind(lib, &api.malloc, "mi_malloc");
    bind(lib, &api.malloc_aligned, "mi_malloc_aligned");
    bind(lib, &api.free, "mi_free");
    bind(lib, &api.heap_new, "mi_heap_new");
    bind(lib, &api.heap_destroy, "mi_heap_destroy");
    bind(lib, &api.heap_malloc, "mi_heap_malloc");
    bind(lib, &api.heap_malloc_aligned, "mi_heap_malloc_aligned");
    bind(lib, &api.heap_check_owned, "mi_heap_check_owned");
    bind(lib, &api.heap_get_default, "mi_heap_get_default");
    bind(lib, &api.heap_visit_blocks, "mi_heap_visit_blocks");
    bind(lib, &api.version, "mi_version");
    return api;
}
}  // namespace mimalloc_detail

// Loaded on first use (thread-safe); adapters copy the pointers they need.
inline const MimallocApi& mimalloc_api() {
    static const MimallocApi api = mimalloc_detail::load();
    return api;
}

// Committed bytes of the pages a heap owns, from mimalloc's own heap walk
// (mi_heap_visit_blocks over areas, not blocks). Segments mimalloc keeps
// cached after pages are freed are not part of any heap and not counted.
// (mi_process_info's commit statistic is not maintained by Debian's release
// build of mimalloc 2.0.9, so it cannot be used.)
inline std::size_t mimalloc_heap_committed_bytes(mi_heap_t* heap) {
    std::size_t committed = 0;
    mimalloc_api().heap_visit_blocks(
        heap, false,
        [](const mi_heap_t*, const mi_heap_area_t* area, void* block, std::size_t, void* arg) {
            if (block == nullptr) *static_cast<std::size_t*>(arg) += area->committed;
            return true;
        },
        &committed);
    return committed;
}

// verify_live() of the mimalloc adapters: an allocation of a belongs to
// heap, and to no other_heap (if given), while plain malloc() memory does not.
template <class A>
bool mimalloc_serves(A& a, mi_heap_t* heap, mi_heap_t* other_heap, std::string* why) {
    const MimallocApi& mi = mimalloc_api();
    void* p = a.allocate(64, 16);
    void* q = std::malloc(64);
    bool ok = p != nullptr && mi.heap_check_owned(heap, p) && !mi.heap_check_owned(heap, q);
    if (!ok && why) {
        *why = "mimalloc: adapter memory is not owned by the mimalloc heap, or malloc() is "
               "unexpectedly served by mimalloc";
    } else if (other_heap != nullptr && mi.heap_check_owned(other_heap, p)) {
        ok = false;
        if (why) *why = std::string(A::kName) + ": memory comes from the default heap";
    }
    std::free(q);
    a.deallocate(p, 64, 16);
    return ok;
}

}  // namespace competitors

#endif  // COMPETITORS_MIMALLOC_API_H
