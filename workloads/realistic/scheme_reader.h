// scheme_reader.h - read real Scheme source (Guile's and SLIB's .scm files)
// into S-expression trees, walk them, release them.
//
// fill (timed): a fresh symbol table, then every file of the corpus read into
// a list of its top-level forms (pairs, interned symbols, strings, numbers,
// vectors), all files in one list.
// traverse() (timed separately by the driver: traverse_ns_per_node): one
// read-only walk over everything (counts of pairs, symbols, strings, numbers,
// nesting depth, `define`s and `lambda`s), checked against the walk the
// verification made; its nodes are the pairs and boxed objects it reads.
// release (timed separately): the arena drops everything at once
// (arena_reset: its blocks stay for the next fill; the final arena_destroy is
// the driver's destroy_ns), malloc-family allocators free the tree node by
// node and then every symbol, Boehm drops the root (its collector reclaims
// the tree when it next runs).
//
// The verification (digest) walks the trees too, untimed, and folds the
// walk's counts into the checksum, so the checksum does not depend on
// whether or when traverse() runs.
#ifndef WORKLOADS_REALISTIC_SCHEME_READER_H
#define WORKLOADS_REALISTIC_SCHEME_READER_H

#include <algorithm>

#include "corpus.h"
#include "reader.h"
#include "realistic.h"

namespace bench::realistic {

struct TreeStats {
    std::uint64_t files = 0, forms = 0, pairs = 0, symbols = 0, strings = 0, string_bytes = 0, fixnums = 0;
    std::uint64_t fixnum_sum = 0, others = 0, vectors = 0, chars = 0, max_depth = 0, defines = 0, lambdas = 0;
    // Pairs and boxed objects read (immediates live in the words themselves).
    std::uint64_t nodes() const { return pairs + symbols + strings + vectors + others; }
    bool operator==(const TreeStats&) const = default;
    void fold_into(std::uint64_t* h) const {
        for (std::uint64_t v : {files, forms, pairs, symbols, strings, string_bytes, fixnums, fixnum_sum, others, vectors,
                                chars, max_depth, defines, lambdas}) {
            *h = hash_combine(*h, v);
        }
    }
};

// The walk: iterative along lists, recursive into cars.
inline void walk_tree(Value v, std::uint64_t depth, Value define_sym, Value lambda_sym, TreeStats& s) {
    s.max_depth = std::max(s.max_depth, depth);
    while (true) {
        if (is_pair(v)) {
            ++s.pairs;
            Value head = car(v);
            if (head == define_sym) ++s.defines;
            if (head == lambda_sym) ++s.lambdas;
            walk_tree(head, depth + 1, define_sym, lambda_sym, s);
            v = cdr(v);
            continue;
        }
        if (is_fixnum(v)) {
            ++s.fixnums;
            s.fixnum_sum += static_cast<std::uint64_t>(fixnum_value(v));
        } else if (is_char(v)) {
            ++s.chars;
        } else if (is_obj(v)) {
            const Obj* o = as_obj(v);
            switch (o->type) {
                case Type::kSymbol:
                case Type::kKeyword: ++s.symbols; break;
                case Type::kString:
                    ++s.strings;
                    s.string_bytes += o->len;
                    break;
                case Type::kVector:
                case Type::kUniform: {
                    ++s.vectors;
                    const Vector* vec = static_cast<const Vector*>(o);
                    for (std::uint32_t i = 0; i < vec->len; ++i) walk_tree(vec->items()[i], depth + 1, define_sym, lambda_sym, s);
                    break;
                }
                default: ++s.others; break;
            }
        }
        return;
    }
}

class SchemeReader : public Realistic<SchemeReader> {
public:
    static constexpr std::string_view kName = "scheme_reader";

    explicit SchemeReader(const Corpus& corpus) : corpus_(corpus) {
        init_reference("inputs: " + corpus.describe());
    }

    std::string reference_key() const { return std::to_string(corpus_.digest); }

    template <Adapter A, class P>
    std::size_t fill_impl(A& a, P& probe) {
        Heap<A, P> h(a, probe);
        SymbolTable* table = make_symbol_table(h);
        roots_[0] = table;
        define_sym_ = intern(h, table, "define");
        lambda_sym_ = intern(h, table, "lambda");
        Value all = kNil;
        ListBuilder files(&all, &roots_[1]);
        for (const InputFile& f : corpus_.files) {
            Reader<Heap<A, P>, Heap<A, P>> reader(&h, h, table, f.text, f.path);
            // (forms ...) of this file, linked first: always reachable.
            ListBuilder forms(&files.append(h, kNil)->car);
            Value form;
            while (reader.next(&form)) forms.append(h, form);
        }
        out_ = {all, table};
        return h.live_bytes();
    }

    // Untimed: the content hash and the walk's counts (kept as what
    // traverse() must find).
    Digest digest() {
        Digest d;
        d.hash = out_.hash(&d.misaligned);
        stats_ = walk();
        walked_ = true;
        stats_.fold_into(&d.hash);
        return d;
    }

    // The read-only walk of everything the last fill read; returns the nodes
    // visited. Counts that differ from the verification's walk are a failure.
    std::uint64_t traverse() {
        if (out_.table == nullptr) return 0;
        TreeStats s = walk();
        if (!walked_) {  // not verified yet: this walk is the reference
            stats_ = s;
            walked_ = true;
        } else if (!(s == stats_)) {
            report_failure(std::string(kName) + ": the walk found " + std::to_string(s.nodes()) + " nodes, " +
                           std::to_string(stats_.nodes()) + " expected");
        }
        return s.nodes();
    }

    template <Adapter A, class P>
    std::size_t release_impl(A& a, P& probe, std::size_t live) {
        std::size_t leaked = release_all(a, probe, live, [&](auto& h) { out_.free(h); });
        out_ = {};
        return leaked;
    }

    void memory_counters(Extras& extras) const {
        extras.emplace_back("input_bytes", static_cast<double>(corpus_.bytes));
        extras.emplace_back("input_files", static_cast<double>(corpus_.files.size()));
        extras.emplace_back("pairs", static_cast<double>(stats_.pairs));
    }

    const TreeStats& stats() const { return stats_; }

private:
    TreeStats walk() const {
        TreeStats s;
        s.files = corpus_.files.size();
        for (Value f = out_.list; f != kNil; f = cdr(f)) s.forms += static_cast<std::uint64_t>(std::max(0L, list_length(car(f))));
        walk_tree(out_.list, 0, define_sym_, lambda_sym_, s);
        return s;
    }

    const Corpus& corpus_;
    SchemeOutput out_;  // every file's forms
    Value define_sym_ = kNil, lambda_sym_ = kNil;
    TreeStats stats_;  // the walk of the last verification
    bool walked_ = false;
};

}  // namespace bench::realistic

#endif  // WORKLOADS_REALISTIC_SCHEME_READER_H
