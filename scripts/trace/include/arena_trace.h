/* arena_trace.h - let a program mark phases in its allocation trace.
 *
 *   #include <arena_trace.h>
 *   arena_trace_mark_phase("parse");   // a no-op unless run under libarena_trace.so
 *
 * The tracer (LD_PRELOAD=libarena_trace.so) defines arena_trace_phase(); the
 * weak reference below is NULL when the tracer is not loaded, so the program
 * needs neither the tracer nor any link flag. Phase names: at most 255 bytes.
 * Python can call it through ctypes: ctypes.CDLL(None).arena_trace_phase(b"parse")
 * (only under the tracer). */
#ifndef ARENA_TRACE_H
#define ARENA_TRACE_H

#ifdef __cplusplus
extern "C" {
#endif

void arena_trace_phase(const char *name) __attribute__((weak));

static inline void arena_trace_mark_phase(const char *name) {
    if (arena_trace_phase) arena_trace_phase(name);
}

#ifdef __cplusplus
}
#endif

#endif /* ARENA_TRACE_H */
