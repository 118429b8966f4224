/* trace_format.h - constants of the allocation-trace format (FORMAT.md), shared
 * by the LD_PRELOAD tracer (C) and the reader (C++). Everything little-endian;
 * integers in records are LEB128 (unsigned) or zigzag LEB128 (signed). */
#ifndef ARENA_TRACE_FORMAT_H
#define ARENA_TRACE_FORMAT_H

#include <stdint.h>

/* First 8 bytes of every trace file. */
#define ARENA_TRACE_MAGIC "ARNTRACE"
#define ARENA_TRACE_MAGIC_SIZE 8
#define ARENA_TRACE_VERSION 1u

/* Fixed part of the header; the command line (cmdline_size bytes) follows. */
#define ARENA_TRACE_HEADER_FIXED 32u
#define ARENA_TRACE_MAX_CMDLINE 4096u
#define ARENA_TRACE_MAX_PHASE_NAME 255u

/* Record opcodes (one byte each, followed by the fields FORMAT.md lists). */
enum {
    ARENA_TRACE_OP_MALLOC = 0x01,  /* size, addr */
    ARENA_TRACE_OP_CALLOC = 0x02,  /* size (nmemb * size), addr */
    ARENA_TRACE_OP_REALLOC = 0x03, /* old addr, size, new addr */
    ARENA_TRACE_OP_ALIGNED = 0x04, /* log2(alignment) (one byte), size, addr */
    ARENA_TRACE_OP_FREE = 0x05,    /* addr */
    ARENA_TRACE_OP_PHASE = 0x06,   /* name length, name bytes, ns since start */
    ARENA_TRACE_OP_THREAD = 0x07,  /* thread number */
    ARENA_TRACE_OP_END = 0x08      /* records before END, unrecorded calls */
};

#endif /* ARENA_TRACE_FORMAT_H */
