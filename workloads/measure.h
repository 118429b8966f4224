// measure.h - the measurement toolkit shared by every workload: clocks,
// process memory figures, latency percentiles, checksum hashing, scratch
// arrays that bypass the allocator under test, run scale, and the side file of
// series (memory timelines, latency CDFs) that scripts/bench merges.
#ifndef WORKLOADS_MEASURE_H
#define WORKLOADS_MEASURE_H

#include <sys/mman.h>
#include <x86intrin.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace bench {

// ---- run scale --------------------------------------------------------------

// smoke: CTest (seconds for everything); quick: scripts/bench --quick; full.
enum class Scale { kSmoke, kQuick, kFull };
Scale scale();
void set_scale(Scale s);
bool parse_scale(const std::string& text, Scale* out);
const char* scale_name(Scale s);
// The value for the current scale.
template <class T>
T pick(T smoke, T quick, T full) {
    switch (scale()) {
        case Scale::kSmoke: return smoke;
        case Scale::kQuick: return quick;
        default: return full;
    }
}

// ---- clocks -------------------------------------------------------------------

inline std::uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

// Time stamp counter reads for one timed allocation: lfence keeps the timed
// instructions from moving across either read. The TSC is invariant on the
// machines we run on (constant_tsc/nonstop_tsc); tsc_calibration() checks it
// against CLOCK_MONOTONIC.
inline std::uint64_t tsc_begin() {
    _mm_lfence();
    std::uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}
inline std::uint64_t tsc_end() {
    unsigned aux;
    std::uint64_t t = __rdtscp(&aux);
    _mm_lfence();
    return t;
}

struct TscCalibration {
    double ns_per_tick = 1.0;
    // Median ticks of an empty timed region (tsc_begin(); tsc_end()): the
    // timer's own cost, subtracted from every latency sample.
    double overhead_ticks = 0.0;
    double overhead_ns() const { return overhead_ticks * ns_per_tick; }
};
// Measured once per process (about 20 ms), thread-safe.
const TscCalibration& tsc_calibration();

// ---- process memory -------------------------------------------------------------

std::size_t rss_bytes();        // resident set now (/proc/self/statm)
std::size_t peak_rss_bytes();   // VmHWM since the last reset_peak_rss()
bool reset_peak_rss();          // writes 5 to /proc/self/clear_refs
std::uint64_t page_faults();    // minor + major, whole process (getrusage)

// ---- hashing --------------------------------------------------------------------

// splitmix64 finaliser: a good 64-bit mix.
constexpr std::uint64_t mix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// Deterministic generator for sizes and choices (same sequence everywhere).
class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() { return mix64(state_ += 0x9e3779b97f4a7c15ull); }
    // Uniform in [0, n).
    std::uint64_t below(std::uint64_t n) { return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }
    // Uniform in (0, 1].
    double unit() { return (static_cast<double>(next() >> 11) + 1.0) * (1.0 / 9007199254740992.0); }

private:
    std::uint64_t state_;
};

// Checksums are folded to 48 bits so that a double counter holds them exactly.
constexpr std::uint64_t kChecksumMask = (std::uint64_t{1} << 48) - 1;

// ---- scratch memory that bypasses every allocator under test --------------------

// A fixed-capacity array in its own mmap'd, pre-faulted pages: the harness'
// bookkeeping never touches the heap being measured and never page-faults in
// a measured section.
template <class T>
class MappedArray {
public:
    MappedArray() = default;
    explicit MappedArray(std::size_t capacity) : capacity_(capacity) {
        bytes_ = (capacity * sizeof(T) + 4095) & ~std::size_t{4095};
        if (bytes_ == 0) bytes_ = 4096;
        void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED) {
            std::fprintf(stderr, "bench: cannot map %zu bytes of scratch memory\n", bytes_);
            std::abort();
        }
        data_ = static_cast<T*>(p);
    }
    ~MappedArray() {
        if (data_ != nullptr) munmap(data_, bytes_);
    }
    MappedArray(MappedArray&& o) noexcept { swap(o); }
    MappedArray& operator=(MappedArray&& o) noexcept {
        swap(o);
        return *this;
    }
    MappedArray(const MappedArray&) = delete;
    MappedArray& operator=(const MappedArray&) = delete;

    T* data() const { return data_; }
    std::size_t capacity() const { return capacity_; }
    std::size_t mapped_bytes() const { return bytes_; }
    T& operator[](std::size_t i) const { return data_[i]; }

private:
    void swap(MappedArray& o) noexcept {
        std::swap(data_, o.data_);
        std::swap(capacity_, o.capacity_);
        std::swap(bytes_, o.bytes_);
    }
    T* data_ = nullptr;
    std::size_t capacity_ = 0;
    std::size_t bytes_ = 0;
};

// ---- latency percentiles ---------------------------------------------------------

struct LatencySummary {
    std::size_t samples = 0;
    double p50_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
    std::vector<double> cdf_percentile;  // kCdfPoints
    std::vector<double> cdf_ns;
};
extern const std::vector<double> kCdfPoints;  // 0, 1, 5, ..., 99.99, 100

// Nearest-rank percentile of sorted values (p in [0, 100]).
double percentile_sorted(const std::uint64_t* sorted, std::size_t n, double p);

// Sorts ticks in place, subtracts the timer overhead (clamped at 0) and
// converts to nanoseconds.
LatencySummary summarize_latency(std::uint64_t* ticks, std::size_t n, const TscCalibration& cal);

// ---- series side file -------------------------------------------------------------

struct TimelinePoint {
    std::uint64_t t_ns;
    std::size_t footprint_bytes;
    std::size_t rss_bytes;
};
void record_memory_timeline(const std::string& run_name, const std::vector<TimelinePoint>& points);
void record_latency_cdf(const std::string& run_name, const LatencySummary& summary);
// Writes {"memory_timeline": {...}, "latency_cdf": {...}}; false on I/O error.
bool write_series(const std::string& path);
std::string series_json();

// ---- failures -----------------------------------------------------------------------

// A failed check (checksum mismatch, exhausted buffer...): printed at once,
// and main() exits non-zero.
void report_failure(const std::string& message);
int failure_count();

}  // namespace bench

#endif  // WORKLOADS_MEASURE_H
