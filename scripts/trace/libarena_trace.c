/* libarena_trace.c - LD_PRELOAD tracer: records malloc, calloc, realloc,
 * reallocarray, free, aligned_alloc, posix_memalign, memalign, valloc and
 * pvalloc of a program into a compact binary trace (FORMAT.md).
 *
 *   ARENA_TRACE_OUT=out.trace LD_PRELOAD=libarena_trace.so program args...
 *
 * Environment:
 *   ARENA_TRACE_OUT           output file (required; "%p" is replaced by the
 *                             pid). Created exclusively: a child process that
 *                             inherits the same path records nothing.
 *   ARENA_TRACE_PHASE_OPEN    a suffix such as ".py": every open()/fopen() of a
 *                             path ending in it starts a phase named after the
 *                             file (consecutive opens of one file: one phase)
 *   ARENA_TRACE_PHASE_SIGNAL  USR1, USR2 or a number: each such signal starts a
 *                             phase "signal" at the next recorded call
 *   ARENA_TRACE_VERBOSE=1     say on stderr what the tracer does
 * Phases always recorded: "start" (tracer loaded), "main" (main() entered),
 * "exit" (main() returned or exit() called). A program can mark its own with
 * arena_trace_phase(name) (include/arena_trace.h).
 *
 * How it stays out of its own way:
 *   - the real functions come from dlsym(RTLD_NEXT); while dlsym runs, its
 *     own allocations are served from a static bootstrap buffer (and frees of
 *     that buffer are ignored);
 *   - a thread-local flag makes every allocation made while recording (or
 *     during the tracer's own set-up) pass straight through, unrecorded;
 *   - one mutex orders all records: a free is recorded before the memory is
 *     released and an allocation after it returns, so a reused address
 *     always appears after the free that released it;
 *   - a forked child stops recording (it would write into the parent's file);
 *   - errno is preserved across recording.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trace_format.h"

#define EXPORT __attribute__((visibility("default")))
#define TLS __thread __attribute__((tls_model("initial-exec")))

/* ---- real functions ------------------------------------------------------------ */

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real_open_2)(const char *, int);
static int (*real_open64_2)(const char *, int);
static int (*real_openat_2)(int, const char *, int);
static int (*real_openat64_2)(int, const char *, int);
static FILE *(*real_fopen)(const char *, const char *);
static FILE *(*real_fopen64)(const char *, const char *);
static void (*real_exit)(int) __attribute__((noreturn));
static void (*real__exit)(int) __attribute__((noreturn));
static void (*real__Exit)(int) __attribute__((noreturn));
typedef int (*main_fn)(int, char **, char **);
static int (*real_libc_start_main)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *);

static atomic_int resolved;
static atomic_int resolving;

/* Bootstrap buffer for dlsym's own allocations (16-byte header: the size). */
static _Alignas(16) unsigned char boot_buf[256 * 1024];
static atomic_size_t boot_used;

static void *boot_alloc(size_t size, size_t align) {
    if (align < 16) align = 16;
    size_t need = ((size + 15) & ~(size_t)15) + align + 16;
    size_t start = atomic_fetch_add(&boot_used, need);
    if (start + need > sizeof boot_buf) return NULL;
    uintptr_t base = (uintptr_t)(boot_buf + start) + 16;
    uintptr_t p = (base + align - 1) & ~(uintptr_t)(align - 1);
    ((size_t *)p)[-1] = size;
    return (void *)p;
}

static int is_boot(const void *p) {
    return (const unsigned char *)p >= boot_buf && (const unsigned char *)p < boot_buf + sizeof boot_buf;
}

#define RESOLVE(var, name) (var = (__typeof__(var))dlsym(RTLD_NEXT, name))

