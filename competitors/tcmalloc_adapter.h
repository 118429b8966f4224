// tcmalloc_adapter.h - gperftools tcmalloc (libtcmalloc_minimal) through plain
// malloc/free. Only binaries that link it (target competitors_tcmalloc) may
// include this: linking it replaces malloc/free in the whole process.
// verify_live() checks with MallocExtension's generic.current_allocated_bytes
// that a malloc() is counted by tcmalloc.
#ifndef COMPETITORS_TCMALLOC_ADAPTER_H
#define COMPETITORS_TCMALLOC_ADAPTER_H

#include <gperftools/malloc_extension_c.h>

#include "malloc_family.h"

namespace competitors {

class TcmallocAdapter : public MallocFamilyAdapter<TcmallocAdapter> {
public:
    static constexpr std::string_view kName = "tcmalloc";
    using MallocFamilyAdapter::MallocFamilyAdapter;

    // Heap reserved from the system minus what was given back (unmapped).
    std::size_t footprint_bytes() const {
        std::size_t heap = property("generic.heap_size");
        std::size_t unmapped = property("tcmalloc.pageheap_unmapped_bytes");
        return heap > unmapped ? heap - unmapped : 0;
    }

    std::size_t in_use_bytes() const { return property("generic.current_allocated_bytes"); }

    static std::size_t property(const char* name) {
        std::size_t value = 0;
        if (!MallocExtension_GetNumericProperty(name, &value)) return 0;
        return value;
    }

    static bool verify_live(std::string* why) {
        constexpr std::size_t kProbe = 4096;  // small: leaves little free memory behind
        return counts_malloc(kProbe, [] { return property("generic.current_allocated_bytes"); }, why,
                             "tcmalloc's generic.current_allocated_bytes did not count a 4 KiB malloc()");
    }
};

}  // namespace competitors

#endif  // COMPETITORS_TCMALLOC_ADAPTER_H
