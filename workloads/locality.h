// locality.h - the seed's fourth benefit, cache locality, measured: a program
// builds linked structures (kLists singly linked lists and a binary search
// tree) while it also allocates other objects of varied sizes and lifetimes,
// then walks what it built several times.
//
// fill (timed, ns_per_alloc): steps_ steps, each allocating in this order
//   - a temporary of 16 B .. 512 B (a scratch buffer) in a scratch region
//     (competitors/region.h): the temporaries of kScratchSteps steps die
//     together at the end of their batch, as a program's per-statement
//     scratch does. Where the allocator nests (our child arena, an APR
//     sub-pool, a second heap...), that is the region's reset(); elsewhere
//     they are freed one by one, abandoned by bump allocators, dropped for a
//     collector;
//   - a list node (32 B), appended to list step % kLists;
//   - on odd steps, a tree node (48 B), linked under the parent it gets by
//     BST insertion of its key (the shape is computed once, at construction,
//     so the fill does no tree search);
//   - a filler of 16 B .. 2 KiB (power law) that either lives to the end
//     (listed) or dies kMediumLag steps later.
// A filler that dies is freed at once where the allocator frees one object
// (kFrees), abandoned by bump allocators and dropped for a collector, as a
// real program on each allocator would. The temporaries and medium-lived
// objects still pending at the end of the build die with it.
// traverse() (timed separately by the driver: traverse_ns_per_node; in counts
// mode traverse_d1_misses_per_node ...): kPasses passes, each walking every
// list head to tail and the tree in key order (in-order), read-only. It
// checks what it read (node counts, payload sums, keys in order) and reports
// a corrupted link as a failure.
// release: reset (the allocator keeps its memory, as for small_fixed).
//
// Every node and long-lived filler is listed in the ObjectTable, so the
// standard stamp verification (objects.h) covers them and yields a checksum
// that depends only on the seed. The stamp writes an object's first 8 bytes
// and its last byte, so the nodes keep their links and payloads in between.
#ifndef WORKLOADS_LOCALITY_H
#define WORKLOADS_LOCALITY_H

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "fill.h"
#include "region.h"

namespace bench {

class Locality : public Workload<Locality> {
public:
    static constexpr std::string_view kName = "locality";
    static constexpr std::size_t kLists = 8;
    static constexpr int kPasses = 4;
    static constexpr std::size_t kScratchSteps = 64;
    // The scratch region's first block: one batch's temporaries (at most
    // kScratchSteps * 512 B; 9 KiB on average) usually fit.
    static constexpr std::size_t kScratchCapacity = 16384;
    static constexpr std::size_t kMediumLag = 1024;

    // Bytes 0-7 and the last byte belong to the table's stamp.
    struct ListNode {
        std::uint64_t stamped;
        ListNode* next;
        std::uint64_t payload;
        std::uint64_t stamped_tail;
    };
    struct TreeNode {
        std::uint64_t stamped;
        TreeNode* left;
        TreeNode* right;
        std::uint64_t key;
        std::uint64_t payload;
        std::uint64_t stamped_tail;
    };
    static_assert(sizeof(ListNode) == 32 && sizeof(TreeNode) == 48);

    // Nodes at quick scale: 64 Ki list nodes (2 MiB) and 32 Ki tree nodes
    // (1.5 MiB), more than an L2 cache; the fillers spread them further.
    static std::size_t default_steps() { return pick<std::size_t>(1024, 65536, 262144); }

    explicit Locality(std::size_t steps)
        : Workload(table_capacity(steps), 0x10ca11), steps_(steps), temp_sizes_(steps), filler_sizes_(steps),
          tree_links_(steps / 2), tree_ptrs_(steps / 2), temps_(kScratchSteps), mediums_(kMediumLag) {
        Rng rng(seed_);
        for (std::size_t s = 0; s < steps; ++s) {
            temp_sizes_[s] = power_law_size(rng, 16, 512, 1.0);
            std::uint32_t size = power_law_size(rng, 16, 2048, 0.9);
            filler_sizes_[s] = size | (rng.below(2) == 0 ? kLongLived : 0u);
        }
        // The count of long-lived fillers was drawn above; the table was
        // sized for all of them.
        for (std::size_t s = 0; s < steps; ++s) {
            hint_ += bump_bytes(temp_sizes_[s], 16) + bump_bytes(sizeof(ListNode), 16) +
                     bump_bytes(filler_sizes_[s] & kSizeMask, 16);
            if (s & 1) hint_ += bump_bytes(sizeof(TreeNode), 16);
            list_sum_ += list_payload(s);
        }
        plan_tree();
    }

