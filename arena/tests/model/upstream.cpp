#include "upstream.h"

#include <cstdlib>

namespace arena_model {

void FaultInjector::fail_in(size_t calls_ahead, bool persistent) {
    fail_at_ = calls_ + calls_ahead;
    persistent_ = persistent;
}

void FaultInjector::stop() {
    fail_at_ = kNever;
    persistent_ = false;
    misalign_next_ = false;
}

void FaultInjector::set_caps(size_t largest_block, size_t live_total) {
    largest_block_ = largest_block;
    live_cap_ = live_total;
}

long FaultInjector::countdown() const {
    if (fail_at_ == kNever) return -1;
    return fail_at_ > calls_ ? static_cast<long>(fail_at_ - calls_) : 0;
}

bool FaultInjector::refuse(size_t bytes) {
    size_t call = calls_++;
    bool injected = call == fail_at_ || (persistent_ && fail_at_ != kNever && call > fail_at_);
    if (injected && !persistent_) fail_at_ = kNever;
    if (injected || bytes > largest_block_ || bytes > live_cap_ - live_total_) {
        refusals_ += 1;
        return true;
    }
    return false;
}

TrackingUpstream::TrackingUpstream(FaultInjector &faults, const ArenaUpstream *inner)
    : faults_(faults), inner_(inner), upstream_{&TrackingUpstream::allocate, &TrackingUpstream::deallocate, this} {}

TrackingUpstream::~TrackingUpstream() {
    for (auto &[p, n] : live_) {
        faults_.live_total_ -= n;
        release(p, n);
    }
}

std::vector<size_t> TrackingUpstream::live_sizes() const {
    std::vector<size_t> sizes;
    for (auto &[p, n] : live_) sizes.push_back(n);
    return sizes;
}

size_t TrackingUpstream::size_of(const void *p) const {
    auto it = live_.find(const_cast<void *>(p));
    return it == live_.end() ? 0 : it->second;
}

bool TrackingUpstream::contains(const void *p, size_t n, const std::set<const void *> &excluded) const {
    auto it = live_.upper_bound(const_cast<void *>(p));
    if (it == live_.begin()) return false;
    --it;
    auto *start = static_cast<const char *>(it->first);
    auto *bytes = static_cast<const char *>(p);
    return excluded.count(it->first) == 0 && bytes >= start && bytes + n <= start + it->second;
}

void *TrackingUpstream::allocate(void *context, size_t bytes) {
    auto *self = static_cast<TrackingUpstream *>(context);
    FaultInjector &faults = self->faults_;
    if (faults.refuse(bytes)) return nullptr;
    void *p = nullptr;
    if (faults.misalign_next_) { // breaks the 16-byte contract: the arena must refuse it
        faults.misalign_next_ = false;
        faults.refusals_ += 1;
        auto *raw = static_cast<char *>(std::malloc(bytes + 16));
        if (raw == nullptr) return nullptr;
        p = raw + 8;
        self->misaligned_[p] = raw;
    } else if (self->inner_ != nullptr) {
        p = self->inner_->allocate(self->inner_->context, bytes);
    } else {
        p = std::malloc(bytes);
    }
    if (p == nullptr) {
        faults.refusals_ += 1;
        return nullptr;
    }
    if (self->allocations_ == 0) {
        self->first_block_ = p;
        self->first_block_bytes_ = bytes;
    }
    self->live_[p] = bytes;
    self->live_bytes_ += bytes;
    self->allocations_ += 1;
    faults.live_total_ += bytes;
    return p;
}

void TrackingUpstream::deallocate(void *context, void *p, size_t bytes) {
    auto *self = static_cast<TrackingUpstream *>(context);
    auto it = self->live_.find(p);
    if (it == self->live_.end() || it->second != bytes) {
        self->bad_free_ = true; // reported by the next check; never free what we did not give
        return;
    }
    self->live_.erase(it);
    self->live_bytes_ -= bytes;
    self->faults_.live_total_ -= bytes;
    self->release(p, bytes);
}

void TrackingUpstream::release(void *p, size_t bytes) {
    auto off = misaligned_.find(p);
    if (off != misaligned_.end()) {
        std::free(off->second);
        misaligned_.erase(off);
    } else if (inner_ != nullptr) {
        inner_->deallocate(inner_->context, p, bytes);
    } else {
        std::free(p);
    }
}

} // namespace arena_model
