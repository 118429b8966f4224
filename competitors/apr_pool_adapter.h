// apr_pool_adapter.h - APR pools (libapr-1): an unmanaged pool with its own
// allocator (apr_allocator_create, apr_pool_create_unmanaged_ex), apr_palloc,
// and apr_pool_clear as reset(): every node but the pool's first goes back to
// the pool's allocator, which keeps them for the next cycle (max_free
// unlimited, APR's default). release() destroys the pool and its allocator
// (every node back to malloc) and creates both anew.
//
// The first block: APR has no knob for it (nodes are 8 KiB, or the request
// rounded up to 4 KiB pages); the library default is used.
//
// Alignment: apr_palloc aligns to 8 (APR_ALIGN_DEFAULT). For more, the adapter
// asks for size + align - 8 bytes and rounds the pointer up, which costs 8
// bytes per object at the workloads' usual 16.
//
// Footprint and upstream allocations: APR keeps no pool statistics in release
// builds (apr_pool_num_bytes exists only with APR_POOL_DEBUG, and Debian's
// libapr-1 does not export it), and its allocator cannot be replaced (Debian's
// APR maps its nodes with mmap inside apr_pools.c; the allocator itself is a
// malloc). So the adapter counts at the library's boundary: once per process
// it points libapr-1's own PLT slots for malloc, calloc, realloc, free, mmap
// and munmap at counting functions that forward to the process's functions
// (glibc's, or ASan's). Only APR's calls pass through them: bytes held
// (mapped lengths, malloc_usable_size) and blocks obtained, per thread.
// An adapter reports what its thread's APR obtained since the adapter was
// created: APR in one thread serves one adapter (and its sub-pools) at a time,
// as the harness uses it. verify_live() checks that the hook sees the pool's
// nodes.
//
// Nested regions are sub-pools (apr_pool_create_ex with the adapter's pool
// as parent, so the same allocator); reset() is apr_pool_clear of the
// sub-pool, closing it apr_pool_destroy. The adapter's reset() and release()
// destroy open sub-pools with the rest (then closing one only forgets it).
// apr_pool_create_ex has no size: the region's initial capacity is not used.
#ifndef COMPETITORS_APR_POOL_ADAPTER_H
#define COMPETITORS_APR_POOL_ADAPTER_H

#include <apr_allocator.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <dlfcn.h>
#include <link.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "adapter.h"

