// binary_trees.h - Boehm's GCBench / the benchmarks-game binary-trees shape,
// the classic garbage-collector benchmark.
//
// fill (timed), for maximum depth N (smoke 6, quick 12, full 16 as GCBench):
//   a stretch tree of depth N+2, built and dropped;
//   a long-lived tree of depth N (built top-down) and a long-lived array of
//   doubles (GCBench's 500000 at full scale) that live through the fill;
//   for each depth d = 4, 6, ..., N one batch: 2 * size(N+2) / size(d) trees
//   built top-down (GCBench Populate), then as many bottom-up (MakeTree),
//   each checked (nodes counted) and dropped before the next.
// Lifetimes: each batch is one Region (arena: a child arena, reset after each
// tree, as APR pools are cleared per tree in the benchmarks-game C program,
// destroyed after the batch); malloc-family allocators free each tree node
// by node; Boehm drops it; mimalloc_heap destroys its region heap per tree.
// release (timed separately): the long-lived tree and array.
#ifndef WORKLOADS_REALISTIC_BINARY_TREES_H
#define WORKLOADS_REALISTIC_BINARY_TREES_H

#include <cstring>

#include "realistic.h"
#include "sexpr.h"

namespace bench::realistic {

struct TreeNode {
    TreeNode* left;
    TreeNode* right;
};

template <class H>
TreeNode* new_node(H& h) {
    TreeNode* n = static_cast<TreeNode*>(h.alloc(sizeof(TreeNode)));
    n->left = n->right = nullptr;
    return n;
}

// Children first, then the parent (GCBench MakeTree).
template <class H>
TreeNode* bottom_up(H& h, int depth) {
    if (depth <= 0) return new_node(h);
    TreeNode* left = bottom_up(h, depth - 1);
    TreeNode* right = bottom_up(h, depth - 1);
    TreeNode* n = static_cast<TreeNode*>(h.alloc(sizeof(TreeNode)));
    n->left = left;
    n->right = right;
    return n;
}

// The parent first, then the children (GCBench Populate).
template <class H>
void top_down(H& h, int depth, TreeNode* node) {
    if (depth <= 0) return;
    node->left = new_node(h);
    node->right = new_node(h);
    top_down(h, depth - 1, node->left);
    top_down(h, depth - 1, node->right);
}

inline std::uint64_t check_tree(const TreeNode* n) {
    std::uint64_t count = 1;
    if (n->left != nullptr) count += check_tree(n->left);
    if (n->right != nullptr) count += check_tree(n->right);
    return count;
}

template <class H>
void free_nodes(H& h, TreeNode* n) {
    if (n->left != nullptr) free_nodes(h, n->left);
    if (n->right != nullptr) free_nodes(h, n->right);
    h.free(n, sizeof(TreeNode));
}

class BinaryTrees : public Realistic<BinaryTrees> {
public:
    static constexpr std::string_view kName = "binary_trees";
    static constexpr int kMinDepth = 4;
    static int default_depth() { return pick(6, 12, 16); }
    static std::size_t default_array() { return pick<std::size_t>(1000, 31250, 500000); }

    BinaryTrees(int max_depth, std::size_t array_size) : max_depth_(max_depth), array_size_(array_size) {
        init_reference("depth " + std::to_string(max_depth) + ", array " + std::to_string(array_size));
    }

    std::string reference_key() const { return std::to_string(max_depth_) + "/" + std::to_string(array_size_); }

    static std::uint64_t tree_size(int depth) { return (std::uint64_t{1} << (depth + 1)) - 1; }
    std::uint64_t iterations(int depth) const { return 2 * tree_size(max_depth_ + 2) / tree_size(depth); }

    template <Adapter A, class P>
    std::size_t fill_impl(A& a, P& probe) {
        using TH = Heap<RegionOf<A>, P>;
        Heap<A, P> h(a, probe);
        checks_ = 0;
        {
            auto region = open_region(a, 0);
            TH t(region, probe);
            TreeNode* stretch = bottom_up(t, max_depth_ + 2);
            checks_ = hash_combine(checks_, check_tree(stretch));
            drop(t, region, stretch);
        }
        TreeNode* long_lived = new_node(h);
        roots_[0] = long_lived;
        top_down(h, max_depth_, long_lived);
        double* array = static_cast<double*>(h.alloc_data(array_size_ * sizeof(double)));
        roots_[1] = array;
        for (std::size_t i = 0; i < array_size_ / 2; ++i) array[i] = 1.0 / static_cast<double>(i + 1);
        for (std::size_t i = array_size_ / 2; i < array_size_; ++i) array[i] = static_cast<double>(i);
        for (int d = kMinDepth; d <= max_depth_; d += 2) {
            auto region = open_region(a, 0);
            TH t(region, probe);
            std::uint64_t n = iterations(d), sum = 0;
            for (std::uint64_t i = 0; i < n; ++i) {
                TreeNode* tree = new_node(t);
                top_down(t, d, tree);
                sum += check_tree(tree);
                drop(t, region, tree);
            }
            for (std::uint64_t i = 0; i < n; ++i) {
                TreeNode* tree = bottom_up(t, d);
                sum += check_tree(tree);
                drop(t, region, tree);
            }
            checks_ = hash_combine(checks_, sum);
        }
        checks_ = hash_combine(checks_, check_tree(long_lived));
        long_lived_ = long_lived;
        array_ = array;
        return h.live_bytes();
    }

    Digest digest() const {
        Digest d;
        d.hash = checks_;
        if (long_lived_ != nullptr) {
            d.hash = hash_combine(d.hash, check_tree(long_lived_));
            if ((reinterpret_cast<std::uintptr_t>(long_lived_) & 15) != 0) ++d.misaligned;
        }
        if (array_ != nullptr) {
            std::uint64_t h = 0;
            for (std::size_t i = 0; i < array_size_; ++i) {
                std::uint64_t bits;
                std::memcpy(&bits, &array_[i], 8);
                h = mix64(h ^ bits);
            }
            d.hash = hash_combine(d.hash, h);
        }
        return d;
    }

    template <Adapter A, class P>
    std::size_t release_impl(A& a, P& probe, std::size_t live) {
        std::size_t leaked = release_all(a, probe, live, [&](auto& h) {
            free_nodes(h, long_lived_);
            h.free(array_, array_size_ * sizeof(double));
        });
        long_lived_ = nullptr;
        array_ = nullptr;
        return leaked;
    }

    void memory_counters(Extras& extras) const {
        extras.emplace_back("max_depth", max_depth_);
    }

private:
    // A short-lived tree dies: node by node, or the whole region at once.
    template <class TH, class R>
    static void drop(TH& t, R& region, TreeNode* tree) {
        if constexpr (TH::kFreeAtEnd) {
            free_nodes(t, tree);
        } else {
            region.reset();
        }
        t.all_dead();
    }

    int max_depth_;
    std::size_t array_size_;
    TreeNode* long_lived_ = nullptr;
    double* array_ = nullptr;
    std::uint64_t checks_ = 0;
};

}  // namespace bench::realistic

#endif  // WORKLOADS_REALISTIC_BINARY_TREES_H
