// Counting malloc for the probes of libraries that take their blocks from
// malloc and have no allocator hook of their own (APR pools, talloc). The
// probe program defines malloc/calloc/realloc/free itself (malloc_count.cpp),
// forwarding to glibc's __libc_* functions, and mmap, so every call the library makes
// is counted: the process's own upstream calls, not an estimate.
#ifndef ARENA_PROBES_MALLOC_COUNT_H
#define ARENA_PROBES_MALLOC_COUNT_H

#include <cstddef>

namespace probe {
// malloc, calloc and realloc calls (and memalign-family ones) so far.
std::size_t malloc_calls();
// mmap calls made through the PLT (by a library, not by glibc's malloc) so far.
std::size_t mmap_calls();
// Both: the process's upstream calls.
inline std::size_t upstream_calls() { return malloc_calls() + mmap_calls(); }
}  // namespace probe

#endif
