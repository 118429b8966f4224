// obstack_adapter.h - GNU obstack (glibc <obstack.h>): obstack_alloc, and
// obstack_free back to the first object as reset().
//
// The first block: glibc's obstack has one chunk size for every chunk
// (obstack_begin's size; glibc's default is 4064 bytes). It gets
// AdapterConfig::initial_capacity usable bytes (the arena's first-block size;
// when that is 0 the arena's own default, 4096) plus the chunk header. A
// request larger than a chunk gets a chunk of its own: the object + 1/8 +
// alignment + 100 bytes. obstack has no growth policy beyond that.
//
// Alignment: obstack_alignment_mask aligns the START of the next object (at
// obstack_finish, and when a new chunk begins). Objects are 16-aligned; for a
// larger alignment the mask is raised, an empty object is finished (the next
// one starts aligned, or at the chunk's end, which forces a new chunk that is
// aligned too), the object is grown with obstack_blank, and the mask is put
// back before it is finished, so its end is padded to 16 only.
//
// reset() is obstack_free to an empty object allocated right after
// obstack_begin (the glibc manual's idiom): every chunk but the first goes
// back to malloc, so warm reset cycles allocate chunks again (and glibc, given
// the chunks back from the heap's top, trims the heap with a brk per chunk, so
// the next cycle faults the pages in anew). release() is obstack_free(NULL),
// every chunk, then a fresh obstack_begin.
//
// Footprint and upstream allocations: the chunk functions are the adapter's
// (obstack_specify_allocation_with_arg), a counting pair over malloc/free:
// bytes of the chunks held (what obstack_memory_used reports, for the regions'
// obstacks too) and chunks obtained. verify_live() checks that
// obstack_memory_used agrees with them.
//
// Nested regions are a second obstack over the same counting chunk functions,
// not a mark in this one: workloads allocate long-lived objects in the adapter
// while a region is open, and obstack_free to a mark would free those too.
//
// Limits: obstack lengths are int in glibc's interface, so a request above
// INT_MAX / 2 is refused (out_of_memory); no per-object free.
#ifndef COMPETITORS_OBSTACK_ADAPTER_H
#define COMPETITORS_OBSTACK_ADAPTER_H

#include <obstack.h>

#include <climits>
#include <cstddef>
#include <cstdlib>
#include <string>

#include "adapter.h"

namespace competitors {

class ObstackAdapter : public AdapterBase<lifetime::Bulk> {
public:
    static constexpr std::string_view kName = "obstack";
    static constexpr bool kResetFreesBlocks = true;  // every chunk but the first goes back to malloc

    explicit ObstackAdapter(const AdapterConfig& config) : chunk_size_(chunk_size_for(config.initial_capacity)) {
        first_ = begin(ob_, chunk_size_, chunks_);
    }
    ~ObstackAdapter() { obstack_free(&ob_, nullptr); }

    void* allocate(std::size_t size, std::size_t align) { return allocate_in(ob_, size, align, kName); }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void*, std::size_t, std::size_t) {}  // obstack_free would free everything after it too
    void reset() { obstack_free(&ob_, first_); }
    void release() {
        obstack_free(&ob_, nullptr);
        first_ = begin(ob_, chunk_size_, chunks_);
    }
    std::size_t footprint_bytes() const { return chunks_.bytes; }
    std::optional<std::size_t> upstream_allocations() const { return chunks_.allocations; }

    // A second obstack over the adapter's counting chunk functions.
    class SecondObstack : public lifetime::Bulk {
    public:
        static constexpr const char* kKind = "second obstack";
        SecondObstack(ObstackAdapter& owner, std::size_t initial_capacity) {
            first_ = begin(ob_, chunk_size_for(initial_capacity), owner.chunks_);
        }
        ~SecondObstack() { obstack_free(&ob_, nullptr); }
        SecondObstack(const SecondObstack&) = delete;
        SecondObstack& operator=(const SecondObstack&) = delete;
        void* allocate(std::size_t n, std::size_t align) { return allocate_in(ob_, n, align, kRegionName); }
        void* allocate_pointer_free(std::size_t n, std::size_t align) { return allocate(n, align); }
        void deallocate(void*, std::size_t, std::size_t) {}
        void reset() { obstack_free(&ob_, first_); }

