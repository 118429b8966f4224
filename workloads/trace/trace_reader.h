// trace_reader.h - reads an allocation trace (FORMAT.md) and turns it into a
// replay program: every object gets a slot (a small integer reused after the
// object dies, so the table of live objects is as small as the peak live
// count), every record an Op, every allocation a flag saying whether the
// object dies in the phase that made it (what arena_phase_reset needs).
//
// Two layers:
//   TraceParser   raw records in file order, validated (opcodes, LEB128,
//                 truncation, END count); for tools that want the raw stream.
//   load_trace()  a ReplayTrace: ops, slots, phases and a summary.
// Bad input throws TraceError with the file name, the byte offset and what is
// wrong. Nothing here allocates from the heap per record: the big arrays live
// in their own mapped pages (MappedBuffer), so loading a trace leaves no trace
// in the heap of the allocator that is measured afterwards.
#ifndef WORKLOADS_TRACE_TRACE_READER_H
#define WORKLOADS_TRACE_TRACE_READER_H

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "trace_format.h"

namespace trace {

class TraceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A growable array of trivially copyable T in its own anonymous mapping
// (mremap to grow; pages are touched only when used).
template <class T>
class MappedBuffer {
    static_assert(std::is_trivially_copyable_v<T>);

public:
    MappedBuffer() = default;
    ~MappedBuffer();
    MappedBuffer(MappedBuffer&& o) noexcept { swap(o); }
    MappedBuffer& operator=(MappedBuffer&& o) noexcept {
        swap(o);
        return *this;
    }
    MappedBuffer(const MappedBuffer&) = delete;
    MappedBuffer& operator=(const MappedBuffer&) = delete;

    void reserve(std::size_t n);
    void resize(std::size_t n);  // new elements are zero
    void push_back(const T& v) {
        if (size_ == capacity_) reserve(capacity_ < 1024 ? 1024 : capacity_ * 2);
        data_[size_++] = v;
    }
    T* data() { return data_; }
    const T* data() const { return data_; }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    T& operator[](std::size_t i) { return data_[i]; }
    const T& operator[](std::size_t i) const { return data_[i]; }
    T& back() { return data_[size_ - 1]; }
    void pop_back() { --size_; }
    void clear() { size_ = 0; }
    std::size_t mapped_bytes() const { return bytes_; }

private:
    void swap(MappedBuffer& o) noexcept {
        std::swap(data_, o.data_);
        std::swap(size_, o.size_);
        std::swap(capacity_, o.capacity_);
        std::swap(bytes_, o.bytes_);
    }
    T* data_ = nullptr;
    std::size_t size_ = 0, capacity_ = 0, bytes_ = 0;
};

// ---- raw records ----------------------------------------------------------------

struct TraceHeader {
    std::uint32_t version = 0;
    std::uint64_t pid = 0;
    std::uint64_t start_unix_ns = 0;
    std::string command;  // the traced command line, arguments separated by spaces
};

struct Record {
    std::uint8_t op = 0;            // ARENA_TRACE_OP_*
    std::uint64_t offset = 0;       // byte offset of the opcode in the file
    std::uint64_t size = 0;         // MALLOC/CALLOC/REALLOC/ALIGNED
    std::uint64_t addr = 0;         // result (MALLOC...), the freed pointer (FREE)
    std::uint64_t old_addr = 0;     // REALLOC
    unsigned align_log2 = 0;        // ALIGNED
    std::uint64_t thread = 0;       // THREAD
    std::string_view phase_name;    // PHASE (points into the parser's buffer)
    std::uint64_t time_ns = 0;      // PHASE
    std::uint64_t end_records = 0;  // END: records before it
    std::uint64_t end_unrecorded = 0;  // END: calls the tracer could not record
};

// Parses a whole trace held in memory. next() returns false after END;
// anything malformed throws TraceError naming `name`.
class TraceParser {
public:
    TraceParser(std::string_view bytes, std::string name);
    const TraceHeader& header() const { return header_; }
    bool next(Record* r);
    std::uint64_t records() const { return records_; }

private:
    [[noreturn]] void fail(std::uint64_t offset, const std::string& what) const;
    std::uint64_t uleb(const char* field);
    std::uint64_t address(const char* field);

