// ideal_bump_adapter.h - the physical lower bound: one buffer, mapped and
// pre-faulted up front from AdapterConfig::capacity_hint, and an allocation
// that is only "round the cursor up, add the size". No bounds check in the
// hot path: exhausted_reason() tells afterwards whether the hint was too
// small (the harness checks it after every fill, outside the timed region).
// Nothing is freed one by one; reset() and release() rewind the cursor and
// keep the buffer until the adapter is destroyed.
//
// The cursor lives in memory (a header at the start of the mapping) and every
// allocate() loads and stores it, as any allocator's state is loaded and
// stored by each call (the arena's included). The pointer to it goes through
// an empty asm so that the compiler cannot prove it the same from call to
// call: otherwise, inlined into a fill loop, the cursor would be kept in a
// register and each "allocation" would shrink to an add, which is address
// arithmetic, not an allocator. (arena/bench's bench_arena_fastpath reports
// both variants: fastpath/ideal_bump and fastpath/ideal_bump_in_memory.)
#ifndef COMPETITORS_IDEAL_BUMP_ADAPTER_H
#define COMPETITORS_IDEAL_BUMP_ADAPTER_H

#include <sys/mman.h>

#include "adapter.h"

namespace competitors {

class IdealBumpAdapter : public AdapterBase<lifetime::Bulk> {
public:
    static constexpr std::string_view kName = "ideal_bump";

    explicit IdealBumpAdapter(const AdapterConfig& config) {
        if (config.capacity_hint == 0) {
            std::fprintf(stderr, "ideal_bump: AdapterConfig::capacity_hint must give the buffer size\n");
            std::abort();
        }
        mapped_ = align_up(config.capacity_hint + kHeader, 4096);
        void* p = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED) out_of_memory(kName, mapped_, 4096);
        state_ = static_cast<State*>(p);
        state_->base = static_cast<char*>(p) + kHeader;
        state_->cursor = state_->base;
        state_->end = static_cast<char*>(p) + mapped_;
    }
    ~IdealBumpAdapter() { munmap(state_, mapped_); }

    void* allocate(std::size_t size, std::size_t align) {
        State* s = state_;
        asm volatile("" : "+r"(s));  // opaque: no value tracking across calls
        char* p = reinterpret_cast<char*>(align_up(reinterpret_cast<std::uintptr_t>(s->cursor), align));
        s->cursor = p + size;
        return p;
    }
    void* allocate_pointer_free(std::size_t size, std::size_t align) { return allocate(size, align); }
    void deallocate(void*, std::size_t, std::size_t) {}
    void reset() { state_->cursor = state_->base; }
    void release() { state_->cursor = state_->base; }
    std::size_t footprint_bytes() const { return mapped_; }
    std::optional<std::size_t> upstream_allocations() const { return 1; }
    const char* exhausted_reason() const { return state_->cursor > state_->end ? "buffer exhausted" : nullptr; }

    static bool verify_live(std::string*) { return true; }

private:
    struct State {
        char* cursor;
        char* base;
        char* end;
    };
    static constexpr std::size_t kHeader = 64;  // one cache line for State

    std::size_t mapped_ = 0;
    State* state_ = nullptr;
};

}  // namespace competitors

#endif  // COMPETITORS_IDEAL_BUMP_ADAPTER_H
