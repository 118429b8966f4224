// Lifetimes: creation with validated options, parent/child arenas, reset,
// destroy, cleanups, and savepoints (mark / rewind).
#include <cerrno>
#include <cmath>
#include <cstring>

#include "arena_internal.h"

using namespace arena_detail;

namespace {

// Returns 0 or the errno value that describes what is wrong with the options.
int validate(const ArenaOptions &options) {
    if (options.initial_capacity > kMaxRequest) return ENOMEM;
    if (!(options.growth_factor >= 1.0 && options.growth_factor <= 16.0)) return EINVAL; // NaN too
    if (options.max_block_size != 0 &&
        (options.max_block_size > kMaxRequest || options.max_block_size < options.initial_capacity))
        return EINVAL;
    if (options.upstream != nullptr &&
        (options.upstream->allocate == nullptr || options.upstream->deallocate == nullptr))
        return EINVAL;
    return 0;
}

// site: the return address of the public entry point's caller.
Arena *create(const ArenaOptions *given, Arena *parent, const void *site_address) {
    ArenaOptions options;
    arena_options_init(&options);
    if (given != nullptr) {
        options = *given;
        if (options.initial_capacity == 0) options.initial_capacity = ARENA_DEFAULT_CAPACITY;
        if (options.growth_factor == 0.0) options.growth_factor = 2.0;
    }
    if (options.upstream == nullptr)
        options.upstream = parent ? &parent->upstream : arena_upstream_malloc();
    // ARENA_STATS / ARENA_CAPACITY: one predictable branch when both are off.
    const size_t requested_capacity = options.initial_capacity;
    SiteRecord *site = nullptr;
    if (ARENA_UNLIKELY(__atomic_load_n(&sites_state, __ATOMIC_RELAXED) != kSitesOff))
        site = site_before_create(site_address, parent != nullptr, &options);
    if (int error = validate(options)) {
        errno = error;
        return nullptr;
    }
    const ArenaUpstream upstream = *options.upstream;
    void *memory = upstream.allocate(upstream.context, sizeof(Arena));
    if (memory == nullptr) {
        errno = ENOMEM;
        return nullptr;
    }
    Arena *arena = static_cast<Arena *>(memory);
    std::memset(arena, 0, sizeof(Arena));
    arena->initial_capacity = round_up(options.initial_capacity, kAlign);
    arena->growth_factor = options.growth_factor;
    arena->max_block_size = options.max_block_size;
    arena->upstream = upstream;
    ARENA_VG_CREATE_POOL(arena);

    Block *first = new_block(arena, arena->initial_capacity, 0);
    if (first == nullptr) {
        ARENA_VG_DESTROY_POOL(arena);
        upstream.deallocate(upstream.context, arena, sizeof(Arena));
        errno = ENOMEM;
        return nullptr;
    }
    arena->first = arena->current = arena->last = first;
    set_cursor(arena, first->data());
    refold(arena);

    if (parent != nullptr) {
        arena->parent = parent;
        arena->next_sibling = parent->first_child;
        if (parent->first_child) parent->first_child->prev_sibling = arena;
        parent->first_child = arena;
    }
    if (ARENA_UNLIKELY(site != nullptr)) site_created(arena, site, requested_capacity);
    return arena;
}

void reset_tree(Arena *arena, bool trim, size_t retain_bytes) {
    run_cleanups_until(arena, nullptr);
    for (Arena *child = arena->first_child; child != nullptr; child = child->next_sibling)
        reset_tree(child, false, 0);
    note_peak(arena);
    if (ARENA_UNLIKELY(arena->site != nullptr)) site_reset(arena);
    rewind_to_start(arena);
    if (trim) trim_blocks(arena, retain_bytes);
    arena->peak_used_since_reset = 0;
    arena->reset_count += 1;
    arena->epoch += 1;
    arena->floor_count = 0; // marks from before are refused by the epoch
}

// After a successful rewind to a mark with `count` allocations.
void remember_floor(Arena *arena, size_t count) {
    arena->rewinds += 1;
    size_t n = arena->floor_count;
    while (n > 0 && arena->floors[n - 1].count >= count) --n;
    if (n == kRewindFloors) { // full: forget the oldest level
        std::memmove(&arena->floors[0], &arena->floors[1], (n - 1) * sizeof arena->floors[0]);
        n -= 1;
    }
    arena->floors[n] = {arena->rewinds, count};
    arena->floor_count = n + 1;
}

// Is target reachable from list (following next), or NULL?
template <typename Node> bool reachable(Node *list, const void *target) {
    for (Node *node = list; node != nullptr; node = node->next)
        if (node == target) return true;
    return target == nullptr;
}

} // namespace

