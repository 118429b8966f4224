// Operations that must fail or change nothing: injected upstream faults,
// bad arguments and forged marks.
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

#include "check.h"
#include "harness.h"

namespace arena_model {

void Harness::inject(uint8_t mode, size_t index) {
    if (mode < 0x80) {
        faults_.fail_in(mode % 8, false);
    } else if (mode < 0xC0) {
        faults_.fail_in(mode % 8, true);
    } else if (mode < 0xE0) {
        faults_.misalign_next();
    } else {
        faults_.stop();
    }
    trace("#%zu inject countdown %ld%s%s", index, faults_.countdown(), faults_.persistent() ? " persistent" : "",
          faults_.misaligning() ? " misalign" : "");
}

void Harness::bad_input(Decoder &in, size_t index) {
    Node *node = pick(in);
    uint8_t which = in.byte();
    trace("#%zu bad input %u on %d", index, which % 8u, node ? node->id : -1);
    ArenaStats before{};
    if (node) before = stats_of(node->arena);
    auto expect_null = [](void *p, int error, const char *what) { MODEL_CHECK(p == nullptr && errno == error, what); };
    constexpr size_t kMax = std::numeric_limits<size_t>::max();
    size_t k = which >> 3;
    errno = 0;
    switch (which % 8) {
    case 0:
        expect_null(arena_alloc(nullptr, 16), EINVAL, "arena_alloc(NULL)");
        expect_null(arena_alloc_aligned(nullptr, 16, 64), EINVAL, "arena_alloc_aligned(NULL)");
        expect_null(arena_alloc_slow(nullptr, 16, 16), EINVAL, "arena_alloc_slow(NULL)");
        break;
    case 1: {
        int dummy = 0;
        expect_null(arena_realloc(nullptr, &dummy, 1, 2), EINVAL, "arena_realloc(NULL)");
        expect_null(arena_create_child(nullptr, 0), EINVAL, "arena_create_child(NULL)");
        expect_null(arena_create_child_ex(nullptr, nullptr), EINVAL, "arena_create_child_ex(NULL)");
        MODEL_CHECK(arena_add_cleanup(nullptr, &Harness::on_cleanup, nullptr) == EINVAL, "");
        if (node) MODEL_CHECK(arena_add_cleanup(node->arena, nullptr, nullptr) == EINVAL, "NULL cleanup function");
        break;
    }
    case 2: {
        arena_reset(nullptr);
        arena_reset_retain(nullptr, 0);
        arena_destroy(nullptr);
        arena_options_init(nullptr);
        MODEL_CHECK(arena_get_used_memory(nullptr) == 0 && arena_get_allocation_count(nullptr) == 0, "");
        MODEL_CHECK(arena_check(nullptr) == EINVAL, "");
        ArenaStats s;
        std::memset(&s, 0xAB, sizeof s);
        arena_get_stats(nullptr, &s, ARENA_STATS_INCLUDE_CHILDREN);
        ArenaStats zero{};
        MODEL_CHECK(std::memcmp(&s, &zero, sizeof s) == 0, "stats of NULL are zeros");
        if (node) arena_get_stats(node->arena, nullptr, 0);
        ArenaMark none = arena_mark(nullptr);
        MODEL_CHECK(arena_rewind(nullptr, none) == EINVAL, "");
        if (node) {
            MODEL_CHECK(arena_rewind(node->arena, none) == EINVAL, "the mark of a NULL arena");
            ArenaMark orphan = arena_mark(node->arena); // this arena's state, no arena named
            orphan.arena_ = nullptr;
            MODEL_CHECK(arena_rewind(node->arena, orphan) == EINVAL, "a mark naming no arena");
        }
        break;
    }
    case 3: // sizes whose rounding overflows, alignments that are not powers of two or no block can meet
        if (!node) break;
        // k, 32 + k and 64 - k reach every size from SIZE_MAX - 64 up.
        for (size_t below : {k, 32 + k, 64 - k})
            expect_null(arena_alloc(node->arena, kMax - below), ENOMEM, "overflowing size");
        expect_null(arena_alloc_aligned(node->arena, 16, size_t{1} << 63), ENOMEM, "alignment 2^63");
        expect_null(arena_alloc_aligned(node->arena, kMax / 2, 4096), ENOMEM, "huge aligned size");
        // which is 8k + 3: with +2, +4, +6 every odd number from 3 to 257.
        for (size_t odd : {size_t{which}, which + size_t{2}, which + size_t{4}, which + size_t{6}})
            expect_null(arena_alloc_aligned(node->arena, 16, odd), EINVAL, "an odd alignment");
        expect_null(arena_alloc_aligned(node->arena, 16, 0), EINVAL, "alignment 0");
        break;
    case 4: // realloc to an impossible size keeps the old allocation
        if (!node || node->live.empty()) break;
        {
            const Allocation &a = node->live[which % node->live.size()];
            if (a.fill == 0) break;
            expect_null(arena_realloc(node->arena, a.ptr, a.size, kMax), ENOMEM, "realloc to SIZE_MAX");
            verify(*node, a);
        }
        break;
    default: { // forged marks: each field off in a way the arena can detect
        if (!node) break;
        ArenaMark mark = arena_mark(node->arena);
        static char elsewhere[64];
        switch (which % 8) {
        case 5:
            mark.epoch_ += 1 + k;
            break;
        case 6:
            mark.allocation_count_ += 1;
            break;
        default:
            switch (k % 4) {
            case 0: mark.block_ = elsewhere; break;
            case 1: // past the current cursor (or a cursor where there is no block)
                mark.cursor_ = mark.cursor_ ? mark.cursor_ + 16 * (1 + (which >> 5)) : elsewhere;
                break;
            case 2: mark.dedicated_ = elsewhere; break;
            default: mark.cleanups_ = elsewhere; break;
            }
        }
        size_t from = log_.size();
        MODEL_CHECK(arena_rewind(node->arena, mark) == EINVAL, "a forged mark was accepted");
        MODEL_CHECK(log_.size() == from, "");
    }
    }
    if (node) expect_unchanged(*node, before, "bad input");
}

} // namespace arena_model