static void resolve(void) {
    if (atomic_load(&resolved)) return;
    atomic_store(&resolving, 1);
    RESOLVE(real_malloc, "malloc");
    RESOLVE(real_calloc, "calloc");
    RESOLVE(real_realloc, "realloc");
    RESOLVE(real_free, "free");
    RESOLVE(real_memalign, "memalign");
    RESOLVE(real_aligned_alloc, "aligned_alloc");
    RESOLVE(real_posix_memalign, "posix_memalign");
    RESOLVE(real_valloc, "valloc");
    RESOLVE(real_pvalloc, "pvalloc");
    RESOLVE(real_open, "open");
    RESOLVE(real_open64, "open64");
    RESOLVE(real_openat, "openat");
    RESOLVE(real_openat64, "openat64");
    RESOLVE(real_open_2, "__open_2");
    RESOLVE(real_open64_2, "__open64_2");
    RESOLVE(real_openat_2, "__openat_2");
    RESOLVE(real_openat64_2, "__openat64_2");
    RESOLVE(real_fopen, "fopen");
    RESOLVE(real_fopen64, "fopen64");
    RESOLVE(real_exit, "exit");
    RESOLVE(real__exit, "_exit");
    RESOLVE(real__Exit, "_Exit");
    RESOLVE(real_libc_start_main, "__libc_start_main");
    atomic_store(&resolving, 0);
    atomic_store(&resolved, 1);
}

/* ---- state ------------------------------------------------------------------------ */

static TLS int in_tracer;        /* this thread is inside the tracer: pass through */
static TLS uint32_t thread_no;   /* 0: not numbered yet */
static atomic_int enabled;       /* recording */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int fd = -1;
static unsigned char buf[1 << 20];
static size_t used;
static uint64_t records;
static atomic_ullong unrecorded; /* calls passed through while recording was on */
static uint64_t prev_addr;
static uint32_t last_thread;
static atomic_uint next_thread = 1;
static uint64_t start_ns;
static atomic_int pending_signals;
static char phase_suffix[64];
static size_t phase_suffix_len;
static char current_phase[ARENA_TRACE_MAX_PHASE_NAME + 1];
static int verbose;
static int exit_marked;
static pid_t traced_pid;   /* a vfork child shares our memory: it must not finish the trace */

