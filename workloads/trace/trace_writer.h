// trace_writer.h - writes FORMAT.md traces from C++: the synthetic trace of the
// smoke runs and tests, and hand-made (also deliberately broken) traces in the
// tests. The LD_PRELOAD tracer has its own C encoder of the same format.
#ifndef WORKLOADS_TRACE_TRACE_WRITER_H
#define WORKLOADS_TRACE_TRACE_WRITER_H

#include <cstdint>
#include <string>
#include <string_view>

#include "trace_format.h"

namespace trace {

class TraceWriter {
public:
    explicit TraceWriter(std::string_view command = "synthetic", std::uint64_t pid = 0) {
        out_.append(ARENA_TRACE_MAGIC, ARENA_TRACE_MAGIC_SIZE);
        le(ARENA_TRACE_VERSION, 2);
        le(0, 2);  // flags
        le(command.size(), 4);
        le(pid, 8);
        le(0, 8);  // start time
        out_.append(command);
    }

    void malloc(std::uint64_t size, std::uint64_t addr) {
        op(ARENA_TRACE_OP_MALLOC);
        uleb(size);
        address(addr);
    }
    void calloc(std::uint64_t size, std::uint64_t addr) {
        op(ARENA_TRACE_OP_CALLOC);
        uleb(size);
        address(addr);
    }
    void realloc(std::uint64_t old_addr, std::uint64_t size, std::uint64_t addr) {
        op(ARENA_TRACE_OP_REALLOC);
        address(old_addr);
        uleb(size);
        address(addr);
    }
    void aligned(unsigned align_log2, std::uint64_t size, std::uint64_t addr) {
        op(ARENA_TRACE_OP_ALIGNED);
        out_.push_back(static_cast<char>(align_log2));
        uleb(size);
        address(addr);
    }
    void free(std::uint64_t addr) {
        op(ARENA_TRACE_OP_FREE);
        address(addr);
    }
    void phase(std::string_view name, std::uint64_t time_ns = 0) {
        op(ARENA_TRACE_OP_PHASE);
        uleb(name.size());
        out_.append(name);
        uleb(time_ns);
    }
    void thread(std::uint64_t number) {
        op(ARENA_TRACE_OP_THREAD);
        uleb(number);
    }
    // Raw bytes (tests: broken records).
    void raw(std::string_view bytes) { out_.append(bytes); }
    // Closes the trace; the bytes are then complete.
    const std::string& end(std::uint64_t unrecorded = 0) {
        out_.push_back(static_cast<char>(ARENA_TRACE_OP_END));
        uleb(records_);
        uleb(unrecorded);
        return out_;
    }
    const std::string& bytes() const { return out_; }
    std::uint64_t records() const { return records_; }

private:
    void op(std::uint8_t code) {
        out_.push_back(static_cast<char>(code));
        ++records_;
    }
    void uleb(std::uint64_t v) {
        do {
            auto b = static_cast<unsigned char>(v & 0x7f);
            v >>= 7;
            if (v != 0) b |= 0x80;
            out_.push_back(static_cast<char>(b));
        } while (v != 0);
    }
    void address(std::uint64_t addr) {
        std::int64_t delta = static_cast<std::int64_t>(addr - prev_);
        prev_ = addr;
        uleb((static_cast<std::uint64_t>(delta) << 1) ^ static_cast<std::uint64_t>(delta >> 63));
    }
    void le(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }

    std::string out_;
    std::uint64_t prev_ = 0;
    std::uint64_t records_ = 0;
};

}  // namespace trace

#endif  // WORKLOADS_TRACE_TRACE_WRITER_H