    std::size_t allocs_per_fill() const { return 3 * steps_ + tree_nodes(); }
    std::size_t capacity_hint() const { return hint_; }
    bool keep_memory() const { return true; }

    std::size_t list_nodes() const { return steps_; }
    std::size_t tree_nodes() const { return steps_ / 2; }
    // Nodes one traverse() visits.
    std::uint64_t nodes_per_traverse() const { return kPasses * (list_nodes() + tree_nodes()); }

    template <Adapter A, class P>
    void fill(A& a, P& probe) {
        std::array<ListNode*, kLists> tails{};
        heads_.fill(nullptr);
        root_ = nullptr;
        std::uint32_t serial = 0;
        competitors::RegionOf<A>& scratch = scratch_.open(a, kScratchCapacity);
        for (std::size_t s = 0; s < steps_; ++s) {
            // A scratch buffer, used now and dropped with its batch.
            std::uint32_t temp_size = temp_sizes_[s];
            void* temp = allocate<false>(scratch, probe, temp_size);
            touch(temp, s);
            ++serial;
            temps_[s % kScratchSteps] = Pending{temp, temp_size};
            if (s % kScratchSteps == kScratchSteps - 1) end_batch(scratch, probe, kScratchSteps);

            auto* n = static_cast<ListNode*>(allocate<true>(a, probe, sizeof(ListNode)));
            n->next = nullptr;
            n->payload = list_payload(s);
            ListNode*& tail = tails[s % kLists];
            (tail != nullptr ? tail->next : heads_[s % kLists]) = n;
            tail = n;
            table_.push(n, sizeof(ListNode), serial++);

            if (s & 1) {
                std::size_t j = s / 2;
                auto* t = static_cast<TreeNode*>(allocate<true>(a, probe, sizeof(TreeNode)));
                t->left = t->right = nullptr;
                t->key = tree_key(j);
                t->payload = tree_payload(j);
                if (j == 0) {
                    root_ = t;
                } else {
                    std::uint32_t link = tree_links_[j];
                    TreeNode* parent = tree_ptrs_[link & kSizeMask];
                    ((link & kRightChild) != 0 ? parent->right : parent->left) = t;
                }
                tree_ptrs_[j] = t;
                table_.push(t, sizeof(TreeNode), serial++);
            }

            std::uint32_t filler = filler_sizes_[s];
            std::uint32_t size = filler & kSizeMask;
            void* p = allocate<false>(a, probe, size);
            touch(p, s);
            if ((filler & kLongLived) != 0) {
                table_.push(p, size, serial++);
            } else {
                ++serial;
                retire(a, probe, mediums_[s % kMediumLag], p, size);
            }
        }
        // The build is over: its temporaries go with it.
        end_batch(scratch, probe, steps_ % kScratchSteps);
        scratch_.close();
        for (std::size_t i = 0; i < kMediumLag; ++i) retire(a, probe, mediums_[i], nullptr, 0);
        built_ = true;
    }

    template <Adapter A, class P>
    void release(A& a, P& probe) {
        built_ = false;
        scratch_.close();
        Workload::release(a, probe);
    }

    // Walks every list and the tree kPasses times, read-only; returns the
    // nodes visited. A count, a payload sum or a key order that differs from
    // the build is reported as a failure. 0 when nothing is built.
    std::uint64_t traverse() {
        if (!built_) return 0;
        const std::uint64_t list_limit = list_nodes(), tree_limit = tree_nodes();
        std::uint64_t visited = 0;
        bool ok = true;
        for (int pass = 0; pass < kPasses; ++pass) {
            std::uint64_t count = 0, sum = 0;
            for (const ListNode* head : heads_) {
                for (const ListNode* n = head; n != nullptr && count <= list_limit; n = n->next) {
                    ++count;
                    sum += n->payload;
                }
            }
            ok = ok && count == list_limit && sum == list_sum_;
            visited += count;
            TreeWalk w = walk_tree(tree_limit);
            ok = ok && w.ok && w.count == tree_limit && w.sum == tree_sum_;
            visited += w.count;
            benchmark::ClobberMemory();  // each pass reads the nodes afresh
        }
        if (!ok) {
            report_failure(std::string(kName) + ": a corrupted link: the traversal's counts, payload sums or key order " +
                           "differ from the build (" + std::to_string(visited) + " nodes visited, " +
                           std::to_string(nodes_per_traverse()) + " expected)");
        }
        return visited;
    }

    // For tests: the list heads and the tree root of the last fill.
    ListNode* list_head(std::size_t l) const { return heads_[l]; }
    TreeNode* tree_root() const { return root_; }

private:
    static constexpr std::uint32_t kLongLived = 1u << 31;   // in filler_sizes_
    static constexpr std::uint32_t kRightChild = 1u << 31;  // in tree_links_
    static constexpr std::uint32_t kSizeMask = ~(1u << 31);

