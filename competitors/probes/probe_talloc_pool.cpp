// Feature probe of talloc (libtalloc): objects under a talloc_pool.
#include <talloc.h>

#include <cstdint>
#include <string>

#include "malloc_count.h"
#include "probe.h"

namespace probe {
namespace {

// talloc_pool's size is its knob for the first (only) block: the shared size.
struct Pool {
    void* pool = talloc_pool(nullptr, kFirstBlock);
    ~Pool() { talloc_free(pool); }
};

}  // namespace

void align_4096() {
    // talloc aligns to 16 and takes no alignment: a caller over-allocates and
    // aligns up by hand.
    Pool p;
    char* raw = static_cast<char*>(talloc_size(p.pool, 100 + 4095));
    void* aligned = raw ? reinterpret_cast<void*>((reinterpret_cast<std::uintptr_t>(raw) + 4095) & ~std::uintptr_t{4095})
                        : nullptr;
    report_pointer(aligned, "by hand: talloc has no aligned allocation; talloc_size(pool, 100 + 4095) rounded up",
                   4096);
}

void oversized() {
    Pool p;
    void* ptr = talloc_size(p.pool, kOversized);
    report_pointer(ptr, "talloc_size(pool, 64 MiB), pool 64 KiB (malloc'd outside the pool)");
}

void size_zero() {
    Pool p;
    void* ptr = talloc_size(p.pool, 0);
    report_pointer(ptr, "talloc_size(pool, 0)");
}

void size_max() {
    Pool p;
    void* ptr = talloc_size(p.pool, opaque(SIZE_MAX));
    report_pointer(ptr, "talloc_size(pool, SIZE_MAX)");
}

void reset_reuse() {
    Pool p;
    const std::size_t start = upstream_calls(), start_maps = mmap_calls();
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(talloc_size(p.pool, kPiece));
    const std::size_t first = upstream_calls() - start, first_maps = mmap_calls() - start_maps;
    talloc_free_children(p.pool);
    const std::size_t before = upstream_calls(), before_maps = mmap_calls();
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(talloc_size(p.pool, kPiece));
    // Read before any string is built: the probe's own strings use malloc too.
    const std::size_t second = upstream_calls() - before, second_maps = mmap_calls() - before_maps;
    report_reuse(first, second,
                 "counting malloc and mmap in the process (mmap: " + std::to_string(first_maps) + " and " +
                     std::to_string(second_maps) + "; talloc has no allocator hook); bulk release "
                 "talloc_free_children(pool); objects beyond the pool are malloc'd one by one");
}

namespace {
int g_destroyed = 0;
int count_destructor(void*) {
    ++g_destroyed;
    return 0;
}
}  // namespace

void child_region() {
    Pool p;
    void* child = talloc_new(p.pool);
    void* ptr = child ? talloc_size(child, 1000) : nullptr;
    if (ptr) talloc_set_destructor(ptr, count_destructor);
    talloc_free_children(p.pool);  // frees the child context and what it holds
    if (ptr && g_destroyed == 1)
        report(kYes, "talloc_new(parent): a child context, freed with its parent (talloc_free_children, talloc_free)");
    else
        report(kPartial, "the child's object destructor ran " + std::to_string(g_destroyed) + " times");
}

void savepoint() {
    report(kNo, "no mark/rewind in talloc.h: a child context (child region) is the way to free part of a tree");
}

void destructor() {
    Pool p;
    void* ptr = talloc_size(p.pool, 100);
    talloc_set_destructor(ptr, count_destructor);
    talloc_free_children(p.pool);
    if (g_destroyed == 1)
        report(kYes, "talloc_set_destructor(ptr, fn): ran once when the object was freed with its parent");
    else
        report(kPartial, "the destructor ran " + std::to_string(g_destroyed) + " times");
}

void statistics() {
    Pool p;
    for (int i = 0; i < 10; ++i) static_cast<void>(talloc_size(p.pool, 100));
    const std::size_t size = talloc_total_size(p.pool);
    const std::size_t blocks = talloc_total_blocks(p.pool);
    if (size >= 1000 && blocks >= 11)
        report(kYes, "talloc_total_size() " + std::to_string(size) + ", talloc_total_blocks() " +
                         std::to_string(blocks) + ", talloc_report_full()");
    else
        report(kPartial, "talloc_total_size() " + std::to_string(size) + ", talloc_total_blocks() " +
                             std::to_string(blocks) + " after 10 objects of 100 bytes");
}

}  // namespace probe
