// foonathan_stack_adapter.h - foonathan::memory::memory_stack (foonathan
// memory 0.7), a stack allocator over a list of blocks.
//
// allocate() is memory_stack::allocate(n, align) (any power-of-two
// alignment, padding taken from the block). The stack takes its first block
// when it is made and remembers a marker (top()) there; reset() is unwind()
// to that marker: every later block goes to the arena's cache (memory_arena
// is cached by default) and is reused, in order, by the next fill, so a warm
// cycle needs nothing from upstream. release() destroys the stack and makes
// a new one: shrink_to_fit() frees the cached blocks but keeps the block
// allocator's growth, so every release would start the next fill with a
// block twice the last one's size (churn reached a 32 GiB block request).
//
// First block: the block size given to the constructor (there is no
// default), so that AdapterConfig::initial_capacity bytes are usable in it
// (memory_stack::min_block_size), or ARENA_DEFAULT_CAPACITY (4096) when it is
// 0. Later blocks double (growing_block_allocator, the default).
//
// Side path: a request that does not fit a fresh block (its size plus the
// worst-case alignment padding beyond next_capacity()) makes allocate()
// throw bad_allocation_size, after it has moved to a new block. The library's
// answer is a segregator (threshold() + binary_segregator) that sends
// requests above a size to a fallback allocator, and leaves freeing the
// fallback's objects to the caller. The adapter does the same: the threshold
// is the stack's next_capacity() (blocks only grow until an unwind, so it is
// refreshed after each unwind and when a request passes it), the fallback is
// foonathan's heap_allocator (malloc), and the side objects are listed and
// freed by reset() and release(). Both the blocks and the side objects go
// through a counting raw allocator (CountingHeap, heap_allocator plus a
// count, given as memory_stack's template argument in place of the default
// heap_allocator): footprint_bytes() is the bytes it holds (blocks in use,
// cached blocks, side objects, open regions), upstream_allocations() its
// allocations. verify_live() checks the stack's capacity_left() and the count.
//
// Nested regions are a second memory_stack over the same count (block size
// from open_region's initial_capacity). A marker (top()/unwind) would be the
// stack's own nesting, but it frees everything allocated after it, the
// parent's objects included: the workloads allocate in the parent while a
// region is open (the compiler's IR, the long-lived tree), so a user would
// give the temporaries a stack of their own. reset() unwinds it to its first
// marker; closing it frees its blocks.
#ifndef COMPETITORS_FOONATHAN_STACK_ADAPTER_H
#define COMPETITORS_FOONATHAN_STACK_ADAPTER_H

#include <arena/arena.h>
#include <foonathan/memory/heap_allocator.hpp>
#include <foonathan/memory/memory_stack.hpp>

#include <new>
#include <type_traits>

#include "adapter.h"

namespace competitors {

class FoonathanStackAdapter : public AdapterBase<lifetime::Bulk> {
public:
    static constexpr std::string_view kName = "foonathan_stack";

private:
    struct Counts {
        std::size_t allocations = 0;
        std::size_t bytes = 0;  // held now
    };

    // foonathan's heap_allocator (malloc) with a count: a RawAllocator.
    class CountingHeap {
    public:
        using is_stateful = std::true_type;
        explicit CountingHeap(Counts* counts) noexcept : counts_(counts) {}
        void* allocate_node(std::size_t size, std::size_t align) {
            void* p = foonathan::memory::heap_allocator().allocate_node(size, align);
            counts_->allocations += 1;
            counts_->bytes += size;
            return p;
        }
        void deallocate_node(void* p, std::size_t size, std::size_t align) noexcept {
            counts_->bytes -= size;
            foonathan::memory::heap_allocator().deallocate_node(p, size, align);
        }

    private:
        Counts* counts_;
    };
    using Stack = foonathan::memory::memory_stack<CountingHeap>;
    static constexpr std::size_t kFences = 2 * foonathan::memory::detail::debug_fence_size;

    // A memory_stack, the marker at its start, and the side path.
    class SideStack {
    public:
        SideStack(Counts* counts, std::size_t first_usable)
            : heap_(counts),
              block_size_(Stack::min_block_size(first_usable != 0 ? first_usable : ARENA_DEFAULT_CAPACITY)),
              stack_(block_size_, heap_),
              first_(stack_.top()) {
            refresh();
        }
        ~SideStack() { free_side(); }
        SideStack(const SideStack&) = delete;
        SideStack& operator=(const SideStack&) = delete;

