/* The seed document's nested-arena example, unchanged, inside a main(), plus
 * the same shape with a real child arena (arena_create_child). */
#include <arena/arena.h>
#include <stdio.h>

int main(void) {
    // Create parent arena
    Arena* parent_arena = arena_create(1024 * 1024);

    // Create child arena for a specific computation
    Arena* child_arena = arena_create(64 * 1024);

    // Perform computation with child arena
    // ...
    int* scratch = (int*)arena_alloc(child_arena, 100 * sizeof(int));
    for (int i = 0; i < 100; i++) scratch[i] = i * i;

    // Free child arena when computation is complete
    arena_destroy(child_arena);

    // Parent arena continues to be used
    // ...
    char* kept = (char*)arena_alloc(parent_arena, 64);
    snprintf(kept, 64, "parent still usable");

    // A child that lives and dies with its parent.
    Arena* child = arena_create_child(parent_arena, 4096);
    if (!child || !arena_alloc(child, 128)) return 1;
    ArenaStats stats;
    arena_get_stats(parent_arena, &stats, ARENA_STATS_INCLUDE_CHILDREN);
    printf("seed nested: %s; %zu allocations incl. children\n", kept, stats.allocation_count);
    if (stats.allocation_count != 2) return 1;

    // Eventually free parent arena
    arena_destroy(parent_arena); /* destroys the child too */
    return 0;
}
