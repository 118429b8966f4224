// The feature probes: one small program per arena library (probe_<name>.cpp)
// that calls the library's own API as a caller would, runs ONE case per
// process and prints ONE line:
//
//   probe<TAB><case><TAB><result><TAB><detail>
//
// result is one of the words below; detail is free text (the API used, why).
// A case may also end the process (abort, a signal, std::terminate): that is
// its result, and the runner (scripts/arenabench/features.py) classifies it.
#ifndef ARENA_PROBES_PROBE_H
#define ARENA_PROBES_PROBE_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace probe {

// The words a probe prints as its result.
inline constexpr const char* kPointer = "pointer";        // a non-NULL pointer came back
inline constexpr const char* kMisaligned = "misaligned";  // align_4096: a pointer, not 4096-aligned
inline constexpr const char* kNull = "null";
inline constexpr const char* kException = "exception";
inline constexpr const char* kReused = "reused";           // reset_reuse: no new upstream call
inline constexpr const char* kNewMemory = "new_memory";    // reset_reuse: N new upstream calls
inline constexpr const char* kUnknown = "unknown";         // reset_reuse: the hook saw nothing
inline constexpr const char* kYes = "yes";
inline constexpr const char* kPartial = "partial";
inline constexpr const char* kNo = "no";

// The shared sizes: every library gets the same requests.
inline constexpr std::size_t kFirstBlock = 64 * 1024;            // where a library takes a first-block size
inline constexpr std::size_t kOversized = 64 * 1024 * 1024;      // larger than any block
inline constexpr std::size_t kFillBytes = 1024 * 1024;           // reset_reuse: filled twice
inline constexpr std::size_t kPiece = 64;                        // reset_reuse: in pieces of this size
inline constexpr std::size_t kPieces = kFillBytes / kPiece;

// Prints the one line and flushes it, so that it survives a crash later on
// (at teardown, say). Call it once per process.
void report(const char* result, const std::string& detail);

// align_4096 / oversized / size_zero / size_max: a pointer or NULL. For
// align_4096 (alignment != 0) a pointer not aligned to it is "misaligned".
void report_pointer(const void* p, const std::string& how, std::size_t alignment = 0);

// reset_reuse: calls made by the counting hook during the first and second
// fill; counted_by names the hook or statistic.
void report_reuse(std::size_t first_fill_calls, std::size_t second_fill_calls,
                  const std::string& counted_by);

std::string hex(const void* p);

// n, through a volatile: the compiler neither folds a library's size checks
// nor warns about a constant SIZE_MAX request (the probe means it).
std::size_t opaque(std::size_t n);

// The cases, in order; each probe_<name>.cpp defines one function per case.
void align_4096();
void oversized();
void size_zero();
void size_max();
void reset_reuse();
void child_region();
void savepoint();
void destructor();
void statistics();

}  // namespace probe

#endif
