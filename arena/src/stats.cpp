// Statistics and the consistency check.
#include <cerrno>
#include <cstring>
#include <initializer_list>

#include "arena_internal.h"

using namespace arena_detail;

namespace {

constexpr size_t kSuggestionGranule = 4096; // capacities are suggested in whole pages

void add_stats(const Arena *arena, ArenaStats *stats, bool include_children) {
    size_t used = used_bytes(arena);
    stats->used_bytes += used;
    stats->requested_bytes += requested_bytes(arena);
    stats->allocation_count += allocation_count(arena);
    stats->committed_bytes += arena->committed;
    stats->block_count += arena->block_count;
    stats->dedicated_block_count += arena->dedicated_count;
    stats->padding_bytes += used - requested_bytes(arena);
    stats->abandoned_bytes += arena->abandoned;
    stats->peak_used_bytes += used > arena->peak_used ? used : arena->peak_used;
    stats->peak_used_since_reset += used > arena->peak_used_since_reset ? used : arena->peak_used_since_reset;
    stats->reset_count += arena->reset_count;
    stats->upstream_allocations += arena->upstream_allocations;
    if (include_children)
        for (const Arena *child = arena->first_child; child != nullptr; child = child->next_sibling)
            add_stats(child, stats, true);
}

} // namespace

extern "C" {

size_t arena_get_used_memory(const Arena *arena) { return arena ? used_bytes(arena) : 0; }

size_t arena_get_allocation_count(const Arena *arena) { return arena ? allocation_count(arena) : 0; }

void arena_get_stats(const Arena *arena, ArenaStats *stats, int flags) {
    if (stats == nullptr) return;
    std::memset(stats, 0, sizeof *stats);
    if (arena == nullptr) return;
    add_stats(arena, stats, (flags & ARENA_STATS_INCLUDE_CHILDREN) != 0);
    // One block that would have served the observed peak: whole pages, and
    // never below the smallest sensible block.
    size_t peak = stats->peak_used_bytes;
    stats->suggested_initial_capacity = peak < kSuggestionGranule ? kSuggestionGranule : round_up(peak, kSuggestionGranule);
}

int arena_check(const Arena *arena) {
    if (arena == nullptr) return EINVAL;
    const ArenaHot &hot = arena->hot;
    const char *at = cursor(arena);
    if ((reinterpret_cast<uintptr_t>(at) & (kAlign - 1)) != 0) return EINVAL;
    size_t committed = 0, blocks = 0, dedicated = 0;
    bool seen_current = arena->current == nullptr;
    const Block *previous = nullptr;
    for (const Block *block = arena->first; block != nullptr; block = block->next) {
        if (previous && (block->index != previous->index + 1 || block->capacity < previous->capacity))
            return EINVAL;
        committed += block->total_bytes;
        blocks += 1;
        if (block == arena->current) seen_current = true;
        previous = block;
    }
    if (!seen_current || previous != arena->last) return EINVAL;
    if (arena->current == nullptr) {
        if (at != nullptr || hot.bump != 0 || hot.limit != 0 || arena->first != nullptr) return EINVAL;
    } else if (hot.bump == 0) { // fast path off: only for a block that cannot be packed
        if (hot.limit != 0 || hot.aligned_padding != 0) return EINVAL;
        if (at < arena->current->data() || at > arena->current->end()) return EINVAL;
        if (static_cast<uint64_t>(reinterpret_cast<uintptr_t>(arena->current->end())) < kPackableEnd) return EINVAL;
    } else {
        // Packed: cursor of the last fold <= cursor <= limit <= block end,
        // the limit within one fold window of the fold, and the count no
        // more than one per 16 bytes moved (so it never carried).
        Block *current = arena->current;
        const char *limit = reinterpret_cast<const char *>(static_cast<uintptr_t>(hot.limit >> ARENA_PACK_SHIFT_));
        if ((hot.limit & ARENA_PACK_COUNT_MASK_) != ARENA_PACK_COUNT_MASK_) return EINVAL;
        if (arena->cursor < current->data() || at < arena->cursor || at > limit || limit > current->end())
            return EINVAL;
        if ((reinterpret_cast<uintptr_t>(arena->cursor) & (kAlign - 1)) != 0) return EINVAL;
        if (static_cast<size_t>(limit - arena->cursor) > ARENA_FOLD_WINDOW_) return EINVAL;
        size_t moved = static_cast<size_t>(at - arena->cursor);
        if (pending_count(arena) > moved / kAlign || hot.aligned_padding > moved) return EINVAL;
    }
    size_t dedicated_capacity = 0;
    for (const Block *list : {arena->dedicated_live, arena->dedicated_free}) {
        for (const Block *block = list; block != nullptr; block = block->next) {
            committed += block->total_bytes;
            blocks += 1;
            dedicated += 1;
            if (list == arena->dedicated_live) dedicated_capacity += block->capacity;
        }
    }
    if (committed != arena->committed || blocks != arena->block_count || dedicated != arena->dedicated_count)
        return EINVAL;
    if (arena->dedicated_used > dedicated_capacity) return EINVAL;
    if (used_bytes(arena) < requested_bytes(arena)) return EINVAL;
    if (used_bytes(arena) + arena->abandoned > committed) return EINVAL;
    for (const Arena *child = arena->first_child; child != nullptr; child = child->next_sibling) {
        if (child->parent != arena) return EINVAL;
        if (child->next_sibling && child->next_sibling->prev_sibling != child) return EINVAL;
        if (int error = arena_check(child)) return error;
    }
    return 0;
}

} // extern "C"
