// Blocks and growth: the out-of-line allocation path, dedicated blocks for
// oversized requests, in-place growth of the newest allocation, and the block
// bookkeeping behind reset and destroy.
#include <cerrno>
#include <cstring>
#include <initializer_list>

#include "arena_internal.h"

using namespace arena_detail;

namespace arena_detail {

Block *new_block(Arena *arena, size_t capacity, size_t index) {
    if (capacity > kMaxRequest) return nullptr;
    size_t total = Block::header_size() + capacity;
    void *memory = arena->upstream.allocate(arena->upstream.context, total);
    if (memory == nullptr) return nullptr;
    if ((reinterpret_cast<uintptr_t>(memory) & (kAlign - 1)) != 0) {
        // A misbehaving upstream would break the 16-byte cursor invariant.
        arena->upstream.deallocate(arena->upstream.context, memory, total);
        return nullptr;
    }
    Block *block = static_cast<Block *>(memory);
    block->next = nullptr;
    block->capacity = capacity;
    block->total_bytes = total;
    block->index = index;
    arena->committed += total;
    arena->block_count += 1;
    arena->upstream_allocations += 1;
    if (arena->committed > arena->peak_committed) arena->peak_committed = arena->committed;
    if (arena->block_count > arena->peak_blocks) arena->peak_blocks = arena->block_count;
    ARENA_POISON(block->data(), capacity);
    ARENA_VG_NOACCESS(block->data(), capacity);
    return block;
}

void release_block(Arena *arena, Block *block, bool dedicated) {
    arena->committed -= block->total_bytes;
    arena->block_count -= 1;
    if (dedicated) arena->dedicated_count -= 1;
    ARENA_UNPOISON(block, block->total_bytes);
    arena->upstream.deallocate(arena->upstream.context, block, block->total_bytes);
}

// Everything handed out is released; every block is kept.
void rewind_to_start(Arena *arena) {
    while (Block *block = arena->dedicated_live) {
        arena->dedicated_live = block->next;
        block->next = arena->dedicated_free;
        arena->dedicated_free = block;
        ARENA_POISON(block->data(), block->capacity);
        ARENA_VG_NOACCESS(block->data(), block->capacity);
    }
    for (Block *block = arena->first; block != nullptr; block = block->next) {
        ARENA_POISON(block->data(), block->capacity);
        ARENA_VG_NOACCESS(block->data(), block->capacity);
    }
    ARENA_VG_POOL_TRIM_ALL(arena);
    arena->current = arena->first;
    set_cursor(arena, arena->first ? arena->first->data() : nullptr);
    arena->allocation_count = 0;
    arena->requested_bytes = 0;
    refold(arena);
    arena->used_before_current = 0;
    arena->abandoned = 0;
    arena->dedicated_used = 0;
}

// After rewind_to_start: keeps a prefix of the chain, then dedicated blocks,
// while their total stays within retain_bytes; returns the rest upstream.
void trim_blocks(Arena *arena, size_t retain_bytes) {
    size_t kept = 0;
    Block **link = &arena->first;
    Block *last_kept = nullptr;
    // Chain capacities never shrink, so the kept part is a prefix.
    while (*link != nullptr && kept + (*link)->total_bytes <= retain_bytes) {
        kept += (*link)->total_bytes;
        last_kept = *link;
        link = &(*link)->next;
    }
    for (Block *block = *link; block != nullptr;) {
        Block *next = block->next;
        release_block(arena, block, false);
        block = next;
    }
    *link = nullptr;
    arena->last = last_kept;
    link = &arena->dedicated_free;
    while (Block *block = *link) {
        if (kept + block->total_bytes <= retain_bytes) {
            kept += block->total_bytes;
            link = &block->next;
        } else {
            *link = block->next;
            release_block(arena, block, true);
        }
    }
    arena->current = arena->first;
    set_cursor(arena, arena->first ? arena->first->data() : nullptr);
    refold(arena);
}

void free_all_blocks(Arena *arena) {
    for (Block **list : {&arena->first, &arena->dedicated_live, &arena->dedicated_free}) {
        bool dedicated = list != &arena->first;
        while (Block *block = *list) {
            *list = block->next;
            release_block(arena, block, dedicated);
        }
    }
    arena->current = arena->last = nullptr;
    set_cursor(arena, nullptr);
    refold(arena);
}

} // namespace arena_detail