static void say(const char *msg) {
    if (!verbose) return;
    ssize_t r = write(2, msg, strlen(msg));
    (void)r;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- encoding (caller holds the lock) ---------------------------------------------- */

static void flush_locked(void) {
    size_t done = 0;
    while (done < used && fd >= 0) {
        ssize_t n = write(fd, buf + done, used - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            static const char msg[] = "arena_trace: write to the trace file failed; recording stopped\n";
            ssize_t r = write(2, msg, sizeof msg - 1);
            (void)r;
            atomic_store(&enabled, 0);
            close(fd);
            fd = -1;
            break;
        }
        done += (size_t)n;
    }
    used = 0;
}

static void put_byte(unsigned v) { buf[used++] = (unsigned char)v; }

static void put_uleb(uint64_t v) {
    do {
        unsigned b = v & 0x7f;
        v >>= 7;
        put_byte(v ? b | 0x80 : b);
    } while (v);
}

static void put_addr(const void *p) {
    uint64_t a = (uint64_t)(uintptr_t)p;
    int64_t delta = (int64_t)(a - prev_addr);
    prev_addr = a;
    put_uleb(((uint64_t)delta << 1) ^ (uint64_t)(delta >> 63));
}

static void begin_record(unsigned op);

static void put_phase_locked(const char *name, size_t len) {
    if (len > ARENA_TRACE_MAX_PHASE_NAME) len = ARENA_TRACE_MAX_PHASE_NAME;
    begin_record(ARENA_TRACE_OP_PHASE);
    put_uleb(len);
    memcpy(buf + used, name, len);
    used += len;
    put_uleb(now_ns() - start_ns);
    memcpy(current_phase, name, len);
    current_phase[len] = '\0';
}

/* Every record starts here: room in the buffer, the thread switch, a phase
 * asked for by a signal. */
static void begin_record(unsigned op) {
    if (used > sizeof buf - 512) flush_locked();
    if (op != ARENA_TRACE_OP_THREAD && op != ARENA_TRACE_OP_END) {
        if (thread_no == 0) thread_no = atomic_fetch_add(&next_thread, 1);
        if (thread_no != last_thread) {
            last_thread = thread_no;
            begin_record(ARENA_TRACE_OP_THREAD);
            put_uleb(thread_no);
        }
        if (op != ARENA_TRACE_OP_PHASE && atomic_load(&pending_signals) > 0) {
            atomic_fetch_sub(&pending_signals, 1);
            put_phase_locked("signal", 6);
        }
    }
    put_byte(op);
    ++records;
}

/* ---- recording --------------------------------------------------------------------- */

static TLS int saved_errno; /* the program's errno, put back by leave() */

/* Enter the tracer, taking the lock: 0 when this call must not be recorded.
 * Every record is written between enter() and leave(). */
static int enter(void) {
    if (in_tracer || !atomic_load(&enabled)) {
        if (in_tracer && atomic_load(&enabled)) atomic_fetch_add(&unrecorded, 1);
        return 0;
    }
    in_tracer = 1;
    saved_errno = errno;
    pthread_mutex_lock(&lock);
    if (!atomic_load(&enabled)) { /* stopped while we waited */
        pthread_mutex_unlock(&lock);
        in_tracer = 0;
        return 0;
    }
    return 1;
}

static void leave(void) {
    pthread_mutex_unlock(&lock);
    in_tracer = 0;
    errno = saved_errno;
}

/* MALLOC, CALLOC and ALIGNED records: [log2 alignment,] size, address. */
static void record_alloc(unsigned op, size_t align, size_t size, const void *p) {
    if (!enter()) return;
    begin_record(op);
    if (op == ARENA_TRACE_OP_ALIGNED) {
        unsigned lg = 0;
        while (((size_t)2 << lg) <= align && lg < 63) ++lg;
        put_byte(lg);
    }
    put_uleb(size);
    put_addr(p);
    leave();
}

static void put_free_locked(const void *p) {
    begin_record(ARENA_TRACE_OP_FREE);
    put_addr(p);
}

/* A PHASE record; with dedup, none when the current phase has this name. */
static void record_phase(const char *name, size_t len, int dedup) {
    if (!enter()) return;
    if (len > ARENA_TRACE_MAX_PHASE_NAME) len = ARENA_TRACE_MAX_PHASE_NAME;
    if (!dedup || strlen(current_phase) != len || memcmp(current_phase, name, len) != 0) put_phase_locked(name, len);
    leave();
}

EXPORT void arena_trace_phase(const char *name) {
    if (name == NULL) name = "";
    record_phase(name, strlen(name), 0);
}

static void finish(void) {
    if (!enter()) return;
    begin_record(ARENA_TRACE_OP_END);
    --records; /* END does not count itself */
    put_uleb(records);
    put_uleb(atomic_load(&unrecorded));
    flush_locked();
    if (fd >= 0) close(fd);
    fd = -1;
    atomic_store(&enabled, 0);
    leave();
    say("arena_trace: trace complete\n");
}

static void mark_exit(void) {
    if (exit_marked) return;
    exit_marked = 1;
    arena_trace_phase("exit");
}

/* Not in a vfork child (same memory, other pid) leaving after a failed exec. */
static void finish_before_exit(void) {
    if (getpid() != traced_pid) return;
    mark_exit();
    finish();
}

/* ---- set-up -------------------------------------------------------------------------- */

static void on_signal(int sig) {
    (void)sig;
    atomic_fetch_add(&pending_signals, 1);
}

static void atfork_prepare(void) {
    if (!in_tracer) pthread_mutex_lock(&lock);
}
static void atfork_parent(void) {
    if (!in_tracer) pthread_mutex_unlock(&lock);
}
static void atfork_child(void) {
    /* The child must not write into the parent's file. */
    atomic_store(&enabled, 0);
    if (fd >= 0) close(fd);
    fd = -1;
    pthread_mutex_init(&lock, NULL);
}

static void write_le(unsigned char *p, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) p[i] = (unsigned char)(v >> (8 * i));
}

