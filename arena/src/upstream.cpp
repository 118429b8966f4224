// Where blocks come from: malloc/free (default) or whole pages from the OS.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>

#include "arena_internal.h"

namespace {

void *malloc_allocate(void *, size_t bytes) { return std::malloc(bytes); }
void malloc_deallocate(void *, void *ptr, size_t) { std::free(ptr); }

// Asked each time: blocks are rare, and a function-local static would pull in
// the C++ runtime's guard functions, which C users of the library lack.
size_t page_size() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

// Pages are returned to the OS at once on release, so a trimmed or destroyed
// arena gives its memory back instead of leaving it in the malloc heap.
void *pages_allocate(void *, size_t bytes) {
    size_t length = arena_detail::round_up(bytes, page_size());
    if (length < bytes) return nullptr;
    void *memory = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return memory == MAP_FAILED ? nullptr : memory;
}
void pages_deallocate(void *, void *ptr, size_t bytes) { munmap(ptr, arena_detail::round_up(bytes, page_size())); }

const ArenaUpstream kMalloc = {malloc_allocate, malloc_deallocate, nullptr};
const ArenaUpstream kPages = {pages_allocate, pages_deallocate, nullptr};

} // namespace

extern "C" const ArenaUpstream *arena_upstream_malloc(void) { return &kMalloc; }
extern "C" const ArenaUpstream *arena_upstream_pages(void) { return &kPages; }
