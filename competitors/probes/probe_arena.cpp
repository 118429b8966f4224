// Feature probe of ours (arena/, C API arena/include/arena/arena.h).
#include <arena/arena.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "probe.h"

namespace probe {
namespace {

Arena* make() { return arena_create(kFirstBlock); }

std::string with_errno(const void* p) { return p ? "" : std::string(", errno ") + std::strerror(errno); }

}  // namespace

void align_4096() {
    Arena* a = make();
    void* p = arena_alloc_aligned(a, 100, 4096);
    report_pointer(p, "arena_alloc_aligned(a, 100, 4096)" + with_errno(p), 4096);
    arena_destroy(a);
}

void oversized() {
    Arena* a = make();
    void* p = arena_alloc(a, kOversized);
    report_pointer(p, "arena_alloc(a, 64 MiB), first block 64 KiB (a dedicated block)" + with_errno(p));
    arena_destroy(a);
}

void size_zero() {
    Arena* a = make();
    void* p = arena_alloc(a, 0);
    report_pointer(p, "arena_alloc(a, 0)" + with_errno(p));
    arena_destroy(a);
}

void size_max() {
    Arena* a = make();
    void* p = arena_alloc(a, opaque(SIZE_MAX));
    report_pointer(p, "arena_alloc(a, SIZE_MAX)" + with_errno(p));
    arena_destroy(a);
}

void reset_reuse() {
    Arena* a = make();
    ArenaStats s{};
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(arena_alloc(a, kPiece));
    arena_get_stats(a, &s, 0);
    const std::size_t first = s.upstream_allocations;
    arena_reset(a);
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(arena_alloc(a, kPiece));
    arena_get_stats(a, &s, 0);
    report_reuse(first, s.upstream_allocations - first,
                 "ArenaStats.upstream_allocations (the library's own statistic); bulk release arena_reset");
    arena_destroy(a);
}

void child_region() {
    Arena* parent = make();
    Arena* child = arena_create_child(parent, 0);
    void* p = child ? arena_alloc(child, 1000) : nullptr;
    ArenaStats before{}, after{};
    arena_get_stats(child, &before, 0);
    arena_reset(parent);  // resets the child too
    arena_get_stats(child, &after, 0);
    if (p && before.used_bytes >= 1000 && after.used_bytes == 0)
        report(kYes, "arena_create_child: reset with its parent, destroyed with it");
    else
        report(kPartial, "arena_create_child did not behave as documented");
    arena_destroy(parent);
}

void savepoint() {
    Arena* a = make();
    static_cast<void>(arena_alloc(a, 100));
    ArenaMark m = arena_mark(a);
    void* first = arena_alloc(a, 100);
    static_cast<void>(arena_alloc(a, 5000));
    int rc = arena_rewind(a, m);
    void* again = arena_alloc(a, 100);
    if (rc == 0 && again == first)
        report(kYes, "arena_mark / arena_rewind: the next allocation reuses the rewound memory");
    else
        report(kPartial, "arena_rewind returned " + std::to_string(rc) + "; memory not reused");
    arena_destroy(a);
}

void destructor() {
    Arena* a = make();
    int ran = 0;
    int rc = arena_add_cleanup(a, [](void* d) { ++*static_cast<int*>(d); }, &ran);
    arena_reset(a);
    if (rc == 0 && ran == 1)
        report(kYes, "arena_add_cleanup(a, fn, data): ran once at arena_reset (also at destroy, rewind)");
    else
        report(kPartial, "arena_add_cleanup returned " + std::to_string(rc) + ", ran " + std::to_string(ran) + " times");
    arena_destroy(a);
}

void statistics() {
    Arena* a = make();
    for (int i = 0; i < 10; ++i) static_cast<void>(arena_alloc(a, 100));
    ArenaStats s{};
    arena_get_stats(a, &s, 0);
    if (s.allocation_count == 10 && s.requested_bytes >= 1000 && s.used_bytes >= s.requested_bytes && s.committed_bytes > 0)
        report(kYes, "arena_get_stats: used " + std::to_string(s.used_bytes) + ", requested " +
                         std::to_string(s.requested_bytes) + ", count " + std::to_string(s.allocation_count) +
                         ", committed " + std::to_string(s.committed_bytes) + ", upstream calls, peaks");
    else
        report(kPartial, "arena_get_stats after 10 allocations of 100 bytes: count " + std::to_string(s.allocation_count) +
                             ", requested " + std::to_string(s.requested_bytes) + ", used " + std::to_string(s.used_bytes));
    arena_destroy(a);
}

}  // namespace probe