namespace competitors {

namespace apr_pool_detail {

// What APR's malloc calls obtained in this thread.
struct Counters {
    std::size_t bytes = 0;   // held now (usable sizes)
    std::size_t blocks = 0;  // obtained so far
};
inline thread_local Counters counters;

[[noreturn]] inline void fail(const char* what) {
    std::fprintf(stderr, "apr_pool: %s\n", what);
    std::abort();
}

// The process's allocator functions (what APR's slots would resolve to).
struct Real {
    void* (*malloc)(std::size_t);
    void* (*calloc)(std::size_t, std::size_t);
    void* (*realloc)(void*, std::size_t);
    void (*free)(void*);
    void* (*mmap)(void*, std::size_t, int, int, int, off_t);
    int (*munmap)(void*, std::size_t);
};
inline Real real;

inline void* counting_malloc(std::size_t n) {
    void* p = real.malloc(n);
    if (p != nullptr) {
        counters.bytes += malloc_usable_size(p);
        counters.blocks += 1;
    }
    return p;
}
inline void* counting_calloc(std::size_t n, std::size_t size) {
    void* p = real.calloc(n, size);
    if (p != nullptr) {
        counters.bytes += malloc_usable_size(p);
        counters.blocks += 1;
    }
    return p;
}
inline void* counting_realloc(void* old, std::size_t n) {
    std::size_t before = old != nullptr ? malloc_usable_size(old) : 0;
    void* p = real.realloc(old, n);
    if (p != nullptr) {
        counters.bytes += malloc_usable_size(p) - before;
        counters.blocks += old == nullptr;
    }
    return p;
}
inline void counting_free(void* p) {
    if (p != nullptr) counters.bytes -= malloc_usable_size(p);
    real.free(p);
}
inline void* counting_mmap(void* addr, std::size_t length, int prot, int flags, int fd, off_t offset) {
    void* p = real.mmap(addr, length, prot, flags, fd, offset);
    if (p != MAP_FAILED) {
        counters.bytes += length;
        counters.blocks += 1;
    }
    return p;
}
inline int counting_munmap(void* addr, std::size_t length) {
    int status = real.munmap(addr, length);
    if (status == 0) counters.bytes -= length;
    return status;
}

// Points the relocated slots (R_X86_64_JUMP_SLOT / GLOB_DAT) of the object
// containing `inside` for the named functions at replacements; returns how
// many slots it set.
struct SlotPatch {
    const char* name;
    void* replacement;
};
template <std::size_t N>
int patch_slots(const void* inside, const SlotPatch (&patches)[N]) {
    Dl_info info{};
    if (dladdr(inside, &info) == 0 || info.dli_fname == nullptr) return 0;
    struct Search {
        const char* file;
        const SlotPatch* patches;
        std::size_t count;
        int patched;
    } search{info.dli_fname, patches, N, 0};
    dl_iterate_phdr(
        [](dl_phdr_info* object, std::size_t, void* arg) -> int {
            auto* s = static_cast<Search*>(arg);
            if (object->dlpi_name == nullptr || std::strcmp(object->dlpi_name, s->file) != 0) return 0;
            const ElfW(Dyn)* dynamic = nullptr;
            for (int i = 0; i < object->dlpi_phnum; ++i) {
                if (object->dlpi_phdr[i].p_type == PT_DYNAMIC) {
                    dynamic = reinterpret_cast<const ElfW(Dyn)*>(object->dlpi_addr + object->dlpi_phdr[i].p_vaddr);
                }
            }
            if (dynamic == nullptr) return 1;
            const ElfW(Addr) base = object->dlpi_addr;
            // The loader has relocated these addresses in place; not every loader does.
            auto address = [base](ElfW(Addr) a) { return a < base ? a + base : a; };
            const ElfW(Sym)* symbols = nullptr;
            const char* strings = nullptr;
            const ElfW(Rela)* tables[2] = {nullptr, nullptr};
            std::size_t sizes[2] = {0, 0};
            for (const ElfW(Dyn)* d = dynamic; d->d_tag != DT_NULL; ++d) {
                switch (d->d_tag) {
                    case DT_SYMTAB: symbols = reinterpret_cast<const ElfW(Sym)*>(address(d->d_un.d_ptr)); break;
                    case DT_STRTAB: strings = reinterpret_cast<const char*>(address(d->d_un.d_ptr)); break;
                    case DT_JMPREL: tables[0] = reinterpret_cast<const ElfW(Rela)*>(address(d->d_un.d_ptr)); break;
                    case DT_PLTRELSZ: sizes[0] = d->d_un.d_val; break;
                    case DT_RELA: tables[1] = reinterpret_cast<const ElfW(Rela)*>(address(d->d_un.d_ptr)); break;
                    case DT_RELASZ: sizes[1] = d->d_un.d_val; break;
                    default: break;
                }
            }
            if (symbols == nullptr || strings == nullptr) return 1;
            const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
            for (int t = 0; t < 2; ++t) {
                if (tables[t] == nullptr) continue;
                for (std::size_t i = 0; i < sizes[t] / sizeof(ElfW(Rela)); ++i) {
                    const ElfW(Rela)& r = tables[t][i];
                    const auto type = ELF64_R_TYPE(r.r_info);
                    if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) continue;
                    const char* name = strings + symbols[ELF64_R_SYM(r.r_info)].st_name;
                    for (std::size_t k = 0; k < s->count; ++k) {
                        if (std::strcmp(name, s->patches[k].name) != 0) continue;
                        auto* slot = reinterpret_cast<void**>(base + r.r_offset);
                        const std::uintptr_t first = reinterpret_cast<std::uintptr_t>(slot) & ~(page - 1);
                        // The slot may lie in the read-only-after-relocation (RELRO) part.
                        if (mprotect(reinterpret_cast<void*>(first), page, PROT_READ | PROT_WRITE) != 0) return 1;
                        *slot = s->patches[k].replacement;
                        s->patched += 1;
                    }
                }
            }
            return 1;
        },
        &search);
    return search.patched;
}

template <class F>
void resolve(F* slot, const char* name) {
    *slot = reinterpret_cast<F>(dlsym(RTLD_DEFAULT, name));
    if (*slot == nullptr) fail("the process's allocator functions are not found");
}

// Once per process: APR initialised, its malloc calls counted.
inline void init_once() {
    static const bool done = [] {
        resolve(&real.malloc, "malloc");
        resolve(&real.calloc, "calloc");
        resolve(&real.realloc, "realloc");
        resolve(&real.free, "free");
        resolve(&real.mmap, "mmap");
        resolve(&real.munmap, "munmap");
        const SlotPatch patches[] = {{"malloc", reinterpret_cast<void*>(&counting_malloc)},
                                     {"calloc", reinterpret_cast<void*>(&counting_calloc)},
                                     {"realloc", reinterpret_cast<void*>(&counting_realloc)},
                                     {"free", reinterpret_cast<void*>(&counting_free)},
                                     {"mmap", reinterpret_cast<void*>(&counting_mmap)},
                                     {"munmap", reinterpret_cast<void*>(&counting_munmap)}};
        // dlsym, not &apr_palloc: in a non-PIE executable that would be the executable's own PLT stub.
        if (patch_slots(dlsym(RTLD_DEFAULT, "apr_palloc"), patches) < 4) {
            fail("cannot count libapr-1's malloc/free/mmap/munmap calls (their PLT slots were not found)");
        }
        if (apr_initialize() != APR_SUCCESS) fail("apr_initialize failed");
        std::atexit(apr_terminate);
        return true;
    }();
    (void)done;
}

inline int on_abort(int) {
    std::fprintf(stderr, "apr_pool: out of memory\n");
    std::abort();
}

}  // namespace apr_pool_detail