    // An object that dies later: its pointer and size.
    struct Pending {
        void* ptr;
        std::uint32_t size;
    };

    static std::size_t table_capacity(std::size_t steps) { return steps + steps / 2 + steps; }

    std::uint64_t list_payload(std::size_t s) const { return mix64(seed_ ^ (s * 0x9e3779b97f4a7c15ull)); }
    std::uint64_t tree_key(std::size_t j) const { return mix64(seed_ + j); }
    std::uint64_t tree_payload(std::size_t j) const { return tree_key(j) >> 3; }

    template <bool Links, class A, class P>
    static void* allocate(A& a, P& probe, std::size_t size) {
        probe.before();
        // Nodes hold pointers (a collector must scan them); the rest is data.
        void* p;
        if constexpr (Links) {
            p = a.allocate(size, 16);
        } else {
            p = a.allocate_pointer_free(size, 16);
        }
        probe.after(size);
        return p;
    }

    // A program writes what it allocates.
    static void touch(void* p, std::uint64_t value) { std::memcpy(p, &value, sizeof value); }

    // The first n temporaries of the batch die: freed one by one where the
    // region frees objects, then the region is reset (a no-op for a region
    // that is the adapter itself).
    template <class R, class P>
    void end_batch(R& scratch, P& probe, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            if constexpr (R::kFrees) scratch.deallocate(temps_[i].ptr, temps_[i].size, 16);
            probe.freed(temps_[i].size);
        }
        scratch.reset();
    }

    // slot's object (if any) dies; p (if any) takes its place.
    template <Adapter A, class P>
    static void retire(A& a, P& probe, Pending& slot, void* p, std::uint32_t size) {
        if (slot.ptr != nullptr) {
            if constexpr (A::kFrees) a.deallocate(slot.ptr, slot.size, 16);
            probe.freed(slot.size);
        }
        slot = Pending{p, size};
    }

    // The tree's shape: BST insertion of tree_key(0), tree_key(1), ... in
    // that order, once; tree_links_[j] is the parent's index and side.
    void plan_tree() {
        const std::size_t n = tree_nodes();
        if (n == 0) return;
        std::vector<std::uint32_t> left(n, 0), right(n, 0);  // 0: none (node 0 is the root)
        std::size_t max_depth = 1;
        for (std::size_t j = 1; j < n; ++j) {
            std::uint64_t key = tree_key(j);
            std::uint32_t at = 0;
            std::size_t depth = 2;
            while (true) {
                bool go_right = key >= tree_key(at);
                std::uint32_t& child = go_right ? right[at] : left[at];
                if (child == 0) {
                    child = static_cast<std::uint32_t>(j);
                    tree_links_[j] = at | (go_right ? kRightChild : 0u);
                    break;
                }
                at = child;
                ++depth;
            }
            max_depth = std::max(max_depth, depth);
        }
        for (std::size_t j = 0; j < n; ++j) tree_sum_ += tree_payload(j);
        stack_ = MappedArray<const TreeNode*>(max_depth + 1);
    }

    struct TreeWalk {
        std::uint64_t count = 0, sum = 0;
        bool ok = true;
    };

    // In-order walk with an explicit stack (bounded by the planned depth: a
    // corrupted link cannot overflow it or loop for ever).
    TreeWalk walk_tree(std::uint64_t limit) const {
        TreeWalk w;
        const TreeNode** stack = stack_.data();
        const std::size_t cap = stack_.capacity();
        std::size_t sp = 0;
        std::uint64_t last = 0;
        const TreeNode* n = root_;
        while ((n != nullptr || sp != 0) && w.count <= limit) {
            while (n != nullptr) {
                if (sp == cap) return TreeWalk{w.count, w.sum, false};
                stack[sp++] = n;
                n = n->left;
            }
            n = stack[--sp];
            if (n->key < last) w.ok = false;
            last = n->key;
            ++w.count;
            w.sum += n->payload;
            n = n->right;
        }
        return w;
    }

    std::size_t steps_;
    std::size_t hint_ = 0;
    MappedArray<std::uint32_t> temp_sizes_, filler_sizes_, tree_links_;
    MappedArray<TreeNode*> tree_ptrs_;
    MappedArray<Pending> temps_, mediums_;
    MappedArray<const TreeNode*> stack_;
    competitors::RegionSlot scratch_;
    std::array<ListNode*, kLists> heads_{};
    TreeNode* root_ = nullptr;
    std::uint64_t list_sum_ = 0, tree_sum_ = 0;
    bool built_ = false;
};

}  // namespace bench

#endif  // WORKLOADS_LOCALITY_H
