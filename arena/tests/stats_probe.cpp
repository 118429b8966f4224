// stats_probe - small processes for test_site_stats.cpp: what the example
// program does not cover (threads, fork, C++ constructors, child arenas).
// Linked with -rdynamic so dladdr names the sites below. Usage:
//   stats_probe threads T N   T threads, each creating N arenas at thread_site
//   stats_probe fork          arenas before, in and after a fork (the parent
//                             says on stdout whether the child wrote a file)
//   stats_probe cpp           arena::Arena constructors and child()
//   stats_probe children      a C child arena (for ARENA_CAPACITY_CHILDREN)
#include <sys/wait.h>
#include <unistd.h>

#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "arena/arena.h"
#include "arena/arena.hpp"

#define PROBE_SITE extern "C" __attribute__((noinline, visibility("default")))

namespace {
int g_per_thread = 0;
[[noreturn]] void fail(const char *what) {
    std::perror(what);
    std::exit(1);
}
void fill(Arena *arena, int count, size_t bytes) {
    for (int i = 0; i < count; ++i) {
        void *p = arena_alloc(arena, bytes);
        if (p == nullptr) fail("arena_alloc");
        std::memset(p, i & 0xff, bytes);
    }
}
} // namespace

// 6000 bytes: a 4 KiB first block, then an 8 KiB one: 2 upstream allocations.
PROBE_SITE void thread_site() {
    Arena *arena = arena_create(4096);
    if (arena == nullptr) fail("arena_create");
    fill(arena, 60, 100); // 60 * 112 = 6720 bytes
    arena_reset(arena);
    fill(arena, 10, 100);
    arena_destroy(arena);
}

static void *thread_main(void *) {
    for (int i = 0; i < g_per_thread; ++i) thread_site();
    return nullptr;
}

PROBE_SITE void before_fork() { arena_destroy(arena_create(4096)); }
PROBE_SITE void in_child() { arena_destroy(arena_create(4096)); }
PROBE_SITE void after_fork() { arena_destroy(arena_create(4096)); }

namespace probe {
// Sites in C++: the constructor, the Options constructor and child().
__attribute__((noinline, visibility("default"))) int build(int count) {
    arena::Arena top(8192);
    arena::Options options;
    options.initial_capacity = 16384;
    arena::Arena with_options(options);
    arena::Arena child = top.child(1024);
    int sum = 0;
    for (int i = 0; i < count; ++i) sum += *top.make<int>(i) + *child.make<int>(1);
    return sum + (with_options ? 1 : 0);
}
} // namespace probe

PROBE_SITE void child_site() {
    Arena *parent = arena_create(4096);
    Arena *child = arena_create_child(parent, 4096);
    if (parent == nullptr || child == nullptr) fail("arena_create");
    fill(child, 10, 100);
    arena_destroy(parent);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (std::strcmp(mode, "threads") == 0 && argc == 4) {
        int threads = std::atoi(argv[2]);
        g_per_thread = std::atoi(argv[3]);
        std::vector<pthread_t> ids(static_cast<size_t>(threads));
        for (pthread_t &id : ids)
            if (pthread_create(&id, nullptr, thread_main, nullptr) != 0) fail("pthread_create");
        for (pthread_t id : ids) pthread_join(id, nullptr);
    } else if (std::strcmp(mode, "fork") == 0) {
        before_fork();
        std::fflush(stdout);
        pid_t child = fork();
        if (child < 0) fail("fork");
        if (child == 0) {
            in_child();
            std::exit(0); // runs the atexit report
        }
        int status = 0;
        waitpid(child, &status, 0);
        after_fork();
        // Without %p only the parent may write, and it writes at its exit.
        const char *path = std::getenv("ARENA_STATS");
        bool exists = path != nullptr && std::strstr(path, "%p") == nullptr && access(path, F_OK) == 0;
        std::printf("child %d exit %d, file before parent exit: %s\n", static_cast<int>(child),
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1, exists ? "yes" : "no");
    } else if (std::strcmp(mode, "cpp") == 0) {
        std::printf("%d\n", probe::build(10));
    } else if (std::strcmp(mode, "children") == 0) {
        child_site();
    } else {
        std::fprintf(stderr, "usage: stats_probe threads T N | fork | cpp | children\n");
        return 2;
    }
    return 0;
}