__attribute__((constructor)) static void tracer_init(void) {
    resolve();
    in_tracer = 1;
    const char *v = getenv("ARENA_TRACE_VERBOSE");
    verbose = v != NULL && *v != '\0' && *v != '0';
    const char *out = getenv("ARENA_TRACE_OUT");
    if (out == NULL || *out == '\0') {
        say("arena_trace: ARENA_TRACE_OUT is not set; not recording\n");
        in_tracer = 0;
        return;
    }
    char path[4096];
    size_t n = 0;
    for (const char *s = out; *s && n < sizeof path - 24; ++s) {
        if (s[0] == '%' && s[1] == 'p') {
            n += (size_t)snprintf(path + n, sizeof path - n, "%ld", (long)getpid());
            ++s;
        } else {
            path[n++] = *s;
        }
    }
    path[n] = '\0';
    fd = real_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno != EEXIST || verbose) {
            char msg[4200];
            int len = snprintf(msg, sizeof msg, "arena_trace: cannot create %s: %s; not recording\n", path,
                               strerror(errno));
            ssize_t r = write(2, msg, (size_t)len);
            (void)r;
        }
        in_tracer = 0;
        return;
    }
    /* Header: magic, version, flags, command-line size, pid, start time, command line. */
    char cmd[ARENA_TRACE_MAX_CMDLINE];
    size_t cmd_len = 0;
    int cfd = real_open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (cfd >= 0) {
        ssize_t r;
        while (cmd_len < sizeof cmd && (r = read(cfd, cmd + cmd_len, sizeof cmd - cmd_len)) > 0) cmd_len += (size_t)r;
        close(cfd);
    }
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    memcpy(buf, ARENA_TRACE_MAGIC, ARENA_TRACE_MAGIC_SIZE);
    write_le(buf + 8, ARENA_TRACE_VERSION, 2);
    write_le(buf + 10, 0, 2);
    write_le(buf + 12, cmd_len, 4);
    write_le(buf + 16, (uint64_t)getpid(), 8);
    write_le(buf + 24, (uint64_t)wall.tv_sec * 1000000000u + (uint64_t)wall.tv_nsec, 8);
    memcpy(buf + ARENA_TRACE_HEADER_FIXED, cmd, cmd_len);
    used = ARENA_TRACE_HEADER_FIXED + cmd_len;
    start_ns = now_ns();
    traced_pid = getpid();

    const char *suffix = getenv("ARENA_TRACE_PHASE_OPEN");
    if (suffix != NULL && strlen(suffix) < sizeof phase_suffix) {
        strcpy(phase_suffix, suffix);
        phase_suffix_len = strlen(suffix);
    }
    const char *sig = getenv("ARENA_TRACE_PHASE_SIGNAL");
    if (sig != NULL && *sig != '\0') {
        int signo = strcmp(sig, "USR1") == 0 ? SIGUSR1 : strcmp(sig, "USR2") == 0 ? SIGUSR2 : atoi(sig);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        if (signo <= 0 || sigaction(signo, &sa, NULL) != 0) say("arena_trace: bad ARENA_TRACE_PHASE_SIGNAL\n");
    }
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
    atomic_store(&enabled, 1);
    in_tracer = 0;
    arena_trace_phase("start");
    say("arena_trace: recording\n");
}

__attribute__((destructor)) static void tracer_fini(void) { finish_before_exit(); }

/* ---- the allocation functions ------------------------------------------------------- */

EXPORT void *malloc(size_t size) {
    if (__builtin_expect(real_malloc == NULL, 0)) {
        if (atomic_load(&resolving)) return boot_alloc(size, 16);
        resolve();
    }
    void *p = real_malloc(size);
    if (p != NULL) record_alloc(ARENA_TRACE_OP_MALLOC, 0, size, p);
    return p;
}

