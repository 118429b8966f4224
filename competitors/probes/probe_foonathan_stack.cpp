// Feature probe of foonathan::memory::memory_stack (libfoonathan-memory).
#include <foonathan/memory/heap_allocator.hpp>
#include <foonathan/memory/memory_stack.hpp>

#include <cstdint>
#include <string>
#include <type_traits>

#include "probe.h"

namespace memory = foonathan::memory;

namespace probe {
namespace {

std::size_t g_block_calls = 0;

// A RawAllocator over the heap that counts: memory_stack takes its upstream
// as a template argument (growing_block_allocator over it), the allocator hook.
struct CountingHeap {
    using is_stateful = std::false_type;
    void* allocate_node(std::size_t size, std::size_t alignment) {
        ++g_block_calls;
        return memory::heap_allocator().allocate_node(size, alignment);
    }
    void deallocate_node(void* p, std::size_t size, std::size_t alignment) noexcept {
        memory::heap_allocator().deallocate_node(p, size, alignment);
    }
};

// memory_stack's block size is its knob for the first block: the shared size.
memory::memory_stack<> make() { return memory::memory_stack<>(kFirstBlock); }

}  // namespace

void align_4096() {
    auto s = make();
    void* p = s.allocate(100, 4096);
    report_pointer(p, "allocate(100, 4096)", 4096);
}

void oversized() {
    auto s = make();
    void* p = s.allocate(kOversized, 16);
    report_pointer(p, "allocate(64 MiB, 16), block 64 KiB");
}

void size_zero() {
    auto s = make();
    void* p = s.allocate(0, 16);
    report_pointer(p, "allocate(0, 16)");
}

void size_max() {
    auto s = make();
    void* p = s.allocate(opaque(SIZE_MAX), 16);
    report_pointer(p, "allocate(SIZE_MAX, 16)");
}

void reset_reuse() {
    memory::memory_stack<CountingHeap> s(kFirstBlock);
    const auto start = s.top();
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(s.allocate(kPiece, 16));
    const std::size_t first = g_block_calls;
    s.unwind(start);  // blocks are kept in a cache until shrink_to_fit()
    for (std::size_t i = 0; i < kPieces; ++i) static_cast<void>(s.allocate(kPiece, 16));
    report_reuse(first, g_block_calls - first,
                 "a counting RawAllocator (the template's upstream); bulk release unwind(first marker)");
}

void child_region() {
    report(kNo, "no nested stack: a second memory_stack is independent; markers (top/unwind) are the "
                "only scoping");
}

void savepoint() {
    auto s = make();
    static_cast<void>(s.allocate(100, 16));
    const auto mark = s.top();
    void* first = s.allocate(100, 16);
    static_cast<void>(s.allocate(5000, 16));
    s.unwind(mark);
    void* again = s.allocate(100, 16);
    if (again == first)
        report(kYes, "top() / unwind(marker) (and memory_stack_raii_unwind): the memory is reused");
    else
        report(kPartial, "unwind(marker) did not give the memory back to the next allocation");
}

void destructor() {
    report(kNo, "no cleanup or destructor registration in memory_stack.hpp");
}

void statistics() {
    auto s = make();
    const std::size_t before = s.capacity_left();
    for (int i = 0; i < 10; ++i) static_cast<void>(s.allocate(100, 16));
    const std::size_t left = s.capacity_left();
    if (before - left >= 1000)
        report(kPartial, "capacity_left() " + std::to_string(left) + " and next_capacity() " +
                             std::to_string(s.next_capacity()) +
                             " of the current block only: no bytes in use or held in total, no count");
    else
        report(kNo, "capacity_left() fell by " + std::to_string(before - left) + " after 1000 bytes");
}

}  // namespace probe
