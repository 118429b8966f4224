// ideal_bump_adapter.h - the physical lower bound: one buffer, mapped and
// pre-faulted up front from AdapterConfig::capacity_hint, and an allocation
// that is only "round the cursor up, add the size". No bounds check in the
// hot path: exhausted() tells afterwards whether the hint was too small (the
// harness checks it after every fill, outside the timed region). Nothing is
// freed one by one; reset() and release() rewind the cursor and keep the
// buffer until the adapter is destroyed.
#ifndef COMPETITORS_IDEAL_BUMP_ADAPTER_H
#define COMPETITORS_IDEAL_BUMP_ADAPTER_H

#include <sys/mman.h>

#include "adapter.h"

namespace competitors {

class IdealBumpAdapter : public AdapterBase {
public:
    static constexpr std::string_view kName = "ideal_bump";
    static constexpr bool kFrees = false;
    static constexpr bool kBulkRelease = true;
    static constexpr bool kCollected = false;
    static constexpr FootprintScope kScope = FootprintScope::kInstance;

    explicit IdealBumpAdapter(const AdapterConfig& config) {
        if (config.capacity_hint == 0) {
            std::fprintf(stderr, "ideal_bump: AdapterConfig::capacity_hint must give the buffer size\n");
            std::abort();
        }
        mapped_ = align_up(config.capacity_hint, 4096);
        void* p = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED) out_of_memory(kName, mapped_, 4096);
        base_ = static_cast<char*>(p);
        cursor_ = base_;
        end_ = base_ + mapped_;
    }
    ~IdealBumpAdapter() { munmap(base_, mapped_); }
    IdealBumpAdapter(const IdealBumpAdapter&) = delete;
    IdealBumpAdapter& operator=(const IdealBumpAdapter&) = delete;

    void* allocate(std::size_t size, std::size_t align) {
        char* p = reinterpret_cast<char*>(align_up(reinterpret_cast<std::uintptr_t>(cursor_), align));
        cursor_ = p + size;
        return p;
    }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void*, std::size_t, std::size_t) {}
    void reset() { cursor_ = base_; }
    void release() { cursor_ = base_; }
    std::size_t footprint_bytes() const { return mapped_; }
    std::optional<std::size_t> upstream_allocations() const { return 1; }
    bool exhausted() const { return cursor_ > end_; }

    static bool verify_live(std::string*) { return true; }

private:
    std::size_t mapped_ = 0;
    char* base_ = nullptr;
    char* cursor_ = nullptr;
    char* end_ = nullptr;
};

}  // namespace competitors

#endif  // COMPETITORS_IDEAL_BUMP_ADAPTER_H
