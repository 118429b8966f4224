// compiler_nested.h - the seed's nested-arena use, measured: a small compiler
// pipeline (compiler.h) over the same real Scheme sources as scheme_reader.
//
// fill (timed): a fresh symbol table in the parent; for every top-level form
// of every file a temporary region is opened (competitors/region.h: a child
// arena, a second mi_heap, a nested monotonic_buffer_resource), the form is
// read into it, expanded, analysed (free variables) and closure-converted
// there, the IR is copied into the parent, and the region is closed (the
// child arena destroyed). Allocators without regions do the same work with
// their own lifetimes: malloc-family frees every temporary of the form one by
// one before the next form; Boehm drops them; ideal_bump abandons them in its
// buffer.
// release (timed separately): the parent (results and symbols) goes as in
// scheme_reader.
#ifndef WORKLOADS_REALISTIC_COMPILER_NESTED_H
#define WORKLOADS_REALISTIC_COMPILER_NESTED_H

#include "compiler.h"
#include "corpus.h"
#include "reader.h"
#include "realistic.h"

namespace bench::realistic {

class CompilerNested : public Realistic<CompilerNested> {
public:
    static constexpr std::string_view kName = "compiler_nested";
    // First block of each child arena (and nested pmr resource): most forms'
    // temporaries fit; the big ones grow it.
    static constexpr std::size_t kRegionCapacity = 16 << 10;

    explicit CompilerNested(const Corpus& corpus) : corpus_(corpus) { init_reference("inputs: " + corpus.describe()); }

    std::string reference_key() const { return std::to_string(corpus_.digest); }

    template <Adapter A, class P>
    std::size_t fill_impl(A& a, P& probe) {
        using PH = Heap<A, P>;
        using TH = Heap<RegionOf<A>, P>;
        PH parent(a, probe);
        SymbolTable* table = make_symbol_table(parent);
        roots_[0] = table;
        Compiler<TH, PH> compiler(parent, table);
        Value results = kNil;
        ListBuilder ir_list(&results, &roots_[1]);
        regions_ = 0;
        leaked_temporaries_ = 0;
        for (const InputFile& f : corpus_.files) {
            // The reader's node heap is switched to each form's region.
            Reader<TH, PH> reader(nullptr, parent, table, f.text, f.path);
            while (true) {
                auto region = open_region(a, kRegionCapacity);
                TH temp(region, probe);
                reader.use_nodes(&temp);
                Value form;
                if (!reader.next(&form)) break;
                ++regions_;
                typename Compiler<TH, PH>::Unit unit;
                ir_list.append(parent, compiler.compile(temp, form, &unit));
                // The form's temporaries die: one by one, or with the region.
                if constexpr (TH::kFreeAtEnd) {
                    compiler.free_unit(temp, unit);
                    leaked_temporaries_ += temp.live_bytes();
                }
                temp.all_dead();
            }
        }
        out_ = {results, table};
        stats_ = compiler.stats;
        return parent.live_bytes();
    }

    Digest digest() const {
        Digest d;
        d.hash = hash_combine(out_.hash(&d.misaligned), regions_);
        stats_.fold_into(&d.hash);
        return d;
    }

    template <Adapter A, class P>
    std::size_t release_impl(A& a, P& probe, std::size_t live) {
        return release_all(a, probe, live, [&](auto& h) { out_.free(h); }) + leaked_temporaries_;
    }

    void memory_counters(Extras& extras) const {
        extras.emplace_back("input_bytes", static_cast<double>(corpus_.bytes));
        extras.emplace_back("regions", static_cast<double>(regions_));
        extras.emplace_back("lambdas", static_cast<double>(stats_.lambdas));
    }

    const CompileStats& stats() const { return stats_; }
    std::uint64_t regions() const { return regions_; }

private:
    const Corpus& corpus_;
    SchemeOutput out_;  // the IR of every form
    CompileStats stats_;
    std::uint64_t regions_ = 0;
    std::size_t leaked_temporaries_ = 0;
};

}  // namespace bench::realistic

#endif  // WORKLOADS_REALISTIC_COMPILER_NESTED_H