class AprPoolAdapter : public AdapterBase<lifetime::Bulk> {
public:
    static constexpr std::string_view kName = "apr_pool";

    explicit AprPoolAdapter(const AdapterConfig&) {
        apr_pool_detail::init_once();
        baseline_ = apr_pool_detail::counters;
        create();
    }
    ~AprPoolAdapter() { apr_pool_destroy(pool_); }
    static void process_init() { apr_pool_detail::init_once(); }

    void* allocate(std::size_t size, std::size_t align) { return allocate_in(pool_, size, align, kName); }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void*, std::size_t, std::size_t) {}  // APR frees nothing one by one
    void reset() {
        apr_pool_clear(pool_);  // destroys open sub-pools too
        ++generation_;
    }
    void release() {
        apr_pool_destroy(pool_);  // and its allocator, the pool's owner
        ++generation_;
        create();
    }
    std::size_t footprint_bytes() const {
        const std::size_t now = apr_pool_detail::counters.bytes;
        return now > baseline_.bytes ? now - baseline_.bytes : 0;
    }
    std::optional<std::size_t> upstream_allocations() const {
        return apr_pool_detail::counters.blocks - baseline_.blocks;
    }

    // A sub-pool of the adapter's pool.
    class SubPool : public lifetime::Bulk {
    public:
        static constexpr const char* kKind = "APR sub-pool";
        explicit SubPool(AprPoolAdapter& owner) : owner_(owner), generation_(owner.generation_) {
            if (apr_pool_create_ex(&pool_, owner.pool_, apr_pool_detail::on_abort, nullptr) != APR_SUCCESS) {
                out_of_memory(kRegionName, 0, 0);
            }
        }
        ~SubPool() {
            if (owner_.generation_ == generation_) apr_pool_destroy(pool_);
        }
        SubPool(const SubPool&) = delete;
        SubPool& operator=(const SubPool&) = delete;
        void* allocate(std::size_t n, std::size_t align) { return allocate_in(pool_, n, align, kRegionName); }
        void* allocate_pointer_free(std::size_t n, std::size_t align) { return allocate(n, align); }
        void deallocate(void*, std::size_t, std::size_t) {}
        void reset() { apr_pool_clear(pool_); }

    private:
        static constexpr std::string_view kRegionName = "apr_pool region";
        const AprPoolAdapter& owner_;
        std::uint64_t generation_;  // the owner's reset()/release() count when opened
        apr_pool_t* pool_ = nullptr;
    };
    SubPool open_region(std::size_t) { return SubPool(*this); }

    // The counting hook sees the nodes of a fresh pool, and more for a request
    // larger than a node.
    static bool verify_live(std::string* why) {
        AprPoolAdapter a{AdapterConfig{}};
        const std::size_t blocks = *a.upstream_allocations(), bytes = a.footprint_bytes();
        void* p = a.allocate(1 << 20, 16);
        std::memset(p, 1, 1 << 20);
        bool ok = blocks >= 1 && bytes > 0 && *a.upstream_allocations() == blocks + 1 &&
                  a.footprint_bytes() >= bytes + (1 << 20);
        if (!ok && why) *why = "apr_pool: the counting hook does not see APR's nodes";
        return ok;
    }

private:
    static constexpr std::size_t kAprAlign = 8;  // APR_ALIGN_DEFAULT

    // The alignment test folds away for the constant alignments workloads pass.
    static void* allocate_in(apr_pool_t* pool, std::size_t size, std::size_t align, std::string_view who) {
        if (align <= kAprAlign) {
            void* p = apr_palloc(pool, size);
            if (__builtin_expect(p == nullptr, 0)) out_of_memory(who, size, align);
            return p;
        }
        const std::size_t n = size + (align - kAprAlign);
        if (__builtin_expect(n < size, 0)) out_of_memory(who, size, align);
        void* p = apr_palloc(pool, n);
        if (__builtin_expect(p == nullptr, 0)) out_of_memory(who, size, align);
        return reinterpret_cast<void*>(align_up(reinterpret_cast<std::uintptr_t>(p), align));
    }
    void create() {
        apr_allocator_t* allocator = nullptr;
        if (apr_allocator_create(&allocator) != APR_SUCCESS) out_of_memory(kName, 0, 0);
        if (apr_pool_create_unmanaged_ex(&pool_, apr_pool_detail::on_abort, allocator) != APR_SUCCESS) {
            out_of_memory(kName, 0, 0);
        }
        apr_allocator_owner_set(allocator, pool_);  // destroyed with the pool
    }

    apr_pool_detail::Counters baseline_;
    apr_pool_t* pool_ = nullptr;
    std::uint64_t generation_ = 0;  // reset() and release() count: open sub-pools are gone
};

}  // namespace competitors

#endif  // COMPETITORS_APR_POOL_ADAPTER_H