    private:
        static constexpr std::string_view kRegionName = "obstack region";
        struct obstack ob_;
        void* first_;
    };
    SecondObstack open_region(std::size_t initial_capacity) { return SecondObstack(*this, initial_capacity); }

    static bool verify_live(std::string* why) {
        ObstackAdapter a{AdapterConfig{}};
        void* small = a.allocate(64, 16);
        const auto chunk = static_cast<std::size_t>(a.chunk_size_);
        void* big = a.allocate(3 * chunk, 16);  // a chunk of its own
        const auto used = static_cast<std::size_t>(obstack_memory_used(&a.ob_));
        bool ok = small != nullptr && big != nullptr && used == a.chunks_.bytes && used >= 4 * chunk &&
                  a.chunks_.allocations == 2;
        if (!ok && why) *why = "obstack_memory_used does not agree with the chunks the adapter handed out";
        return ok;
    }

private:
    // The counters behind the chunk functions (the obstack's extra argument).
    struct Chunks {
        std::size_t bytes = 0;        // chunks held now
        std::size_t allocations = 0;  // chunks obtained so far
    };

    static constexpr int kAlign = 16;  // glibc's default alignment on x86-64, made explicit
    static constexpr std::size_t kDefaultCapacity = 4096;  // the arena's default first block
    static constexpr std::size_t kMaxRequest = INT_MAX / 2;  // obstack lengths are int

    static void* chunk_alloc(void* arg, long size) {
        void* p = std::malloc(static_cast<std::size_t>(size));
        if (p == nullptr) out_of_memory(kName, static_cast<std::size_t>(size), 0);
        auto* c = static_cast<Chunks*>(arg);
        c->bytes += static_cast<std::size_t>(size);
        c->allocations += 1;
        return p;
    }
    static void chunk_free(void* arg, void* chunk) {
        auto* c = static_cast<Chunks*>(arg);
        auto* header = static_cast<struct _obstack_chunk*>(chunk);
        c->bytes -= static_cast<std::size_t>(header->limit - static_cast<char*>(chunk));
        std::free(chunk);
    }
    // Usable bytes plus the chunk header (limit and prev pointers).
    static int chunk_size_for(std::size_t initial_capacity) {
        std::size_t usable = initial_capacity != 0 ? initial_capacity : kDefaultCapacity;
        if (usable > kMaxRequest) out_of_memory(kName, usable, 0);
        return static_cast<int>(usable + offsetof(struct _obstack_chunk, contents));
    }
    // obstack_begin over the counting chunk functions; returns the empty first
    // object that reset() frees back to.
    static void* begin(struct obstack& ob, int chunk_size, Chunks& chunks) {
        obstack_specify_allocation_with_arg(&ob, chunk_size, kAlign, chunk_alloc, chunk_free, &chunks);
        return obstack_alloc(&ob, 0);
    }

    // The alignment test folds away for the constant alignments workloads pass.
    static void* allocate_in(struct obstack& ob, std::size_t size, std::size_t align, std::string_view who) {
        if (__builtin_expect(size > kMaxRequest, 0)) out_of_memory(who, size, align);
        if (align <= kAlign) return obstack_alloc(&ob, static_cast<int>(size));
        return allocate_aligned(ob, size, align);
    }
    [[gnu::noinline]] static void* allocate_aligned(struct obstack& ob, std::size_t size, std::size_t align) {
        if (align > kMaxRequest) out_of_memory(kName, size, align);
        obstack_alignment_mask(&ob) = static_cast<int>(align - 1);
        (void)obstack_finish(&ob);  // an empty object: the next starts aligned, or at the chunk's end
        // At the chunk's end a zero-length object would stay unaligned; a byte forces a new chunk.
        obstack_blank(&ob, static_cast<int>(size != 0 ? size : 1));
        obstack_alignment_mask(&ob) = kAlign - 1;
        return obstack_finish(&ob);
    }

    int chunk_size_;
    Chunks chunks_;
    struct obstack ob_;
    void* first_;
};

}  // namespace competitors

#endif  // COMPETITORS_OBSTACK_ADAPTER_H