namespace arena_detail {

void run_cleanups_until(Arena *arena, Cleanup *stop) {
    // Each cleanup is unlinked before it runs, so one that fails half-way
    // through a later reset is never run twice.
    while (arena->cleanups != nullptr && arena->cleanups != stop) {
        Cleanup *cleanup = arena->cleanups;
        arena->cleanups = cleanup->next;
        cleanup->fn(cleanup->data);
    }
}

} // namespace arena_detail

extern "C" {

void arena_options_init(ArenaOptions *options) {
    if (options == nullptr) return;
    options->initial_capacity = ARENA_DEFAULT_CAPACITY;
    options->growth_factor = 2.0;
    options->max_block_size = 0;
    options->upstream = nullptr;
}

// The creation site is the caller's return address; arena.hpp's constructors
// are always-inline so that their caller is the site.
Arena *arena_create(size_t initial_capacity) {
    ArenaOptions options;
    arena_options_init(&options);
    options.initial_capacity = initial_capacity == 0 ? ARENA_DEFAULT_CAPACITY : initial_capacity;
    return create(&options, nullptr, ARENA_CALLER_ADDRESS());
}

Arena *arena_create_ex(const ArenaOptions *options) { return create(options, nullptr, ARENA_CALLER_ADDRESS()); }

Arena *arena_create_child(Arena *parent, size_t initial_capacity) {
    if (parent == nullptr) {
        errno = EINVAL;
        return nullptr;
    }
    ArenaOptions options;
    arena_options_init(&options);
    options.initial_capacity = initial_capacity == 0 ? ARENA_DEFAULT_CAPACITY : initial_capacity;
    options.growth_factor = parent->growth_factor;
    options.max_block_size = parent->max_block_size;
    if (options.max_block_size != 0 && options.max_block_size < options.initial_capacity)
        options.max_block_size = options.initial_capacity;
    return create(&options, parent, ARENA_CALLER_ADDRESS());
}

Arena *arena_create_child_ex(Arena *parent, const ArenaOptions *options) {
    if (parent == nullptr) {
        errno = EINVAL;
        return nullptr;
    }
    return create(options, parent, ARENA_CALLER_ADDRESS());
}

void arena_destroy(Arena *arena) {
    if (arena == nullptr) return;
    run_cleanups_until(arena, nullptr);
    while (arena->first_child != nullptr) arena_destroy(arena->first_child);
    if (ARENA_UNLIKELY(arena->site != nullptr)) site_destroy(arena);
    if (Arena *parent = arena->parent) {
        if (arena->prev_sibling) {
            arena->prev_sibling->next_sibling = arena->next_sibling;
        } else {
            parent->first_child = arena->next_sibling;
        }
        if (arena->next_sibling) arena->next_sibling->prev_sibling = arena->prev_sibling;
    }
    free_all_blocks(arena);
    ARENA_VG_DESTROY_POOL(arena);
    const ArenaUpstream upstream = arena->upstream;
    upstream.deallocate(upstream.context, arena, sizeof(Arena));
}

void arena_reset(Arena *arena) {
    if (arena != nullptr) reset_tree(arena, false, 0);
}

void arena_reset_retain(Arena *arena, size_t retain_bytes) {
    if (arena != nullptr) reset_tree(arena, true, retain_bytes);
}

int arena_add_cleanup(Arena *arena, void (*fn)(void *), void *data) {
    if (arena == nullptr || fn == nullptr) return EINVAL;
    auto *cleanup = static_cast<Cleanup *>(arena_alloc(arena, sizeof(Cleanup)));
    if (cleanup == nullptr) return ENOMEM;
    cleanup->fn = fn;
    cleanup->data = data;
    cleanup->next = arena->cleanups;
    arena->cleanups = cleanup;
    return 0;
}

ArenaMark arena_mark(Arena *arena) {
    ArenaMark mark;
    std::memset(&mark, 0, sizeof mark);
    if (arena == nullptr) return mark;
    refold(arena);
    mark.arena_ = arena;
    mark.block_ = arena->current;
    mark.cursor_ = arena->cursor;
    mark.used_before_ = arena->used_before_current;
    mark.abandoned_ = arena->abandoned;
    mark.dedicated_used_ = arena->dedicated_used;
    mark.dedicated_ = arena->dedicated_live;
    mark.cleanups_ = arena->cleanups;
    mark.allocation_count_ = arena->allocation_count;
    mark.requested_bytes_ = arena->requested_bytes;
    mark.epoch_ = arena->epoch;
    mark.rewinds_ = arena->rewinds;
    return mark;
}

int arena_rewind(Arena *arena, ArenaMark mark) {
    if (arena == nullptr || mark.arena_ != arena || mark.epoch_ != arena->epoch) return EINVAL;
    if (mark.allocation_count_ > allocation_count(arena) || mark.requested_bytes_ > requested_bytes(arena))
        return EINVAL;
    // Rewound past: a rewind since the mark went below it. (Its blocks and
    // counts may have grown back since, so the checks below cannot tell.)
    for (size_t i = 0; i < arena->floor_count; ++i) {
        if (arena->floors[i].rewind > mark.rewinds_) {
            if (arena->floors[i].count < mark.allocation_count_) return EINVAL;
            break;
        }
    }
    // The mark's block must be in the chain at or before the current one.
    Block *target = static_cast<Block *>(mark.block_);
    char *cursor = mark.cursor_;
    if (target == nullptr) { // marked before the arena had a block
        if (cursor != nullptr) return EINVAL;
        target = arena->first;
        cursor = target ? target->data() : nullptr;
    } else {
        bool found = false;
        for (Block *block = arena->first; block != nullptr; block = block->next) {
            if (block == target) {
                found = true;
                break;
            }
            if (block == arena->current) break;
        }
        if (!found || cursor < target->data() || cursor > target->end()) return EINVAL;
        if (target == arena->current && cursor > arena_detail::cursor(arena)) return EINVAL;
    }
    if (!reachable(arena->dedicated_live, mark.dedicated_) || !reachable(arena->cleanups, mark.cleanups_))
        return EINVAL;

    note_peak(arena);
    run_cleanups_until(arena, static_cast<Cleanup *>(mark.cleanups_));
    while (arena->dedicated_live != mark.dedicated_) {
        Block *block = arena->dedicated_live;
        arena->dedicated_live = block->next;
        block->next = arena->dedicated_free;
        arena->dedicated_free = block;
        ARENA_POISON(block->data(), block->capacity);
        ARENA_VG_NOACCESS(block->data(), block->capacity);
    }
    if (target != nullptr) {
        ARENA_POISON(cursor, static_cast<size_t>(target->end() - cursor));
        ARENA_VG_NOACCESS(cursor, static_cast<size_t>(target->end() - cursor));
        for (Block *block = target->next; block != nullptr && block->index <= arena->current->index;
             block = block->next) {
            ARENA_POISON(block->data(), block->capacity);
            ARENA_VG_NOACCESS(block->data(), block->capacity);
        }
    }
    arena->current = target;
    set_cursor(arena, cursor);

    arena->used_before_current = mark.used_before_;
    arena->abandoned = mark.abandoned_;
    arena->dedicated_used = mark.dedicated_used_;
    arena->allocation_count = mark.allocation_count_;
    arena->requested_bytes = mark.requested_bytes_;
    refold(arena);
    remember_floor(arena, mark.allocation_count_);
    return 0;
}

#if ARENA_VALGRIND
void arena_valgrind_note_alloc_(Arena *arena, void *ptr, size_t size) { ARENA_VG_POOL_ALLOC(arena, ptr, size); }
#endif

} // extern "C"
