// The byte encoding of an operation sequence, shared by the libFuzzer target
// (arbitrary bytes), the random-operation unit test (bytes written by the
// Encoder from a seeded generator) and the committed corpus
// (arena/fuzz/make_seeds.py writes the same format).
//
// Each operation is an opcode byte (low 4 bits; the high bits are ignored)
// and its argument bytes; bytes past the end read as 0. "target" picks a live
// arena (byte mod count). Sizes and alignments have compact encodings
// (Decoder::size, Decoder::alignment) that reach tiny, medium, block-sized,
// huge and overflowing values.
//    0 create root      flags (zeroed options, which upstream), capacity, growth, max block
//    1 create child     target, variant, capacity, growth, max block
//    2 destroy          target (and its descendants)
//    3 alloc            target, size
//    4 alloc_aligned    target, size, alignment
//    5 realloc          target, which allocation (0xFF: NULL, 0xFE: the newest), new size
//    6 reset            target
//    7 reset_retain     target, retain bytes
//    8 mark             target
//    9 rewind           target, which mark (valid, stale, foreign)
//   10 add_cleanup      target
//   11 inject failure   mode: fail the k-th next upstream call, or every call from
//                       it, or return misaligned memory next, or stop
//   12 bad input        target, which (NULL arena, NULL fn, forged marks, overflow)
//   13 verify           every allocation's contents, children-inclusive stats
//   14 burst            target, count, size (fast path, fold window)
//   15 reset + replay   target: the same allocations again must not touch upstream
#ifndef ARENA_TESTS_MODEL_ENCODING_H
#define ARENA_TESTS_MODEL_ENCODING_H

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace arena_model {

enum Op : uint8_t {
    kCreateRoot,
    kCreateChild,
    kDestroy,
    kAlloc,
    kAllocAligned,
    kRealloc,
    kReset,
    kResetRetain,
    kMark,
    kRewind,
    kAddCleanup,
    kInject,
    kBadInput,
    kVerify,
    kBurst,
    kReplay,
};

constexpr uint8_t kReallocNull = 0xFF;   // realloc's "which": a NULL pointer
constexpr uint8_t kReallocNewest = 0xFE; // realloc's "which": the newest it may move

constexpr size_t kUpstreamCap = size_t{32} << 20; // largest block the model's upstream gives
constexpr size_t kLiveCap = size_t{256} << 20;    // all of a run's upstreams together

// Special values of the compact encodings, indexed by the byte's low bits.
constexpr size_t kMax = std::numeric_limits<size_t>::max();
constexpr size_t kSpecialSizes[16] = {0, 1, 15, 16, 17, 4095, 4096, 4097, 65536, (size_t{1} << 20) + 1,
                                      kUpstreamCap - 64, kUpstreamCap + 1, kMax / 4, kMax / 2, kMax - 15, kMax};
constexpr size_t kSpecialAlignments[32] = {
    0, 3, 6, 24, 48, 100, 4095, 4097, 12288, (size_t{1} << 20) + 16, kMax, size_t{1} << 26, size_t{1} << 30,
    size_t{1} << 40, size_t{1} << 62, size_t{1} << 63, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192,
    65536, size_t{1} << 21, 5, 7, 9, 31};
constexpr size_t kGrowthCount = 12;
inline const double kGrowthFactors[kGrowthCount] = {
    0.0, 1.0, 1.25, 1.5, 2.0, 3.0, 16.0, 0.999, 16.01, -1.0, std::nan(""), std::numeric_limits<double>::infinity()};
constexpr size_t kMaxBlocks[8] = {0, 0, 0, 4096, 16384, size_t{1} << 20, 16, kMax};

class Decoder {
public:
    Decoder(const uint8_t *data, size_t size) : data_(data), size_(size) {}
    bool done() const { return pos_ >= size_; }
    uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    size_t u16() { return size_t{byte()} | size_t{byte()} << 8; }

    // 0x00-0x7F: that many bytes. 0x80-0xBF: up to 16 KiB. 0xC0-0xEF: up to
    // 3 MiB. 0xF0-0xFF: a boundary value, up to sizes that overflow.
    size_t size() {
        uint8_t b = byte();
        if (b < 0x80) return b;
        if (b < 0xC0) return size_t{b & 0x3Fu} << 8 | byte();
        if (b < 0xF0) return size_t{b & 0x3Fu} << 16 | u16();
        return kSpecialSizes[b - 0xF0];
    }

    // 0x00-0xDF: a power of two from 1 to 8 MiB. 0xE0-0xFF: zero, non-powers
    // of two, and powers of two too large for any block.
    size_t alignment() {
        uint8_t b = byte();
        if (b < 0xE0) return size_t{1} << (b % 24);
        return kSpecialAlignments[b - 0xE0];
    }

    double growth() { return kGrowthFactors[byte() % kGrowthCount]; }
    size_t max_block() { return kMaxBlocks[byte() % 8]; }

private:
    const uint8_t *data_;
    size_t size_;
    size_t pos_ = 0;
};

// Writes operations in the encoding above (the subset the unit test needs).
class Encoder {
public:
    const std::vector<uint8_t> &bytes() const { return bytes_; }

    Encoder &op(Op op) { return byte(op); }
    Encoder &byte(uint8_t b) {
        bytes_.push_back(b);
        return *this;
    }
    // Exact for sizes below 3 MiB.
    Encoder &size(size_t n) {
        if (n < 0x80) return byte(static_cast<uint8_t>(n));
        if (n < size_t{1} << 14) return byte(static_cast<uint8_t>(0x80 | n >> 8)).byte(static_cast<uint8_t>(n));
        return byte(static_cast<uint8_t>(0xC0 | n >> 16))
            .byte(static_cast<uint8_t>(n))
            .byte(static_cast<uint8_t>(n >> 8));
    }
    // A power of two up to 8 MiB.
    Encoder &alignment(size_t power_of_two) {
        uint8_t log = 0;
        while ((size_t{1} << log) < power_of_two) ++log;
        return byte(log);
    }
    Encoder &growth(double factor) {
        for (size_t i = 1; i < kGrowthCount; ++i)
            if (kGrowthFactors[i] == factor) return byte(static_cast<uint8_t>(i));
        return byte(0);
    }
    Encoder &max_block(size_t bytes) {
        for (uint8_t i = 0; i < 8; ++i)
            if (kMaxBlocks[i] == bytes) return byte(i);
        return byte(0);
    }

private:
    std::vector<uint8_t> bytes_;
};

} // namespace arena_model

#endif