EXPORT void *calloc(size_t nmemb, size_t size) {
    if (__builtin_expect(real_calloc == NULL, 0)) {
        if (atomic_load(&resolving)) {
            if (size != 0 && nmemb > SIZE_MAX / size) return NULL;
            return boot_alloc(nmemb * size, 16); /* static storage: already zero */
        }
        resolve();
    }
    void *p = real_calloc(nmemb, size);
    if (p != NULL) record_alloc(ARENA_TRACE_OP_CALLOC, 0, nmemb * size, p);
    return p;
}

EXPORT void free(void *p) {
    if (p == NULL || is_boot(p)) return;
    if (__builtin_expect(real_free == NULL, 0)) resolve();
    if (enter()) { /* recorded before the memory can be reused */
        put_free_locked(p);
        leave();
    }
    real_free(p);
}

EXPORT void *realloc(void *old, size_t size) {
    if (old == NULL) return malloc(size);
    if (__builtin_expect(real_realloc == NULL, 0)) {
        if (atomic_load(&resolving) && is_boot(old)) {
            void *p = boot_alloc(size, 16);
            if (p != NULL) memcpy(p, old, ((size_t *)old)[-1] < size ? ((size_t *)old)[-1] : size);
            return p;
        }
        resolve();
    }
    if (is_boot(old)) { /* a bootstrap block moves to the real heap */
        size_t old_size = ((size_t *)old)[-1];
        void *p = malloc(size);
        if (p != NULL) memcpy(p, old, old_size < size ? old_size : size);
        return p;
    }
    /* The lock is held across the call: the old block is freed inside
     * realloc and must not be handed out (and recorded) by another thread
     * before this record is written. */
    int rec = enter();
    void *p = real_realloc(old, size);
    int after = errno;
    if (rec) {
        if (p != NULL) {
            begin_record(ARENA_TRACE_OP_REALLOC);
            put_addr(old);
            put_uleb(size);
            put_addr(p);
        } else if (size == 0) { /* glibc: realloc(p, 0) frees p */
            put_free_locked(old);
        }
        leave();
    }
    errno = after;
    return p;
}