        // The segregator's one test; it also rules out size + align overflowing.
        void* allocate(std::size_t size, std::size_t align) {
            try {
                if (__builtin_expect(size < fits_ && size + align <= fits_, 1)) return stack_.allocate(size, align);
                return allocate_slow(size, align);
            } catch (const std::bad_alloc&) {  // foonathan's out_of_memory included
                out_of_memory(kName, size, align);
            }
        }
        void unwind() {
            free_side();
            stack_.unwind(first_);
            refresh();
        }
        // A new stack in place of this one (its blocks, cached ones included,
        // are freed): the first block's size again.
        void restart() {
            free_side();
            stack_ = Stack(block_size_, heap_);
            first_ = stack_.top();
            refresh();
        }

    private:
        struct Side {
            Side* next;
            std::size_t bytes;
        };
        // No block from now until the next unwind is smaller than this.
        void refresh() { fits_ = stack_.next_capacity() - kFences; }
        [[gnu::noinline]] void* allocate_slow(std::size_t size, std::size_t align) {
            refresh();
            if (size < fits_ && size + align <= fits_) return stack_.allocate(size, align);
            if (size < stack_.capacity_left() && size + align + kFences <= stack_.capacity_left()) {
                return stack_.allocate(size, align);
            }
            if (size > SIZE_MAX - sizeof(Side) - align) out_of_memory(kName, size, align);
            std::size_t bytes = sizeof(Side) + align + size;
            Side* s = ::new (heap_.allocate_node(bytes, alignof(Side))) Side{side_, bytes};
            side_ = s;
            return reinterpret_cast<void*>(align_up(reinterpret_cast<std::uintptr_t>(s + 1), align));
        }
        void free_side() {
            while (side_ != nullptr) {
                Side* s = side_;
                side_ = s->next;
                heap_.deallocate_node(s, s->bytes, alignof(Side));
            }
        }

        CountingHeap heap_;
        std::size_t block_size_;
        Stack stack_;
        Stack::marker first_;
        std::size_t fits_ = 0;
        Side* side_ = nullptr;
    };

public:
    explicit FoonathanStackAdapter(const AdapterConfig& config) : stack_(&counts_, config.initial_capacity) {}

    void* allocate(std::size_t size, std::size_t align) { return stack_.allocate(size, align); }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void*, std::size_t, std::size_t) {}  // a stack frees by unwinding only
    void reset() { stack_.unwind(); }
    void release() { stack_.restart(); }
    std::size_t footprint_bytes() const { return counts_.bytes; }
    std::optional<std::size_t> upstream_allocations() const { return counts_.allocations; }

    // A second memory_stack over the adapter's count.
    class Region : public lifetime::Bulk {
    public:
        static constexpr const char* kKind = "second memory_stack";
        Region(Counts* counts, std::size_t initial_capacity) : stack_(counts, initial_capacity) {}
        void* allocate(std::size_t n, std::size_t align) { return stack_.allocate(n, align); }
        void* allocate_pointer_free(std::size_t n, std::size_t align) { return allocate(n, align); }
        void deallocate(void*, std::size_t, std::size_t) {}
        void reset() { stack_.unwind(); }

    private:
        SideStack stack_;
    };
    Region open_region(std::size_t initial_capacity) { return Region(&counts_, initial_capacity); }

    static bool verify_live(std::string* why) {
        Counts counts;
        bool ok;
        {
            Stack s(Stack::min_block_size(ARENA_DEFAULT_CAPACITY), CountingHeap(&counts));
            std::size_t left = s.capacity_left();
            void* p = s.allocate(64, 16);
            ok = p != nullptr && left == ARENA_DEFAULT_CAPACITY && s.capacity_left() + 64 <= left &&
                 counts.allocations == 1 && counts.bytes == Stack::min_block_size(ARENA_DEFAULT_CAPACITY);
        }
        ok = ok && counts.bytes == 0;
        if (!ok && why) *why = "foonathan_stack: memory_stack's capacity does not match its block allocation";
        return ok;
    }

private:
    Counts counts_;  // before stack_: it outlives the blocks
    SideStack stack_;
};

}  // namespace competitors

#endif  // COMPETITORS_FOONATHAN_STACK_ADAPTER_H