    std::string_view bytes_;
    std::string name_;
    TraceHeader header_;
    std::size_t pos_ = 0;
    std::uint64_t record_start_ = 0;
    std::uint64_t prev_addr_ = 0;
    std::uint64_t records_ = 0;
    bool ended_ = false;
};

// Reads a file into a mapped buffer; TraceError if it cannot be read.
MappedBuffer<char> read_file(const std::string& path);

// ---- replay program ------------------------------------------------------------------

enum OpKind : std::uint8_t { kAlloc = 1, kFree = 2, kRealloc = 3, kPhase = 4 };
enum OpFlags : std::uint8_t {
    kZeroed = 1,      // calloc: the replay clears the object
    kPhaseLocal = 2,  // the object dies (free or realloc) in the phase that allocated it
};

// One replayed operation (16 bytes).
//   kAlloc    slot <- new object of `size` bytes aligned to 1 << align_log2
//   kFree     slot's object dies
//   kRealloc  slot <- new object of `size` bytes, copy min(old, new) bytes from
//             slot `aux`, whose object then dies
//   kPhase    a phase boundary; aux = index into ReplayTrace::phase_names
// req_log2: log2 of the alignment the result must have (16-byte malloc
// guarantee, or less for small objects as for malloc; the explicit alignment
// of aligned allocations).
struct Op {
    std::uint8_t kind;
    std::uint8_t align_log2;
    std::uint8_t flags;
    std::uint8_t req_log2;
    std::uint32_t slot;
    std::uint32_t size;
    std::uint32_t aux;
};
static_assert(sizeof(Op) == 16);

struct TraceSummary {
    std::uint64_t records = 0;            // records in the file, END excluded
    std::uint64_t mallocs = 0, callocs = 0, reallocs = 0, aligned = 0, frees = 0;
    std::uint64_t phases = 0, threads = 0;
    std::uint64_t unmatched_frees = 0;    // free of an address the trace never returned
    std::uint64_t unmatched_reallocs = 0; // realloc of such an address (replayed as malloc)
    std::uint64_t implicit_frees = 0;     // address returned again while live (free missed)
    std::uint64_t unrecorded = 0;         // END's count of calls the tracer let through
    std::uint64_t allocations = 0;        // objects made (alloc + realloc ops)
    std::uint64_t allocated_bytes = 0;    // sum of their sizes
    std::uint64_t peak_live_bytes = 0;
    std::uint64_t peak_live_objects = 0;  // == slots
    std::uint64_t live_at_end_objects = 0, live_at_end_bytes = 0;
    std::uint64_t bump_bytes = 0;         // a bump allocator that never frees needs this much
    std::uint64_t phase_local_allocations = 0, phase_local_bytes = 0;
    std::uint64_t max_phase_local_bytes = 0;  // largest sum of phase-local bytes in one phase
};

class ReplayTrace {
public:
    std::string name;   // benchmark parameter ("python", "synthetic", ...)
    std::string path;   // file it came from ("" for generated traces)
    TraceHeader header;
    TraceSummary summary;
    MappedBuffer<Op> ops;
    std::uint32_t slots = 0;
    std::vector<std::string> phase_names;

    std::size_t allocations() const { return static_cast<std::size_t>(summary.allocations); }
};

// Builds the replay program of a trace held in memory / in a file.
std::shared_ptr<ReplayTrace> parse_trace(std::string_view bytes, const std::string& name,
                                         const std::string& source);
std::shared_ptr<ReplayTrace> load_trace(const std::string& path, const std::string& name);

// The benchmark parameter for a trace file: its file name without directories
// and without the ".trace" / ".quick.trace" / ".full.trace" ending.
std::string trace_name_from_path(const std::string& path);

// Human-readable summary (arena_trace_info) and the same as a JSON object.
std::string describe(const ReplayTrace& t);
std::string describe_json(const ReplayTrace& t);

// ---- MappedBuffer -----------------------------------------------------------------------

template <class T>
MappedBuffer<T>::~MappedBuffer() {
    if (data_ != nullptr) munmap(data_, bytes_);
}

template <class T>
void MappedBuffer<T>::reserve(std::size_t n) {
    if (n <= capacity_) return;
    std::size_t bytes = (n * sizeof(T) + 4095) & ~std::size_t{4095};
    void* p = data_ == nullptr ? mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                               : mremap(data_, bytes_, bytes, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) {
        std::fprintf(stderr, "trace: cannot map %zu bytes\n", bytes);
        std::abort();
    }
    data_ = static_cast<T*>(p);
    bytes_ = bytes;
    capacity_ = bytes / sizeof(T);
}

template <class T>
void MappedBuffer<T>::resize(std::size_t n) {
    reserve(n);
    if (n > size_) std::memset(static_cast<void*>(data_ + size_), 0, (n - size_) * sizeof(T));
    size_ = n;
}

}  // namespace trace

#endif  // WORKLOADS_TRACE_TRACE_READER_H
