/* trace_testprog.c - a program for the tracer tests to run under
 * LD_PRELOAD=libarena_trace.so. Between the phases "known" and "known-end" it
 * makes exactly the calls tracer_test.cpp expects; the other parts exercise
 * threads, fork, open()-driven and signal-driven phases, and the ways out of a
 * process. Usage: trace_testprog MODE DIR, MODE one of
 *   basic    the known sequence, an open of DIR/unit.phasetest, a SIGUSR2
 *   threads  basic + 4 threads x 1000 malloc/free
 *   fork     basic + a forked child that allocates and exits
 *   _exit    basic, then _exit(0) (no destructors)
 *   exit3    basic, then exit(3) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena_trace.h"

static void *volatile sink;

static void known_sequence(void) {
    arena_trace_mark_phase("known");
    char *a = malloc(100);
    char *b = calloc(10, 20);
    a = realloc(a, 1000);
    void *c = memalign(64, 100);
    void *d = NULL;
    if (posix_memalign(&d, 4096, 5000) != 0) abort();
    void *e = aligned_alloc(32, 64);
    void *f = malloc(0);
    memset(a, 1, 1000);
    memset(b, 2, 200);
    sink = a;
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
    free(f);
    free(NULL);
    arena_trace_mark_phase("known-end");
}

static void *worker(void *arg) {
    (void)arg;
    for (int i = 0; i < 1000; ++i) {
        void *p = malloc((size_t)(16 + i % 200));
        sink = p;
        free(p);
    }
    return NULL;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "basic";
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    known_sequence();

    /* A phase from opening a file whose name ends in ARENA_TRACE_PHASE_OPEN
     * (".phasetest"), twice in a row (one phase), with stdio in between. */
    char path[4096];
    snprintf(path, sizeof path, "%s/unit.phasetest", dir);
    for (int i = 0; i < 2; ++i) {
        FILE *fp = fopen(path, "w");
        if (fp == NULL) return 10;
        fprintf(fp, "unit %d\n", i);
        fclose(fp);
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 11;
    close(fd);
    char *dup = strdup("after the open phase");
    sink = dup;
    free(dup);

    /* A phase from a signal (ARENA_TRACE_PHASE_SIGNAL=USR2). Without the
     * tracer's handler the signal is ignored rather than fatal. */
    struct sigaction current;
    if (sigaction(SIGUSR2, NULL, &current) == 0 && current.sa_handler == SIG_DFL) signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    void *s = malloc(48);
    sink = s;
    free(s);

    if (strcmp(mode, "threads") == 0) {
        pthread_t t[4];
        for (int i = 0; i < 4; ++i)
            if (pthread_create(&t[i], NULL, worker, NULL) != 0) return 12;
        for (int i = 0; i < 4; ++i) pthread_join(t[i], NULL);
    } else if (strcmp(mode, "fork") == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            for (int i = 0; i < 100; ++i) free(malloc(64));
            exit(0);
        }
        int status = 0;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 13;
        void *after = malloc(77);
        sink = after;
        free(after);
    } else if (strcmp(mode, "_exit") == 0) {
        _exit(0);
    } else if (strcmp(mode, "exit3") == 0) {
        exit(3);
    }
    puts("trace_testprog: done");
    return 0;
}
