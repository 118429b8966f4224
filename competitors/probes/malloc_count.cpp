// See malloc_count.h. glibc exports its allocator as __libc_malloc & co.; a
// definition of malloc in the executable takes precedence over libc's for
// every shared library in the process.
#include "malloc_count.h"

#include <atomic>
#include <cerrno>
#include <cstddef>

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}

namespace {
std::atomic<std::size_t> g_calls{0};
std::atomic<std::size_t> g_maps{0};
}  // namespace

namespace probe {
std::size_t malloc_calls() { return g_calls.load(std::memory_order_relaxed); }
std::size_t mmap_calls() { return g_maps.load(std::memory_order_relaxed); }
}  // namespace probe

extern "C" {
void* malloc(std::size_t n) noexcept {
    g_calls.fetch_add(1, std::memory_order_relaxed);
    return __libc_malloc(n);
}
void* calloc(std::size_t count, std::size_t n) noexcept {
    g_calls.fetch_add(1, std::memory_order_relaxed);
    return __libc_calloc(count, n);
}
void* realloc(void* p, std::size_t n) noexcept {
    g_calls.fetch_add(1, std::memory_order_relaxed);
    return __libc_realloc(p, n);
}
void* memalign(std::size_t alignment, std::size_t n) noexcept {
    g_calls.fetch_add(1, std::memory_order_relaxed);
    return __libc_memalign(alignment, n);
}
void* aligned_alloc(std::size_t alignment, std::size_t n) noexcept { return memalign(alignment, n); }
int posix_memalign(void** out, std::size_t alignment, std::size_t n) noexcept {
    if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
    void* p = memalign(alignment, n);
    if (p == nullptr) return ENOMEM;
    *out = p;
    return 0;
}
void free(void* p) noexcept { __libc_free(p); }
// APR's allocator maps its nodes with mmap when built so (Debian's is): the
// library's own calls; glibc malloc's internal mappings do not pass here.
void* mmap(void* addr, std::size_t length, int prot, int flags, int fd, off_t offset) noexcept {
    g_maps.fetch_add(1, std::memory_order_relaxed);
    return reinterpret_cast<void*>(syscall(SYS_mmap, addr, length, prot, flags, fd, offset));
}
}
