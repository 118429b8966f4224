/* The seed document's "Code Example: Arena Creation and Usage", unchanged,
 * inside a main(). Built as C against the installed library by the consumer
 * test (find_package and pkg-config). */
#include <arena/arena.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    // Create a memory arena with 1MB initial capacity
    Arena* arena = arena_create(1024 * 1024);
    if (!arena) {
        fprintf(stderr, "Failed to create memory arena\n");
        return 1;
    }

    // Allocate memory from the arena
    void* data1 = arena_alloc(arena, 1000);
    void* data2 = arena_alloc(arena, 2000);
    void* data3 = arena_alloc_aligned(arena, 4000, 16);  // 16-byte aligned allocation

    // Use the allocated memory...
    memset(data1, 1, 1000);
    memset(data2, 2, 2000);
    memset(data3, 3, 4000);
    if (arena_get_allocation_count(arena) != 3 || arena_get_used_memory(arena) < 7000 ||
        ((unsigned long)data3 & 15) != 0) {
        fprintf(stderr, "unexpected statistics\n");
        return 1;
    }
    printf("seed usage: %zu allocations, %zu bytes used\n", arena_get_allocation_count(arena),
           arena_get_used_memory(arena));

    // Free all memory at once
    arena_destroy(arena);
    return 0;
}
