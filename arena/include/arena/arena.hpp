// arena.hpp - C++ API over arena.h: an RAII, move-only arena::Arena, typed
// construction whose destructors run at reset/destroy, an STL allocator and a
// std::pmr::memory_resource adapter. Same implementation, same inline fast path.
#ifndef ARENA_ARENA_HPP
#define ARENA_ARENA_HPP

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory_resource>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "arena/arena.h"

namespace arena {

namespace detail {
// Throws where exceptions exist; otherwise says why and aborts (like bumpalo's alloc).
[[noreturn]] inline void fail(int error) {
#if defined(__cpp_exceptions)
    if (error == EINVAL) throw std::invalid_argument("arena: invalid argument");
    throw std::bad_alloc();
#else
    std::fprintf(stderr, "arena: %s\n", error == EINVAL ? "invalid argument" : "out of memory");
    std::abort();
#endif
}
} // namespace detail

// The constructors and child() are always inlined so that the C function they
// call sees their caller's code as its return address: ARENA_STATS and
// ARENA_CAPACITY then name the function that built the Arena, not arena.hpp.
#if defined(__GNUC__) || defined(__clang__)
#define ARENA_SITE_INLINE __attribute__((always_inline))
#else
#define ARENA_SITE_INLINE
#endif

using Stats = ArenaStats;
using Mark = ArenaMark;

struct Options {
    size_t initial_capacity = ARENA_DEFAULT_CAPACITY;
    double growth_factor = 2.0;
    size_t max_block_size = 0; // 0: no cap
    const ArenaUpstream *upstream = nullptr; // nullptr: malloc/free

    ArenaOptions to_c() const { return {initial_capacity, growth_factor, max_block_size, upstream}; }
};

// Owns one ::Arena. Move-only; a moved-from Arena holds nothing and every
// allocation from it fails. A child must be destroyed before its parent.
class Arena {
public:
    ARENA_SITE_INLINE explicit Arena(size_t initial_capacity = ARENA_DEFAULT_CAPACITY) : raw_(arena_create(initial_capacity)) {
        if (raw_ == nullptr) detail::fail(errno);
    }
    ARENA_SITE_INLINE explicit Arena(const Options &options) {
        ArenaOptions c = options.to_c();
        raw_ = arena_create_ex(&c);
        if (raw_ == nullptr) detail::fail(errno);
    }
    // Takes ownership of an arena made with the C API.
    static Arena adopt(::Arena *raw) noexcept { return Arena(raw, Adopt{}); }

    Arena(Arena &&other) noexcept : raw_(std::exchange(other.raw_, nullptr)) {}
    Arena &operator=(Arena &&other) noexcept {
        if (this != &other) {
            arena_destroy(raw_);
            raw_ = std::exchange(other.raw_, nullptr);
        }
        return *this;
    }
    Arena(const Arena &) = delete;
    Arena &operator=(const Arena &) = delete;
    ~Arena() { arena_destroy(raw_); }

    // A child arena: reset with this one, destroyed with it if still alive.
    [[nodiscard]] ARENA_SITE_INLINE Arena child(size_t initial_capacity = ARENA_DEFAULT_CAPACITY) {
        ::Arena *raw = arena_create_child(raw_, initial_capacity);
        if (raw == nullptr) detail::fail(errno);
        return Arena(raw, Adopt{});
    }

    // Throws std::bad_alloc (std::invalid_argument for a bad alignment).
    [[nodiscard]] void *allocate(size_t size, size_t alignment = alignof(std::max_align_t)) {
        void *result = arena_alloc_aligned(raw_, size, alignment);
        if (result == nullptr) [[unlikely]]
            detail::fail(errno);
        return result;
    }
    // Returns nullptr (and sets errno) instead.
    [[nodiscard]] void *try_allocate(size_t size, size_t alignment = alignof(std::max_align_t)) noexcept {
        return arena_alloc_aligned(raw_, size, alignment);
    }

    // Constructs a T in the arena. Non-trivially-destructible objects are
    // destroyed at reset/destroy (or rewind past them), newest first.
    template <typename T, typename... Args> T *make(Args &&...args) {
        T *object = ::new (allocate(sizeof(T), alignof(T))) T(std::forward<Args>(args)...);
        if constexpr (!std::is_trivially_destructible_v<T>) {
            if (int error = arena_add_cleanup(raw_, &destroy<T>, object)) {
                object->~T();
                detail::fail(error);
            }
        }
        return object;
    }

