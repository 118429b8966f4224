// Feature probe of APR pools (libapr1): an unmanaged pool with its own allocator.
#include <apr_general.h>
#include <apr_pools.h>

#include <cstdint>
#include <string>

#include "malloc_count.h"
#include "probe.h"

namespace probe {
namespace {

struct Pool {
    apr_allocator_t* allocator = nullptr;
    apr_pool_t* pool = nullptr;
    Pool() {
        apr_initialize();
        apr_allocator_create(&allocator);
        apr_pool_create_unmanaged_ex(&pool, nullptr, allocator);
        apr_allocator_owner_set(allocator, pool);
    }
    ~Pool() {
        apr_pool_destroy(pool);
        apr_terminate();
    }
};

}  // namespace

void align_4096() {
    // apr_palloc aligns to 8 (APR_ALIGN_DEFAULT) and takes no alignment: a
    // caller over-allocates and aligns up by hand.
    Pool p;
    char* raw = static_cast<char*>(apr_palloc(p.pool, 100 + 4095));
    void* aligned = raw ? reinterpret_cast<void*>((reinterpret_cast<std::uintptr_t>(raw) + 4095) & ~std::uintptr_t{4095})
                        : nullptr;
    report_pointer(aligned, "by hand: apr_palloc has no alignment parameter (8-aligned); apr_palloc(p, 100 + 4095) "
                            "rounded up", 4096);
}

void oversized() {
    Pool p;
    void* ptr = apr_palloc(p.pool, kOversized);
    report_pointer(ptr, "apr_palloc(p, 64 MiB) (8 KiB nodes: a node of its own)");
}

void size_zero() {
    Pool p;
    void* ptr = apr_palloc(p.pool, 0);
    report_pointer(ptr, "apr_palloc(p, 0)");
}

void size_max() {
    Pool p;
    void* ptr = apr_palloc(p.pool, opaque(SIZE_MAX));
    report_pointer(ptr, "apr_palloc(p, SIZE_MAX) (no abort function set)");
}

void reset_reuse() {
    Pool p;
    const std::size_t start = upstream_calls(), start_maps = mmap_calls();
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(apr_palloc(p.pool, kPiece));
    const std::size_t first = upstream_calls() - start, first_maps = mmap_calls() - start_maps;
    apr_pool_clear(p.pool);
    const std::size_t before = upstream_calls(), before_maps = mmap_calls();
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(apr_palloc(p.pool, kPiece));
    // Read before any string is built: the probe's own strings use malloc too.
    const std::size_t second = upstream_calls() - before, second_maps = mmap_calls() - before_maps;
    report_reuse(first, second,
                 "counting malloc and mmap in the process (mmap: " + std::to_string(first_maps) + " and " +
                     std::to_string(second_maps) + "; APR has no allocator hook); bulk release apr_pool_clear");
}

namespace {
int g_cleanups = 0;
apr_status_t count_cleanup(void*) {
    ++g_cleanups;
    return APR_SUCCESS;
}
}  // namespace

void child_region() {
    Pool p;
    apr_pool_t* sub = nullptr;
    apr_status_t rc = apr_pool_create(&sub, p.pool);
    void* ptr = rc == APR_SUCCESS ? apr_palloc(sub, 1000) : nullptr;
    if (ptr) apr_pool_cleanup_register(sub, nullptr, count_cleanup, apr_pool_cleanup_null);
    apr_pool_clear(p.pool);  // destroys the sub-pool, which runs its cleanup
    if (ptr && g_cleanups == 1)
        report(kYes, "apr_pool_create(&sub, parent): a sub-pool, destroyed when its parent is cleared or destroyed");
    else
        report(kPartial, "sub-pool cleanup ran " + std::to_string(g_cleanups) + " times at the parent's clear");
}

void savepoint() {
    report(kNo, "no mark/rewind in apr_pools.h: a sub-pool (child region) is the way to free part of a pool");
}

void destructor() {
    Pool p;
    apr_pool_cleanup_register(p.pool, nullptr, count_cleanup, apr_pool_cleanup_null);
    apr_pool_clear(p.pool);
    if (g_cleanups == 1)
        report(kYes, "apr_pool_cleanup_register(pool, data, fn, child_fn): ran once at apr_pool_clear");
    else
        report(kPartial, "the cleanup ran " + std::to_string(g_cleanups) + " times at apr_pool_clear");
}

void statistics() {
    report(kNo, "no usage statistics in a release build: apr_pool_num_bytes and apr_pool_find exist only "
                "with APR_POOL_DEBUG; apr_allocator_t has no query either");
}

}  // namespace probe
