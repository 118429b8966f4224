/* two_sites.c - a program with two arena creation sites and a deterministic
 * allocation pattern, for trying ARENA_STATS and ARENA_CAPACITY:
 *
 *   ARENA_STATS=1 ./two_sites                       # table on stderr at exit
 *   ARENA_STATS=stats-%p.json ./two_sites           # the same as JSON
 *   ARENA_CAPACITY=parse_file=24K ./two_sites       # one block per parse_file arena
 *
 * parse_file() makes one arena per "file" (4 KiB asked, 100 records of 200
 * bytes per pass, 4 passes with a reset between them), so with the default
 * doubling each arena needs three blocks. render() keeps one long-lived
 * arena (64 KiB) that is still alive at exit and takes one oversized request.
 * The functions are exported (the executable is linked with -rdynamic) and
 * never inlined, so the sites are named "parse_file" and "render".
 * stdout is the same whatever the variables say. */
#include <arena/arena.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

enum { FILES = 3, PASSES = 4, RECORDS = 100, RECORD_BYTES = 200, LINES = 10, LINE_BYTES = 1000 };
enum { IMAGE_BYTES = 300000 }; /* more than any grown block: a dedicated block */

static Arena *g_render_cache; /* kept for the program's lifetime: alive at exit */

NOINLINE unsigned long parse_file(int file) {
    Arena *arena = arena_create(4096);
    if (arena == NULL) {
        perror("arena_create");
        exit(1);
    }
    unsigned long checksum = 0;
    for (int pass = 0; pass < PASSES; ++pass) {
        if (pass > 0) arena_reset(arena);
        for (int i = 0; i < RECORDS; ++i) {
            unsigned char *record = arena_alloc(arena, RECORD_BYTES);
            if (record == NULL) exit(1);
            memset(record, (file + pass + i) & 0xff, RECORD_BYTES);
            checksum += record[RECORD_BYTES - 1];
        }
    }
    arena_destroy(arena);
    return checksum;
}

NOINLINE unsigned long render(void) {
    g_render_cache = arena_create(64 * 1024);
    if (g_render_cache == NULL) {
        perror("arena_create");
        exit(1);
    }
    unsigned long checksum = 0;
    for (int i = 0; i < LINES; ++i) {
        char *line = arena_alloc(g_render_cache, LINE_BYTES);
        if (line == NULL) exit(1);
        memset(line, 'a' + i, LINE_BYTES);
        checksum += (unsigned char)line[0];
    }
    unsigned char *image = arena_alloc(g_render_cache, IMAGE_BYTES);
    if (image == NULL) exit(1);
    memset(image, 7, IMAGE_BYTES);
    return checksum + image[IMAGE_BYTES - 1];
}

int main(void) {
    unsigned long checksum = 0;
    for (int file = 0; file < FILES; ++file) checksum += parse_file(file);
    checksum += render();
    printf("two_sites: checksum %lu\n", checksum);
    return 0;
}
