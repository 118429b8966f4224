// malloc_adapter.h - glibc malloc/free. The bench_malloc binary links no other
// allocator; verify_live() proves glibc is the one answering malloc by watching
// glibc's own mallinfo2() count a probe allocation (with jemalloc or tcmalloc
// interposed, glibc's counters would not move).
#ifndef COMPETITORS_MALLOC_ADAPTER_H
#define COMPETITORS_MALLOC_ADAPTER_H

#include <malloc.h>

#include "malloc_family.h"

namespace competitors {

class MallocAdapter : public MallocFamilyAdapter<MallocAdapter> {
public:
    static constexpr std::string_view kName = "malloc";
    using MallocFamilyAdapter::MallocFamilyAdapter;

    // Heap obtained with brk (all arenas) plus mmapped chunks.
    std::size_t footprint_bytes() const {
        struct mallinfo2 mi = mallinfo2();
        return mi.arena + mi.hblkhd;
    }
    std::size_t in_use_bytes() const {
        struct mallinfo2 mi = mallinfo2();
        return mi.uordblks + mi.hblkhd;
    }

    static bool verify_live(std::string* why) {
#if defined(__SANITIZE_ADDRESS__)
        // ASan's own allocator serves malloc in sanitizer builds, which check
        // correctness and measure nothing: there is no glibc heap to verify.
        (void)why;
        return true;
#endif
        constexpr std::size_t kProbe = 4096;  // small: leaves little free memory behind
        return counts_malloc(kProbe, [] { return mallinfo2().uordblks; }, why,
                             "glibc mallinfo2() did not count a " + std::to_string(kProbe) +
                                 "-byte malloc: another allocator is interposed");
    }
};

}  // namespace competitors

#endif  // COMPETITORS_MALLOC_ADAPTER_H
