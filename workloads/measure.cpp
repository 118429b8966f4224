// measure.cpp - out-of-line parts of the measurement toolkit.
#include "measure.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>

namespace bench {

namespace {
std::atomic<Scale> g_scale{Scale::kFull};
std::atomic<int> g_failures{0};
std::mutex g_series_mutex;
std::map<std::string, std::vector<TimelinePoint>> g_timelines;
std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> g_cdfs;

// Reads a small /proc file into buf; returns the length or -1.
long read_proc(const char* path, char* buf, std::size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0) return -1;
    buf[n] = '\0';
    return n;
}

void append_number(std::string& out, double v) {
    char buf[64];
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9e15) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
    } else if (std::isfinite(v)) {
        std::snprintf(buf, sizeof buf, "%.6g", v);
    } else {
        std::snprintf(buf, sizeof buf, "0");
    }
    out += buf;
}

void append_string(std::string& out, const std::string& s) {
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += c;
        }
    }
    out += '"';
}

template <class T, class F>
void append_array(std::string& out, const std::vector<T>& values, F get) {
    out += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        append_number(out, static_cast<double>(get(values[i])));
    }
    out += ']';
}
}  // namespace

Scale scale() { return g_scale.load(std::memory_order_relaxed); }
void set_scale(Scale s) { g_scale.store(s); }

bool parse_scale(const std::string& text, Scale* out) {
    if (text == "smoke") *out = Scale::kSmoke;
    else if (text == "quick") *out = Scale::kQuick;
    else if (text == "full") *out = Scale::kFull;
    else return false;
    return true;
}

const char* scale_name(Scale s) {
    switch (s) {
        case Scale::kSmoke: return "smoke";
        case Scale::kQuick: return "quick";
        default: return "full";
    }
}

const TscCalibration& tsc_calibration() {
    static const TscCalibration cal = [] {
        TscCalibration c;
        // Ticks per nanosecond over ~20 ms of wall time.
        std::uint64_t n0 = now_ns(), t0 = tsc_begin();
        while (now_ns() - n0 < 20000000u) {
        }
        std::uint64_t n1 = now_ns(), t1 = tsc_end();
        c.ns_per_tick = static_cast<double>(n1 - n0) / static_cast<double>(t1 - t0);
        // The timer's own cost: median of many empty timed regions.
        constexpr int kRuns = 20001;
        static std::uint64_t empty[kRuns];
        for (int i = 0; i < kRuns; ++i) {
            std::uint64_t a = tsc_begin();
            asm volatile("" ::: "memory");
            empty[i] = tsc_end() - a;
        }
        std::nth_element(empty, empty + kRuns / 2, empty + kRuns);
        c.overhead_ticks = static_cast<double>(empty[kRuns / 2]);
        return c;
    }();
    return cal;
}

std::size_t rss_bytes() {
    char buf[256];
    if (read_proc("/proc/self/statm", buf, sizeof buf) < 0) return 0;
    unsigned long size = 0, resident = 0;
    if (std::sscanf(buf, "%lu %lu", &size, &resident) != 2) return 0;
    return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

std::size_t peak_rss_bytes() {
    char buf[4096];
    if (read_proc("/proc/self/status", buf, sizeof buf) < 0) return 0;
    const char* p = std::strstr(buf, "VmHWM:");
    if (p == nullptr) return 0;
    unsigned long kb = 0;
    if (std::sscanf(p + 6, "%lu", &kb) != 1) return 0;
    return kb * 1024;
}

bool reset_peak_rss() {
    int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = write(fd, "5", 1) == 1;
    close(fd);
    return ok;
}

std::uint64_t page_faults() {
    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<std::uint64_t>(ru.ru_minflt) + static_cast<std::uint64_t>(ru.ru_majflt);
}

const std::vector<double> kCdfPoints = {0,  1,  5,  10, 20, 30,   40,   50,    60,    70,  80,
                                        90, 95, 98, 99, 99.5, 99.9, 99.95, 99.99, 100};

double percentile_sorted(const std::uint64_t* sorted, std::size_t n, double p) {
    if (n == 0) return 0;
    // Nearest rank: the smallest value with at least p% of samples <= it.
    double rank = std::ceil(p / 100.0 * static_cast<double>(n));
    std::size_t index = rank <= 1 ? 0 : static_cast<std::size_t>(rank) - 1;
    if (index >= n) index = n - 1;
    return static_cast<double>(sorted[index]);
}

LatencySummary summarize_latency(std::uint64_t* ticks, std::size_t n, const TscCalibration& cal) {
    LatencySummary s;
    s.samples = n;
    if (n == 0) return s;
    std::sort(ticks, ticks + n);
    auto ns = [&](double t) { return std::max(0.0, t - cal.overhead_ticks) * cal.ns_per_tick; };
    s.p50_ns = ns(percentile_sorted(ticks, n, 50));
    s.p99_ns = ns(percentile_sorted(ticks, n, 99));
    s.p999_ns = ns(percentile_sorted(ticks, n, 99.9));
    s.max_ns = ns(static_cast<double>(ticks[n - 1]));
    for (double p : kCdfPoints) {
        s.cdf_percentile.push_back(p);
        s.cdf_ns.push_back(ns(percentile_sorted(ticks, n, p)));
    }
    return s;
}

void record_memory_timeline(const std::string& run_name, const std::vector<TimelinePoint>& points) {
    std::lock_guard<std::mutex> lock(g_series_mutex);
    g_timelines[run_name] = points;
}

void record_latency_cdf(const std::string& run_name, const LatencySummary& summary) {
    std::lock_guard<std::mutex> lock(g_series_mutex);
    g_cdfs[run_name] = {summary.cdf_percentile, summary.cdf_ns};
}

std::string series_json() {
    std::lock_guard<std::mutex> lock(g_series_mutex);
    std::string out = "{\n  \"memory_timeline\": {";
    bool first = true;
    for (const auto& [name, points] : g_timelines) {
        out += first ? "\n    " : ",\n    ";
        first = false;
        append_string(out, name);
        out += ": {\"t_ns\": ";
        append_array(out, points, [](const TimelinePoint& p) { return p.t_ns; });
        out += ", \"footprint_bytes\": ";
        append_array(out, points, [](const TimelinePoint& p) { return p.footprint_bytes; });
        out += ", \"rss_bytes\": ";
        append_array(out, points, [](const TimelinePoint& p) { return p.rss_bytes; });
        out += '}';
    }
    out += "},\n  \"latency_cdf\": {";
    first = true;
    for (const auto& [name, cdf] : g_cdfs) {
        out += first ? "\n    " : ",\n    ";
        first = false;
        append_string(out, name);
        out += ": {\"percentile\": ";
        append_array(out, cdf.first, [](double v) { return v; });
        out += ", \"ns\": ";
        append_array(out, cdf.second, [](double v) { return v; });
        out += '}';
    }
    out += "}\n}\n";
    return out;
}

bool write_series(const std::string& path) {
    std::string text = series_json();
    std::string tmp = path + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr) return false;
    bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    ok = (std::fclose(f) == 0) && ok;
    if (ok) ok = std::rename(tmp.c_str(), path.c_str()) == 0;
    return ok;
}

void report_failure(const std::string& message) {
    g_failures.fetch_add(1);
    std::fprintf(stderr, "FAILURE: %s\n", message.c_str());
}

int failure_count() { return g_failures.load(); }

}  // namespace bench
