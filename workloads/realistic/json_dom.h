// json_dom.h - parse real JSON files (Debian's iso-codes, cmake-data) into a
// DOM of std::pmr containers drawing from the allocator under test, query
// the DOM, walk it, release it.
//
// fill (timed): every file parsed (json.h) into one pmr::vector of
// documents; then json::index_stats on each (a pmr::unordered_map index per
// array of objects with lookups, the sorted "name" members): its temporary
// containers come from the same allocator and are destroyed when it returns.
// traverse() (timed separately by the driver: traverse_ns_per_node): the
// read-only walk of every document (json::walk_stats: nodes, members, string
// sizes, number bits), checked against the walk the verification made; its
// nodes are the DOM's nodes.
// release (timed separately): malloc-family allocators destroy the DOM
// container by container (each pmr::string, vector and member freed through
// the resource); the arena and the other bulk allocators drop it without
// running a destructor (arena_reset); Boehm drops the root.
//
// The verification (digest) walks the DOM too, untimed, and folds the walk's
// counts into the checksum, so the checksum does not depend on whether or
// when traverse() runs.
#ifndef WORKLOADS_REALISTIC_JSON_DOM_H
#define WORKLOADS_REALISTIC_JSON_DOM_H

#include "corpus.h"
#include "json.h"
#include "realistic.h"

namespace bench::realistic {

class JsonDom : public Realistic<JsonDom> {
public:
    static constexpr std::string_view kName = "json_dom";

    explicit JsonDom(const Corpus& corpus) : corpus_(corpus) { init_reference("inputs: " + corpus.describe()); }

    std::string reference_key() const { return std::to_string(corpus_.digest); }

    template <Adapter A, class P>
    std::size_t fill_impl(A& a, P& probe) {
        Heap<A, P> h(a, probe);
        HeapResource<Heap<A, P>> resource(h);
        mr_.bind(&resource);
        std::pmr::polymorphic_allocator<> alloc(&mr_);
        json::Array* docs = alloc.new_object<json::Array>();
        roots_[0] = docs;
        docs->reserve(corpus_.files.size());
        for (const InputFile& f : corpus_.files) docs->push_back(json::parse(f.text, &mr_, f.path));
        index_hash_ = 0;
        for (const json::Node& doc : *docs) {
            json::QueryStats s;
            json::index_stats(doc, &mr_, s);
            s.fold_into(&index_hash_);
        }
        docs_ = docs;
        mr_.bind(nullptr);
        return h.live_bytes();
    }

    // Untimed: the walk (kept as what traverse() must find), the query's
    // results and the content hash.
    Digest digest() {
        Digest d;
        walk_ = walk();
        walked_ = true;
        nodes_ = walk_.nodes;
        d.hash = hash_combine(walk_.hash, index_hash_);
        if (docs_ != nullptr) {
            for (const json::Node& doc : *docs_) d.hash = hash_combine(d.hash, json::hash(doc, &d.misaligned));
        }
        return d;
    }

    // The read-only walk of every document the last fill parsed; returns the
    // nodes visited. A walk that differs from the verification's is a failure.
    std::uint64_t traverse() {
        if (docs_ == nullptr) return 0;
        Walk w = walk();
        if (!walked_) {  // not verified yet: this walk is the reference
            walk_ = w;
            walked_ = true;
        } else if (w.hash != walk_.hash || w.nodes != walk_.nodes) {
            report_failure(std::string(kName) + ": the walk found " + std::to_string(w.nodes) + " nodes, " +
                           std::to_string(walk_.nodes) + " expected");
        }
        return w.nodes;
    }

    template <Adapter A, class P>
    std::size_t release_impl(A& a, P& probe, std::size_t live) {
        std::size_t leaked = release_all(a, probe, live, [&](Heap<A, P>& h) {
            HeapResource<Heap<A, P>> resource(h);
            mr_.bind(&resource);
            std::pmr::polymorphic_allocator<> alloc(&mr_);
            for (json::Node& doc : *docs_) json::destroy(doc, &mr_);
            alloc.delete_object(docs_);
            mr_.bind(nullptr);
        });
        docs_ = nullptr;
        return leaked;
    }

    void memory_counters(Extras& extras) const {
        extras.emplace_back("input_bytes", static_cast<double>(corpus_.bytes));
        extras.emplace_back("input_files", static_cast<double>(corpus_.files.size()));
        extras.emplace_back("json_nodes", static_cast<double>(nodes_));
    }

private:
    struct Walk {
        std::uint64_t hash = 0, nodes = 0;
    };

    Walk walk() const {
        Walk w;
        if (docs_ == nullptr) return w;
        for (const json::Node& doc : *docs_) {
            json::QueryStats s = json::walk_stats(doc);
            s.fold_into(&w.hash);
            w.nodes += s.nodes;
        }
        return w;
    }

    const Corpus& corpus_;
    ForwardingResource mr_;
    json::Array* docs_ = nullptr;
    std::uint64_t index_hash_ = 0, nodes_ = 0;
    Walk walk_;  // the walk of the last verification
    bool walked_ = false;
};

}  // namespace bench::realistic

#endif  // WORKLOADS_REALISTIC_JSON_DOM_H
