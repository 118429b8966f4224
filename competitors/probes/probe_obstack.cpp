// Feature probe of GNU obstack (glibc <obstack.h>).
#include <obstack.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "probe.h"

namespace probe {
namespace {

std::size_t g_chunk_calls = 0;

// obstack takes its chunks from the obstack_chunk_alloc macro: the allocator hook.
void* counting_chunk_alloc(std::size_t n) {
    ++g_chunk_calls;
    return std::malloc(n);
}

}  // namespace
}  // namespace probe

#define obstack_chunk_alloc probe::counting_chunk_alloc
#define obstack_chunk_free std::free

namespace probe {
namespace {

// obstack_begin's size is the chunk size: the shared first-block size.
struct Obstack {
    obstack h;
    Obstack() { obstack_begin(&h, kFirstBlock); }
    ~Obstack() { obstack_free(&h, nullptr); }
};

}  // namespace

void align_4096() {
    Obstack o;
    // The mask takes effect when the next object is finished (glibc manual):
    // the object after an empty one is aligned.
    obstack_alignment_mask(&o.h) = 4095;
    static_cast<void>(obstack_alloc(&o.h, 0));
    void* p = obstack_alloc(&o.h, 100);
    report_pointer(p, "obstack_alignment_mask(h) = 4095 (effective from the next object), obstack_alloc(h, 0), "
                      "then obstack_alloc(h, 100)", 4096);
}

void oversized() {
    Obstack o;
    void* p = obstack_alloc(&o.h, kOversized);
    report_pointer(p, "obstack_alloc(h, 64 MiB), chunk 64 KiB (a chunk of its own)");
}

void size_zero() {
    Obstack o;
    void* p = obstack_alloc(&o.h, 0);
    report_pointer(p, "obstack_alloc(h, 0)");
}

void size_max() {
    Obstack o;
    void* p = obstack_alloc(&o.h, opaque(SIZE_MAX));
    report_pointer(p, "obstack_alloc(h, SIZE_MAX): <obstack.h> takes the size as an int (SIZE_MAX becomes -1)");
}

void reset_reuse() {
    Obstack o;
    void* first = obstack_alloc(&o.h, kPiece);
    for (std::size_t i = 1; i < kPieces; ++i) static_cast<void>(obstack_alloc(&o.h, kPiece));
    const std::size_t calls = g_chunk_calls;
    obstack_free(&o.h, first);  // everything from the first object on
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(obstack_alloc(&o.h, kPiece));
    report_reuse(calls, g_chunk_calls - calls,
                 "a counting obstack_chunk_alloc; bulk release obstack_free(h, first object)");
}

void child_region() {
    report(kNo, "no nested obstack: a second obstack is independent; obstack_free to an object "
                "(a savepoint) is the only scoping");
}

void savepoint() {
    Obstack o;
    static_cast<void>(obstack_alloc(&o.h, 100));
    void* mark = obstack_alloc(&o.h, 100);
    static_cast<void>(obstack_alloc(&o.h, 5000));
    obstack_free(&o.h, mark);  // frees mark and everything after it
    void* again = obstack_alloc(&o.h, 100);
    if (again == mark)
        report(kYes, "obstack_free(h, object) frees it and everything allocated after it; the memory is reused");
    else
        report(kPartial, "obstack_free(h, object) did not give the memory back to the next allocation");
}

void destructor() {
    report(kNo, "no cleanup or destructor registration in <obstack.h>");
}

void statistics() {
    Obstack o;
    for (int i = 0; i < 10; ++i) static_cast<void>(obstack_alloc(&o.h, 100));
    const std::size_t used = static_cast<std::size_t>(obstack_memory_used(&o.h));
    if (used >= 1000)
        report(kPartial, "obstack_memory_used(h) = " + std::to_string(used) +
                             ": bytes held in chunks only (no bytes in use, no count)");
    else
        report(kNo, "obstack_memory_used(h) = " + std::to_string(used) + " after 1000 bytes");
}

}  // namespace probe
