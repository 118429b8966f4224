/* Run under valgrind memcheck by CTest with the library built with
 * ARENA_VALGRIND=1 (mempool client requests). "clean" must report no error;
 * the other modes must each be reported. */
#include <arena/arena.h>
#include <stdio.h>
#include <string.h>

static int clean(void) {
    Arena *arena = arena_create(1024);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 200; i++) {
            char *p = arena_alloc(arena, (size_t)(16 + i % 100));
            memset(p, i, (size_t)(16 + i % 100));
        }
        char *big = arena_alloc_aligned(arena, 100000, 4096);
        memset(big, 1, 100000);
        ArenaMark mark = arena_mark(arena);
        char *scratch = arena_alloc(arena, 500);
        memset(scratch, 2, 500);
        scratch = arena_realloc(arena, scratch, 500, 900);
        memset(scratch, 3, 900);
        if (arena_rewind(arena, mark) != 0) return 1;
        arena_reset(arena);
    }
    Arena *child = arena_create_child(arena, 512);
    memset(arena_alloc(child, 64), 0, 64);
    arena_destroy(arena);
    return 0;
}

static int use_after_reset(void) {
    Arena *arena = arena_create(1024);
    volatile char *p = arena_alloc(arena, 64);
    p[0] = 1;
    arena_reset(arena);
    int value = p[0]; /* memcheck: Invalid read */
    arena_destroy(arena);
    return value == 12345;
}

static int uninitialised(void) {
    Arena *arena = arena_create(1024);
    int *p = arena_alloc(arena, sizeof(int));
    int result = 0;
    if (*p == 42) result = 1; /* memcheck: depends on uninitialised value */
    arena_destroy(arena);
    return result;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "clean";
    if (strcmp(mode, "clean") == 0) return clean();
    if (strcmp(mode, "use-after-reset") == 0) return use_after_reset();
    if (strcmp(mode, "uninitialised") == 0) return uninitialised();
    fprintf(stderr, "valgrind_probe: unknown mode '%s' (clean, use-after-reset, uninitialised)\n", mode);
    return 2;
}