    // Uninitialized storage for count objects of T (overflow-checked).
    template <typename T> [[nodiscard]] T *allocate_array(size_t count) {
        if (count > std::numeric_limits<size_t>::max() / sizeof(T)) detail::fail(ENOMEM);
        return static_cast<T *>(allocate(count * sizeof(T), alignof(T)));
    }

    // Grows or shrinks the newest allocation in place, else copies.
    [[nodiscard]] void *reallocate(void *ptr, size_t old_size, size_t new_size) {
        void *result = arena_realloc(raw_, ptr, old_size, new_size);
        if (result == nullptr) detail::fail(errno);
        return result;
    }

    void reset() noexcept { arena_reset(raw_); }
    void reset_retain(size_t retain_bytes) noexcept { arena_reset_retain(raw_, retain_bytes); }

    [[nodiscard]] Mark mark() noexcept { return arena_mark(raw_); }
    // Throws std::invalid_argument for a mark that is stale or not ours.
    void rewind(const Mark &mark) {
        if (int error = arena_rewind(raw_, mark)) detail::fail(error);
    }

    [[nodiscard]] Stats stats(bool include_children = false) const noexcept {
        Stats stats;
        arena_get_stats(raw_, &stats, include_children ? ARENA_STATS_INCLUDE_CHILDREN : 0);
        return stats;
    }
    [[nodiscard]] size_t used_memory() const noexcept { return arena_get_used_memory(raw_); }
    [[nodiscard]] size_t allocation_count() const noexcept { return arena_get_allocation_count(raw_); }

    [[nodiscard]] ::Arena *get() const noexcept { return raw_; }
    [[nodiscard]] ::Arena *release() noexcept { return std::exchange(raw_, nullptr); }
    explicit operator bool() const noexcept { return raw_ != nullptr; }

private:
    struct Adopt {};
    Arena(::Arena *raw, Adopt) noexcept : raw_(raw) {}
    template <typename T> static void destroy(void *object) { static_cast<T *>(object)->~T(); }

    ::Arena *raw_;
};

// Scoped savepoint: rewinds on scope exit.
class Scratch {
public:
    explicit Scratch(Arena &arena) noexcept : arena_(arena), mark_(arena.mark()) {}
    ~Scratch() { (void)arena_rewind(arena_.get(), mark_); }
    Scratch(const Scratch &) = delete;
    Scratch &operator=(const Scratch &) = delete;

private:
    Arena &arena_;
    Mark mark_;
};

// STL allocator: deallocate is a no-op, memory goes with the arena.
template <typename T> class Allocator {
public:
    using value_type = T;

    Allocator(Arena &arena) noexcept : arena_(arena.get()) {} // NOLINT: implicit on purpose
    explicit Allocator(::Arena *arena) noexcept : arena_(arena) {}
    template <typename U> Allocator(const Allocator<U> &other) noexcept : arena_(other.raw()) {}

    [[nodiscard]] T *allocate(size_t count) {
        if (count > std::numeric_limits<size_t>::max() / sizeof(T)) detail::fail(ENOMEM);
        void *result = arena_alloc_aligned(arena_, count * sizeof(T), alignof(T));
        if (result == nullptr) [[unlikely]]
            detail::fail(errno);
        return static_cast<T *>(result);
    }
    void deallocate(T *, size_t) noexcept {}

    [[nodiscard]] ::Arena *raw() const noexcept { return arena_; }
    template <typename U> bool operator==(const Allocator<U> &other) const noexcept { return arena_ == other.raw(); }

private:
    ::Arena *arena_;
};

// std::pmr adapter: do_deallocate is a no-op; two resources are equal when
// they draw from the same arena.
class MemoryResource final : public std::pmr::memory_resource {
public:
    explicit MemoryResource(Arena &arena) noexcept : arena_(arena.get()) {}
    explicit MemoryResource(::Arena *arena) noexcept : arena_(arena) {}
    [[nodiscard]] ::Arena *raw() const noexcept { return arena_; }

private:
    void *do_allocate(size_t bytes, size_t alignment) override {
        void *result = arena_alloc_aligned(arena_, bytes, alignment);
        if (result == nullptr) [[unlikely]]
            detail::fail(errno);
        return result;
    }
    void do_deallocate(void *, size_t, size_t) override {}
    bool do_is_equal(const std::pmr::memory_resource &other) const noexcept override {
        auto *resource = dynamic_cast<const MemoryResource *>(&other);
        return resource != nullptr && resource->arena_ == arena_;
    }

    ::Arena *arena_;
};

} // namespace arena

#endif // ARENA_ARENA_HPP