EXPORT void *reallocarray(void *old, size_t nmemb, size_t size) {
    if (size != 0 && nmemb > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(old, nmemb * size);
}

/* memalign and aligned_alloc: the same arguments, one ALIGNED record. */
#define ALIGNED_WRAPPER(name, real)                                \
    EXPORT void *name(size_t align, size_t size) {                 \
        if (__builtin_expect(real == NULL, 0)) {                   \
            if (atomic_load(&resolving)) return boot_alloc(size, align); \
            resolve();                                             \
        }                                                          \
        void *p = real(align, size);                               \
        if (p != NULL) record_alloc(ARENA_TRACE_OP_ALIGNED, align, size, p); \
        return p;                                                  \
    }
ALIGNED_WRAPPER(memalign, real_memalign)
ALIGNED_WRAPPER(aligned_alloc, real_aligned_alloc)

EXPORT int posix_memalign(void **out, size_t align, size_t size) {
    if (__builtin_expect(real_posix_memalign == NULL, 0)) {
        if (atomic_load(&resolving)) {
            *out = boot_alloc(size, align);
            return *out != NULL ? 0 : ENOMEM;
        }
        resolve();
    }
    int r = real_posix_memalign(out, align, size);
    if (r == 0 && *out != NULL) record_alloc(ARENA_TRACE_OP_ALIGNED, align, size, *out);
    return r;
}

EXPORT void *valloc(size_t size) {
    if (__builtin_expect(real_valloc == NULL, 0)) resolve();
    void *p = real_valloc(size);
    if (p != NULL) record_alloc(ARENA_TRACE_OP_ALIGNED, (size_t)sysconf(_SC_PAGESIZE), size, p);
    return p;
}

EXPORT void *pvalloc(size_t size) {
    if (__builtin_expect(real_pvalloc == NULL, 0)) resolve();
    void *p = real_pvalloc(size);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (p != NULL) record_alloc(ARENA_TRACE_OP_ALIGNED, page, (size + page - 1) & ~(page - 1), p);
    return p;
}

/* ---- phases from opened files ---------------------------------------------------------- */

static void maybe_phase(const char *path) {
    if (phase_suffix_len == 0 || path == NULL || in_tracer || !atomic_load(&enabled)) return;
    size_t len = strlen(path);
    if (len < phase_suffix_len || memcmp(path + len - phase_suffix_len, phase_suffix, phase_suffix_len) != 0) return;
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    record_phase(base, strlen(base), 1);
}

#ifndef __O_TMPFILE
#define __O_TMPFILE 0
#endif
#define NEEDS_MODE(flags) (((flags) & O_CREAT) != 0 || (__O_TMPFILE != 0 && ((flags) & __O_TMPFILE) == __O_TMPFILE))

/* open, open64, openat, openat64: the mode argument is read only when the
 * flags say it was passed. */
#define OPEN_WRAPPER(name, real, params, args)                     \
    EXPORT int name params {                                       \
        mode_t mode = 0;                                           \
        if (NEEDS_MODE(flags)) {                                   \
            va_list ap;                                            \
            va_start(ap, flags);                                   \
            mode = (mode_t)va_arg(ap, int);                        \
            va_end(ap);                                            \
        }                                                          \
        if (__builtin_expect(real == NULL, 0)) resolve();          \
        maybe_phase(path);                                         \
        return real args;                                          \
    }
OPEN_WRAPPER(open, real_open, (const char *path, int flags, ...), (path, flags, mode))
OPEN_WRAPPER(open64, real_open64, (const char *path, int flags, ...), (path, flags, mode))
OPEN_WRAPPER(openat, real_openat, (int dirfd, const char *path, int flags, ...), (dirfd, path, flags, mode))
OPEN_WRAPPER(openat64, real_openat64, (int dirfd, const char *path, int flags, ...), (dirfd, path, flags, mode))

/* The fortified opens and fopen: no variable arguments. */
#define PLAIN_WRAPPER(type, name, real, params, args)              \
    EXPORT type name params {                                      \
        if (__builtin_expect(real == NULL, 0)) resolve();          \
        maybe_phase(path);                                         \
        return real args;                                          \
    }
PLAIN_WRAPPER(int, __open_2, real_open_2, (const char *path, int flags), (path, flags))
PLAIN_WRAPPER(int, __open64_2, real_open64_2, (const char *path, int flags), (path, flags))
PLAIN_WRAPPER(int, __openat_2, real_openat_2, (int dirfd, const char *path, int flags), (dirfd, path, flags))
PLAIN_WRAPPER(int, __openat64_2, real_openat64_2, (int dirfd, const char *path, int flags), (dirfd, path, flags))
PLAIN_WRAPPER(FILE *, fopen, real_fopen, (const char *path, const char *mode), (path, mode))
PLAIN_WRAPPER(FILE *, fopen64, real_fopen64, (const char *path, const char *mode), (path, mode))

/* ---- main and exit ---------------------------------------------------------------------- */

static main_fn real_main;

static int main_wrapper(int argc, char **argv, char **envp) {
    arena_trace_phase("main");
    int r = real_main(argc, argv, envp);
    mark_exit();
    return r;
}

EXPORT int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
                             void (*rtld_fini)(void), void *stack_end) {
    resolve();
    real_main = main;
    return real_libc_start_main(main_wrapper, argc, argv, init, fini, rtld_fini, stack_end);
}

EXPORT void exit(int status) {
    if (__builtin_expect(real_exit == NULL, 0)) resolve();
    mark_exit();
    real_exit(status);
}

/* _exit and _Exit skip the destructors: they finish the trace themselves. */
EXPORT void _exit(int status) {
    if (__builtin_expect(real__exit == NULL, 0)) resolve();
    finish_before_exit();
    real__exit(status);
}

EXPORT void _Exit(int status) {
    if (__builtin_expect(real__Exit == NULL, 0)) resolve();
    finish_before_exit();
    real__Exit(status);
}
