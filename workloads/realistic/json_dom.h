// json_dom.h - parse real JSON files (Debian's iso-codes, cmake-data) into a
// DOM of std::pmr containers drawing from the allocator under test, query
// the DOM, release it.
//
// fill (timed): every file parsed (json.h) into one pmr::vector of
// documents; then json::query on each (a walk, a pmr::unordered_map index per
// array of objects with lookups, the sorted "name" members): its temporary
// containers come from the same allocator and are destroyed when it returns.
// release (timed separately): malloc-family allocators destroy the DOM
// container by container (each pmr::string, vector and member freed through
// the resource); the arena and the other bulk allocators drop it without
// running a destructor (arena_reset); Boehm drops the root.
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
        query_hash_ = 0;
        nodes_ = 0;
        for (const json::Node& doc : *docs) {
            json::QueryStats s = json::query(doc, &mr_);
            s.fold_into(&query_hash_);
            nodes_ += s.nodes;
        }
        docs_ = docs;
        mr_.bind(nullptr);
        return h.live_bytes();
    }

    Digest digest() const {
        Digest d;
        d.hash = query_hash_;
        if (docs_ != nullptr) {
            for (const json::Node& doc : *docs_) d.hash = hash_combine(d.hash, json::hash(doc, &d.misaligned));
        }
        return d;
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
    const Corpus& corpus_;
    ForwardingResource mr_;
    json::Array* docs_ = nullptr;
    std::uint64_t query_hash_ = 0, nodes_ = 0;
};

}  // namespace bench::realistic

#endif  // WORKLOADS_REALISTIC_JSON_DOM_H