namespace {

// Bumps inside the current block, or returns NULL when it does not fit.
char *try_bump(Arena *arena, size_t rounded, size_t alignment) {
    char *at = cursor(arena);
    if (at == nullptr) return nullptr;
    size_t padding = static_cast<size_t>(-reinterpret_cast<uintptr_t>(at)) & (alignment - 1);
    size_t available = static_cast<size_t>(arena->current->end() - at);
    if (padding > available || rounded > available - padding) return nullptr;
    set_cursor(arena, at + padding + rounded);
    return at + padding;
}

void *hand_out(Arena *arena, char *result, size_t size) {
    arena->allocation_count += 1;
    arena->requested_bytes += granule_bytes(size);
    refold(arena);
    ARENA_UNPOISON(result, size);
    ARENA_VG_POOL_ALLOC(arena, result, size);
    return result;
}

// Capacity of the next block the chain would grow: the tail's capacity times
// the growth factor, capped. Dedicated blocks never take part, so one huge
// request does not inflate every later block.
size_t grown_capacity(const Arena *arena) {
    if (arena->last == nullptr) return arena->initial_capacity;
    double grown = static_cast<double>(arena->last->capacity) * arena->growth_factor;
    size_t cap = arena->max_block_size ? arena->max_block_size : kMaxRequest;
    size_t capacity = grown >= static_cast<double>(cap) ? cap : static_cast<size_t>(grown);
    if (capacity < arena->last->capacity) capacity = arena->last->capacity;
    return round_up(capacity, kAlign);
}

void *alloc_dedicated(Arena *arena, size_t size, size_t rounded, size_t alignment, size_t needed) {
    Block *best = nullptr;
    Block **best_link = nullptr;
    for (Block **link = &arena->dedicated_free; *link; link = &(*link)->next) {
        Block *block = *link;
        if (block->capacity >= needed && (best == nullptr || block->capacity < best->capacity)) {
            best = block;
            best_link = link;
        }
    }
    if (best != nullptr) {
        *best_link = best->next;
    } else {
        best = new_block(arena, needed, 0);
        if (best == nullptr) {
            errno = ENOMEM;
            return nullptr;
        }
        arena->dedicated_count += 1;
        arena->dedicated_obtained += 1;
    }
    best->next = arena->dedicated_live;
    arena->dedicated_live = best;
    char *result = reinterpret_cast<char *>(round_up(reinterpret_cast<uintptr_t>(best->data()), alignment));
    arena->dedicated_used += rounded;
    return hand_out(arena, result, size);
}

void move_to_block(Arena *arena, Block *next) {
    if (Block *current = arena->current) {
        arena->used_before_current += static_cast<size_t>(cursor(arena) - current->data());
        arena->abandoned += static_cast<size_t>(current->end() - cursor(arena));
    }
    set_cursor(arena, next->data());
    arena->current = next;
    refold(arena);
}

} // namespace

extern "C" ARENA_NOINLINE ARENA_COLD void *arena_alloc_slow(Arena *arena, size_t size, size_t alignment) {
    if (arena == nullptr || !is_power_of_two(alignment)) {
        errno = EINVAL;
        return nullptr;
    }
    if (size > kMaxRequest || alignment > kMaxRequest) {
        errno = ENOMEM;
        return nullptr;
    }
    if (alignment < kAlign) alignment = kAlign;
    refold(arena); // the fast path may have declined only because the fold window ended
    // size 0 still consumes one granule so that every result is unique.
    size_t rounded = size == 0 ? kAlign : round_up(size, kAlign);
    if (char *result = try_bump(arena, rounded, alignment)) return hand_out(arena, result, size);

    // Worst-case padding at the start of a block whose data is 16-aligned.
    size_t needed = rounded + (alignment - kAlign);
    Block *next = arena->current ? arena->current->next : arena->first;
    size_t next_capacity = next ? next->capacity : grown_capacity(arena);
    if (needed > next_capacity) return alloc_dedicated(arena, size, rounded, alignment, needed);
    if (next == nullptr) {
        next = new_block(arena, next_capacity, arena->last ? arena->last->index + 1 : 0);
        if (next == nullptr) {
            errno = ENOMEM;
            return nullptr;
        }
        if (arena->last) {
            arena->last->next = next;
        } else {
            arena->first = next;
        }
        arena->last = next;
    }
    move_to_block(arena, next);
    char *result = try_bump(arena, rounded, alignment);
    ARENA_DEBUG_ASSERT(result != nullptr);
    return hand_out(arena, result, size);
}

extern "C" void *arena_realloc(Arena *arena, void *ptr, size_t old_size, size_t new_size) {
    if (arena == nullptr) {
        errno = EINVAL;
        return nullptr;
    }
    if (ptr == nullptr) return arena_alloc(arena, new_size);
    if (new_size > kMaxRequest) {
        errno = ENOMEM;
        return nullptr;
    }
    refold(arena);
    char *bytes = static_cast<char *>(ptr);
    size_t old_rounded = old_size == 0 ? kAlign : round_up(old_size, kAlign);
    size_t new_rounded = new_size == 0 ? kAlign : round_up(new_size, kAlign);
    Block *current = arena->current;
    size_t old_granules = granule_bytes(old_size), new_granules = granule_bytes(new_size);
    bool is_newest = current != nullptr && bytes >= current->data() && old_size <= kMaxRequest &&
                     bytes + old_rounded == arena->cursor && arena->requested_bytes >= old_granules;
    if (is_newest && new_rounded <= static_cast<size_t>(current->end() - bytes)) {
        note_peak(arena); // shrinking lowers used bytes: keep the peak first
        set_cursor(arena, bytes + new_rounded);
        arena->requested_bytes = arena->requested_bytes - old_granules + new_granules;
        refold(arena);
        if (new_size < old_size) {
            ARENA_POISON(bytes + new_size, old_rounded - new_size);
        } else {
            ARENA_UNPOISON(bytes, new_size);
        }
#if ARENA_VALGRIND
        VALGRIND_MEMPOOL_CHANGE(arena, bytes, bytes, new_size);
#endif
        return ptr;
    }
    if (new_size <= old_size) { // shrink elsewhere: keep the memory, the tail becomes padding
        if (arena->requested_bytes >= old_granules - new_granules) arena->requested_bytes -= old_granules - new_granules;
        ARENA_POISON(bytes + new_size, old_size - new_size);
        return ptr;
    }
    void *moved = arena_alloc(arena, new_size);
    if (moved == nullptr) return nullptr;
    std::memcpy(moved, ptr, old_size);
    return moved;
}
