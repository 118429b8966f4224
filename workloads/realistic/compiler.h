// compiler.h - a small compiler front end over real Scheme forms, written
// against two heaps: TH holds the temporaries of one top-level form (its
// source tree, the AST, free-variable sets, the IR before it is copied out),
// PH the results and the symbol table. Passes, per form:
//   1. expand: the S-expression becomes a core AST (const, ref, set!, define,
//      if, lambda, seq, call); let, let*, letrec, named let, cond (with =>),
//      case, and, or, when, unless, do, quasiquote and curried defines are
//      rewritten into it. Forms it does not know (macros, modules) are
//      treated as calls; malformed ones too, so any real source compiles.
//   2. free variables: for each lambda, the sorted set (by symbol id) of the
//      variables it uses that an enclosing lambda binds (parameters and
//      internal defines; globals are not captured); the set unions allocate
//      as an analysis pass does.
//   3. closure conversion and lexical addressing: an IR S-expression where
//      each variable is (local i), (free j) or (global name) and each lambda
//      is (closure (captures ...) (lambda nparams rest body)).
//   4. the IR is copied into PH; everything else of the form dies.
// With a malloc-family heap the temporaries are freed object by object
// (free_form); with the others they die with the region.
#ifndef WORKLOADS_REALISTIC_COMPILER_H
#define WORKLOADS_REALISTIC_COMPILER_H

#include <algorithm>

#include "sexpr.h"

namespace bench::realistic {

enum class Op : std::uint8_t { kConst, kRef, kSet, kDefine, kIf, kLambda, kSeq, kApp };

struct Ast {
    Op op;
    bool rest = false;  // lambda: the last parameter takes the rest
    std::uint16_t pad = 0;
    std::uint32_t n = 0;  // items (seq, app) or parameters (lambda)
};
struct AstConst : Ast {
    Value datum;  // part of the source tree (not owned)
};
struct AstRef : Ast {
    Value sym;
};
struct AstSet : Ast {  // set! and define
    Value sym;
    Ast* value;
};
struct AstIf : Ast {
    Ast* test;
    Ast* then;
    Ast* other;
};
struct FreeSet {
    std::uint32_t n;
    std::uint32_t pad;
    Value* syms() { return reinterpret_cast<Value*>(this + 1); }
    const Value* syms() const { return reinterpret_cast<const Value*>(this + 1); }
};
inline std::size_t free_set_bytes(std::uint32_t n) { return sizeof(FreeSet) + n * sizeof(Value); }
struct AstLambda : Ast {
    Value* params;                // n parameters
    Ast* body;
    FreeSet* free = nullptr;      // set by the analysis (nullptr: empty)
    Value* locals = nullptr;      // parameters + internal defines (analysis)
    std::uint32_t nlocals = 0;
    std::uint32_t pad2 = 0;
};
struct AstList : Ast {  // seq, app
    Ast** items;
};

struct CompileStats {
    std::uint64_t forms = 0, lambdas = 0, free_vars = 0, max_free = 0, ast_nodes = 0, set_unions = 0;
    void fold_into(std::uint64_t* h) const {
        for (std::uint64_t v : {forms, lambdas, free_vars, max_free, ast_nodes, set_unions}) *h = hash_combine(*h, v);
    }
};

template <class TH, class PH>
class Compiler {
public:
    // The table must be fresh: the core symbols are interned first, so that a
    // symbol's id tells whether it names a core form.
    Compiler(PH& parent, SymbolTable* table) : p_(parent), t_(table) {
        for (int i = 0; i < kCoreCount; ++i) core_[i] = intern(p_, t_, kCoreNames[i]);
    }

    // Compiles form (read into th) and returns its IR, copied into the parent.
    // The form and every temporary stay in th until free_form()/region close.
    struct Unit {
        Value form;
        Ast* ast;
        Value ir;  // in th
    };
    Value compile(TH& th, Value form, Unit* unit) {
        th_ = &th;
        unit->form = form;
        unit->ast = nullptr;
        unit->ir = kNil;
        unit->ast = expand(form);
        FreeSet* top = analyze(unit->ast, nullptr);
        drop_set(top);
        unit->ir = convert(unit->ast, nullptr);
        ++stats.forms;
        return copy_tree(p_, unit->ir);
    }

    // Frees a unit's temporaries object by object (malloc-family).
    void free_unit(TH& th, Unit& u) {
        th_ = &th;
        free_ir(u.ir);
        free_ast(u.ast);
        free_tree(th, u.form);
    }

    CompileStats stats;

private:
    enum Core {
        kQuote, kQuasiquote, kUnquote, kUnquoteSplicing, kLambda, kLambdaStar, kLambdaGreek, kDefine,
        kDefineStar, kDefinePublic, kSetBang, kIf, kBegin, kLet, kLetStar, kLetrec, kLetrecStar, kCond,
        kCase, kAnd, kOr, kWhen, kUnless, kDo, kElse, kArrow, kCons, kList, kAppend, kListToVector, kMemv, kNot,
        kLocal, kFree, kGlobal, kClosure, kCall, kSeqOp, kTmp, kCoreCount
    };
    static constexpr std::string_view kCoreNames[kCoreCount] = {
        "quote", "quasiquote", "unquote", "unquote-splicing", "lambda", "lambda*", "\xce\xbb", "define",
        "define*", "define-public", "set!", "if", "begin", "let", "let*", "letrec", "letrec*", "cond",
        "case", "and", "or", "when", "unless", "do", "else", "=>", "cons", "list", "append", "list->vector", "memv", "not",
        "local", "free", "global", "closure", "call", "seq", "%tmp"};

    int core_id(Value v) const {
        if (!is_symbol(v)) return -1;
        std::uint32_t id = as_symbol(v)->id;
        return id < kCoreCount && core_[id] == v ? static_cast<int>(id) : -1;
    }

    // ---- AST construction ---------------------------------------------------------------

    template <class T>
    T* node(Op op) {
        T* a = static_cast<T*>(th_->alloc(sizeof(T)));
        a->op = op;
        a->rest = false;
        a->pad = 0;
        a->n = 0;
        ++stats.ast_nodes;
        return a;
    }
    Ast* constant(Value datum) {
        auto* a = node<AstConst>(Op::kConst);
        a->datum = datum;
        return a;
    }
    Ast* ref(Value sym) {
        auto* a = node<AstRef>(Op::kRef);
        a->sym = sym;
        return a;
    }
    Ast* set(Op op, Value sym, Ast* value) {
        auto* a = node<AstSet>(op);
        a->sym = sym;
        a->value = value;
        return a;
    }
    Ast* if_(Ast* test, Ast* then, Ast* other) {
        auto* a = node<AstIf>(Op::kIf);
        a->test = test;
        a->then = then;
        a->other = other;
        return a;
    }
    AstList* list_node(Op op, std::uint32_t n) {
        auto* a = node<AstList>(op);
        a->n = n;
        a->items = n ? th_->template alloc_array<Ast*>(n) : nullptr;
        for (std::uint32_t i = 0; i < n; ++i) a->items[i] = nullptr;
        return a;
    }
    Ast* app2(Value fn, Ast* x, Ast* y) {
        AstList* a = list_node(Op::kApp, 3);
        a->items[0] = ref(fn);
        a->items[1] = x;
        a->items[2] = y;
        return a;
    }
    Ast* app1(Value fn, Ast* x) {
        AstList* a = list_node(Op::kApp, 2);
        a->items[0] = ref(fn);
        a->items[1] = x;
        return a;
    }
    Ast* lambda(Value* params, std::uint32_t n, bool rest, Ast* body) {
        auto* a = node<AstLambda>(Op::kLambda);
        a->n = n;
        a->rest = rest;
        a->params = params;
        a->body = body;
        a->free = nullptr;
        a->locals = nullptr;
        a->nlocals = 0;
        a->pad2 = 0;
        return a;
    }
    Value* symbols(std::uint32_t n) { return n ? th_->template alloc_array<Value>(n) : nullptr; }

    // ---- expansion -------------------------------------------------------------------

    // Every item of a proper list, expanded: seq or app.
    Ast* expand_list(Op op, Value items) {
        long n = 0;
        for (Value l = items; is_pair(l); l = cdr(l)) ++n;
        AstList* a = list_node(op, static_cast<std::uint32_t>(n));
        std::uint32_t i = 0;
        for (Value l = items; is_pair(l); l = cdr(l)) a->items[i++] = expand(car(l));
        return a;
    }
    Ast* body(Value forms) {
        if (!is_pair(forms)) return constant(kUnspecified);
        if (cdr(forms) == kNil) return expand(car(forms));
        return expand_list(Op::kSeq, forms);
    }
    // A call of every item (unknown or malformed forms).
    Ast* generic(Value x) {
        if (list_length(x) <= 0) return constant(x);
        return expand_list(Op::kApp, x);
    }

    // Parameter list: symbols, (name default) for optionals, keywords and
    // #!optional markers skipped, a dotted or bare symbol for the rest.
    bool params(Value spec, Value** out, std::uint32_t* n, bool* rest) {
        std::uint32_t count = 0;
        Value l = spec;
        for (; is_pair(l); l = cdr(l)) {
            Value p = car(l);
            if (is_symbol(p) || (is_pair(p) && is_symbol(car(p)))) ++count;
        }
        *rest = is_symbol(l);
        if (!*rest && l != kNil) return false;
        if (*rest) ++count;
        Value* syms = symbols(count);
        std::uint32_t i = 0;
        for (l = spec; is_pair(l); l = cdr(l)) {
            Value p = car(l);
            if (is_symbol(p)) syms[i++] = p;
            else if (is_pair(p) && is_symbol(car(p))) syms[i++] = car(p);
        }
        if (*rest) syms[i++] = l;
        *out = syms;
        *n = count;
        return true;
    }

    Ast* expand_lambda(Value spec, Value forms) {
        Value* ps = nullptr;
        std::uint32_t n = 0;
        bool rest = false;
        if (!params(spec, &ps, &n, &rest)) return nullptr;
        return lambda(ps, n, rest, body(forms));
    }

    // ((name init) ...) for let-like forms; false if malformed.
    bool bindings(Value b, Value** names, Ast*** inits, std::uint32_t* n) {
        long count = list_length(b);
        if (count < 0) return false;
        for (Value l = b; is_pair(l); l = cdr(l)) {
            Value x = car(l);
            if (!is_symbol(x) && !(is_pair(x) && is_symbol(car(x)) && list_length(x) >= 1 && list_length(x) <= 3)) {
                return false;
            }
        }
        *n = static_cast<std::uint32_t>(count);
        *names = symbols(*n);
        *inits = *n ? th_->template alloc_array<Ast*>(*n) : nullptr;
        std::uint32_t i = 0;
        for (Value l = b; is_pair(l); l = cdr(l), ++i) {
            Value x = car(l);
            (*names)[i] = is_symbol(x) ? x : car(x);
            (*inits)[i] = nullptr;
        }
        i = 0;
        for (Value l = b; is_pair(l); l = cdr(l), ++i) {
            Value x = car(l);
            (*inits)[i] = is_pair(x) && is_pair(cdr(x)) ? expand(car(cdr(x))) : constant(kUnspecified);
        }
        return true;
    }
    void free_inits(Ast** inits, std::uint32_t n) {
        if (n) th_->free(inits, n * sizeof(Ast*));
    }

    // (let ((x e) ...) body) => ((lambda (x ...) body) e ...)
    Ast* let(Value* names, Ast** inits, std::uint32_t n, Ast* b) {
        AstList* call = list_node(Op::kApp, n + 1);
        call->items[0] = lambda(names, n, false, b);
        for (std::uint32_t i = 0; i < n; ++i) call->items[i + 1] = inits[i];
        free_inits(inits, n);
        return call;
    }

    Ast* expand_let(Value x) {
        Value rest = cdr(x);
        if (!is_pair(rest)) return generic(x);
        if (is_symbol(car(rest))) {
            // Named let: ((lambda (name) (set! name (lambda (x ...) body)) (name e ...)) #f)
            Value name = car(rest);
            if (!is_pair(cdr(rest))) return generic(x);
            Value* names;
            Ast** inits;
            std::uint32_t n;
            if (!bindings(car(cdr(rest)), &names, &inits, &n)) return generic(x);
            Ast* loop = lambda(names, n, false, body(cdr(cdr(rest))));
            AstList* start = list_node(Op::kApp, n + 1);
            start->items[0] = ref(name);
            for (std::uint32_t i = 0; i < n; ++i) start->items[i + 1] = inits[i];
            free_inits(inits, n);
            AstList* seq = list_node(Op::kSeq, 2);
            seq->items[0] = set(Op::kSet, name, loop);
            seq->items[1] = start;
            Value* self = symbols(1);
            self[0] = name;
            AstList* call = list_node(Op::kApp, 2);
            call->items[0] = lambda(self, 1, false, seq);
            call->items[1] = constant(kFalse);
            return call;
        }
        Value* names;
        Ast** inits;
        std::uint32_t n;
        if (!bindings(car(rest), &names, &inits, &n)) return generic(x);
        return let(names, inits, n, body(cdr(rest)));
    }

    Ast* expand_let_star(Value x) {
        Value rest = cdr(x);
        if (!is_pair(rest) || list_length(car(rest)) < 0) return generic(x);
        Value b = car(rest);
        if (b == kNil || cdr(b) == kNil) return expand_let(x);
        // (let* (b1 b2 ...) body) => (let (b1) (let* (b2 ...) body)), built inside out.
        Value* names;
        Ast** inits;
        std::uint32_t n;
        if (!bindings(b, &names, &inits, &n)) return generic(x);
        Ast* inner = body(cdr(rest));
        for (std::uint32_t i = n; i-- > 0;) {
            Value* one = symbols(1);
            one[0] = names[i];
            Ast** init = th_->template alloc_array<Ast*>(1);
            init[0] = inits[i];
            inner = let(one, init, 1, inner);
        }
        th_->free(names, n * sizeof(Value));
        free_inits(inits, n);
        return inner;
    }

    // (letrec ((x e) ...) body) => ((lambda (x ...) (set! x e) ... body) #<unspecified> ...)
    Ast* expand_letrec(Value x) {
        Value rest = cdr(x);
        if (!is_pair(rest)) return generic(x);
        Value* names;
        Ast** inits;
        std::uint32_t n;
        if (!bindings(car(rest), &names, &inits, &n)) return generic(x);
        long forms = std::max(0L, list_length(cdr(rest)));
        AstList* seq = list_node(Op::kSeq, n + static_cast<std::uint32_t>(forms == 0 ? 1 : forms));
        for (std::uint32_t i = 0; i < n; ++i) seq->items[i] = set(Op::kSet, names[i], inits[i]);
        if (forms == 0) {
            seq->items[n] = constant(kUnspecified);
        } else {
            std::uint32_t i = n;
            for (Value l = cdr(rest); is_pair(l); l = cdr(l)) seq->items[i++] = expand(car(l));
        }
        free_inits(inits, n);
        AstList* call = list_node(Op::kApp, n + 1);
        call->items[0] = lambda(names, n, false, seq);
        for (std::uint32_t i = 0; i < n; ++i) call->items[i + 1] = constant(kUnspecified);
        return call;
    }

    Ast* expand_cond(Value clauses) {
        if (!is_pair(clauses)) return constant(kUnspecified);
        Value clause = car(clauses);
        if (!is_pair(clause)) return generic(clauses);
        Value test = car(clause), forms = cdr(clause);
        if (core_id(test) == kElse) return body(forms);
        Ast* other = expand_cond(cdr(clauses));
        if (is_pair(forms) && core_id(car(forms)) == kArrow && is_pair(cdr(forms))) {
            // (test => f): ((lambda (%tmp) (if %tmp (f %tmp) other)) test)
            Value* tmp = symbols(1);
            tmp[0] = core_[kTmp];
            AstList* call_f = list_node(Op::kApp, 2);
            call_f->items[0] = expand(car(cdr(forms)));
            call_f->items[1] = ref(core_[kTmp]);
            AstList* call = list_node(Op::kApp, 2);
            call->items[0] = lambda(tmp, 1, false, if_(ref(core_[kTmp]), call_f, other));
            call->items[1] = expand(test);
            return call;
        }
        if (forms == kNil) {
            // (test): the value of test if true.
            Value* tmp = symbols(1);
            tmp[0] = core_[kTmp];
            AstList* call = list_node(Op::kApp, 2);
            call->items[0] = lambda(tmp, 1, false, if_(ref(core_[kTmp]), ref(core_[kTmp]), other));
            call->items[1] = expand(test);
            return call;
        }
        return if_(expand(test), body(forms), other);
    }

    Ast* expand_case(Value x) {
        Value rest = cdr(x);
        if (!is_pair(rest) || list_length(rest) < 1) return generic(x);
        // ((lambda (%tmp) (if (memv %tmp '(d ...)) body ... other)) key)
        Ast* chain = nullptr;
        // Clauses are expanded last to first, so each becomes the else of the one before.
        long n = list_length(cdr(rest));
        if (n < 0) return generic(x);
        Value clauses[64];
        if (n > 64) return generic(x);
        long i = 0;
        for (Value l = cdr(rest); is_pair(l); l = cdr(l)) clauses[i++] = car(l);
        for (long k = n; k-- > 0;) {
            Value clause = clauses[k];
            if (!is_pair(clause)) continue;
            if (core_id(car(clause)) == kElse) {
                free_ast(chain);  // clauses after else are unreachable
                chain = body(cdr(clause));
            } else {
                if (chain == nullptr) chain = constant(kUnspecified);
                chain = if_(app2(core_[kMemv], ref(core_[kTmp]), constant(car(clause))), body(cdr(clause)), chain);
            }
        }
        if (chain == nullptr) chain = constant(kUnspecified);
        Value* tmp = symbols(1);
        tmp[0] = core_[kTmp];
        AstList* call = list_node(Op::kApp, 2);
        call->items[0] = lambda(tmp, 1, false, chain);
        call->items[1] = expand(car(rest));
        return call;
    }

    Ast* expand_and(Value forms) {
        if (!is_pair(forms)) return constant(kTrue);
        if (cdr(forms) == kNil) return expand(car(forms));
        return if_(expand(car(forms)), expand_and(cdr(forms)), constant(kFalse));
    }
    Ast* expand_or(Value forms) {
        if (!is_pair(forms)) return constant(kFalse);
        if (cdr(forms) == kNil) return expand(car(forms));
        Value* tmp = symbols(1);
        tmp[0] = core_[kTmp];
        AstList* call = list_node(Op::kApp, 2);
        call->items[0] = lambda(tmp, 1, false, if_(ref(core_[kTmp]), ref(core_[kTmp]), expand_or(cdr(forms))));
        call->items[1] = expand(car(forms));
        return call;
    }

    // (do ((var init step) ...) (test result ...) body ...) =>
    // named let %tmp: (if test (begin result ...) (begin body ... (%tmp step ...)))
    Ast* expand_do(Value x) {
        Value rest = cdr(x);
        if (list_length(rest) < 2 || !is_pair(car(cdr(rest)))) return generic(x);
        Value* names;
        Ast** inits;
        std::uint32_t n;
        if (!bindings(car(rest), &names, &inits, &n)) return generic(x);
        Value exit = car(cdr(rest));
        long forms = std::max(0L, list_length(cdr(cdr(rest))));
        AstList* again = list_node(Op::kApp, n + 1);
        again->items[0] = ref(core_[kTmp]);
        std::uint32_t i = 0;
        for (Value l = car(rest); is_pair(l); l = cdr(l), ++i) {
            Value b = car(l);
            again->items[i + 1] =
                is_pair(b) && list_length(b) == 3 ? expand(car(cdr(cdr(b)))) : ref(names[i]);
        }
        AstList* loop_body = list_node(Op::kSeq, static_cast<std::uint32_t>(forms) + 1);
        i = 0;
        for (Value l = cdr(cdr(rest)); is_pair(l); l = cdr(l)) loop_body->items[i++] = expand(car(l));
        loop_body->items[i] = again;
        Ast* loop = lambda(names, n, false, if_(expand(car(exit)), body(cdr(exit)), loop_body));
        AstList* start = list_node(Op::kApp, n + 1);
        start->items[0] = ref(core_[kTmp]);
        for (std::uint32_t k = 0; k < n; ++k) start->items[k + 1] = inits[k];
        free_inits(inits, n);
        AstList* seq = list_node(Op::kSeq, 2);
        seq->items[0] = set(Op::kSet, core_[kTmp], loop);
        seq->items[1] = start;
        Value* self = symbols(1);
        self[0] = core_[kTmp];
        AstList* call = list_node(Op::kApp, 2);
        call->items[0] = lambda(self, 1, false, seq);
        call->items[1] = constant(kFalse);
        return call;
    }

    // Quasiquote at nesting depth d (1 = outermost).
    Ast* expand_qq(Value x, int d) {
        if (is_obj(x) && (obj_type(x) == Type::kVector)) {
            const Vector* v = static_cast<const Vector*>(as_obj(x));
            bool has_unquote = false;
            for (std::uint32_t i = 0; i < v->len; ++i) has_unquote |= is_pair(v->items()[i]);
            if (!has_unquote) return constant(x);
            AstList* list = list_node(Op::kApp, v->len + 1);
            list->items[0] = ref(core_[kList]);
            for (std::uint32_t i = 0; i < v->len; ++i) list->items[i + 1] = expand_qq(v->items()[i], d);
            return app1(core_[kListToVector], list);
        }
        if (!is_pair(x)) return constant(x);
        int head = core_id(car(x));
        if (head == kUnquote && list_length(x) == 2) {
            if (d == 1) return expand(car(cdr(x)));
            return app2(core_[kCons], constant(car(x)), expand_qq(cdr(x), d - 1));
        }
        if (head == kQuasiquote && list_length(x) == 2) {
            return app2(core_[kCons], constant(car(x)), expand_qq(cdr(x), d + 1));
        }
        Value first = car(x);
        if (d == 1 && is_pair(first) && core_id(car(first)) == kUnquoteSplicing && list_length(first) == 2) {
            return app2(core_[kAppend], expand(car(cdr(first))), expand_qq(cdr(x), d));
        }
        return app2(core_[kCons], expand_qq(first, d), expand_qq(cdr(x), d));
    }

    Ast* expand_define(Value x) {
        Value rest = cdr(x);
        if (!is_pair(rest)) return generic(x);
        Value target = car(rest);
        if (is_symbol(target)) {
            Ast* value = is_pair(cdr(rest)) ? expand(car(cdr(rest))) : constant(kUnspecified);
            return set(Op::kDefine, target, value);
        }
        // (define (name . params) body ...), curried: (define ((name a) b) ...)
        if (!is_pair(target)) return generic(x);
        Ast* value = expand_lambda(cdr(target), cdr(rest));
        if (value == nullptr) return generic(x);
        target = car(target);
        while (is_pair(target)) {
            Value* ps;
            std::uint32_t n;
            bool r;
            if (!params(cdr(target), &ps, &n, &r)) {
                free_ast(value);
                return generic(x);
            }
            value = lambda(ps, n, r, value);
            target = car(target);
        }
        if (!is_symbol(target)) {
            free_ast(value);
            return generic(x);
        }
        return set(Op::kDefine, target, value);
    }

    Ast* expand(Value x) {
        if (is_symbol(x)) return ref(x);
        if (!is_pair(x)) return constant(x);
        long len = list_length(x);
        switch (core_id(car(x))) {
            case kQuote: return len == 2 ? constant(car(cdr(x))) : generic(x);
            case kQuasiquote: return len == 2 ? expand_qq(car(cdr(x)), 1) : generic(x);
            case kIf:
                if (len == 3) return if_(expand(car(cdr(x))), expand(car(cdr(cdr(x)))), constant(kUnspecified));
                if (len == 4) {
                    return if_(expand(car(cdr(x))), expand(car(cdr(cdr(x)))), expand(car(cdr(cdr(cdr(x))))));
                }
                return generic(x);
            case kDefine:
            case kDefineStar:
            case kDefinePublic: return expand_define(x);
            case kSetBang:
                if (len == 3 && is_symbol(car(cdr(x)))) return set(Op::kSet, car(cdr(x)), expand(car(cdr(cdr(x)))));
                return generic(x);
            case kLambda:
            case kLambdaStar:
            case kLambdaGreek: {
                if (len < 2) return generic(x);
                Ast* l = expand_lambda(car(cdr(x)), cdr(cdr(x)));
                return l != nullptr ? l : generic(x);
            }
            case kBegin: return len >= 1 ? body(cdr(x)) : generic(x);
            case kLet: return expand_let(x);
            case kLetStar: return expand_let_star(x);
            case kLetrec:
            case kLetrecStar: return expand_letrec(x);
            case kCond: return len >= 1 ? expand_cond(cdr(x)) : generic(x);
            case kCase: return expand_case(x);
            case kAnd: return len >= 1 ? expand_and(cdr(x)) : generic(x);
            case kOr: return len >= 1 ? expand_or(cdr(x)) : generic(x);
            case kWhen:
            case kUnless: {
                if (len < 2) return generic(x);
                Ast* test = expand(car(cdr(x)));
                if (core_id(car(x)) == kUnless) test = app1(core_[kNot], test);
                return if_(test, body(cdr(cdr(x))), constant(kUnspecified));
            }
            case kDo: return expand_do(x);
            default: return generic(x);
        }
    }

    // ---- free-variable analysis -----------------------------------------------------------

    FreeSet* make_set(std::uint32_t n) {
        FreeSet* s = static_cast<FreeSet*>(th_->alloc(free_set_bytes(n)));
        s->n = n;
        s->pad = 0;
        return s;
    }
    void drop_set(FreeSet* s) {
        if (s != nullptr) th_->free(s, free_set_bytes(s->n));
    }
    static std::uint32_t id_of(Value sym) { return as_symbol(sym)->id; }

    // Union of two sorted sets; both arguments die (null = empty).
    FreeSet* unite(FreeSet* a, FreeSet* b) {
        if (a == nullptr) return b;
        if (b == nullptr) return a;
        ++stats.set_unions;
        FreeSet* u = make_set(a->n + b->n);
        std::uint32_t i = 0, j = 0, k = 0;
        while (i < a->n || j < b->n) {
            if (j == b->n || (i < a->n && id_of(a->syms()[i]) < id_of(b->syms()[j]))) {
                u->syms()[k++] = a->syms()[i++];
            } else if (i == a->n || id_of(b->syms()[j]) < id_of(a->syms()[i])) {
                u->syms()[k++] = b->syms()[j++];
            } else {
                u->syms()[k++] = a->syms()[i++];
                ++j;
            }
        }
        std::uint32_t allocated = u->n;
        u->n = k;
        drop_set(a);
        drop_set(b);
        if (k == allocated) return u;
        // Shrink to fit (what a careful analysis keeps per lambda).
        FreeSet* fit = make_set(k);
        std::copy(u->syms(), u->syms() + k, fit->syms());
        th_->free(u, free_set_bytes(allocated));
        return fit;
    }
    FreeSet* single(Value sym) {
        FreeSet* s = make_set(1);
        s->syms()[0] = sym;
        return s;
    }
    static bool contains(const Value* syms, std::uint32_t n, Value sym) {
        for (std::uint32_t i = 0; i < n; ++i) {
            if (syms[i] == sym) return true;
        }
        return false;
    }

    // Enclosing lambdas, innermost first.
    struct Scope {
        const AstLambda* lambda;
        const Scope* up;
    };
    static bool bound(Value sym, const Scope* scope) {
        for (; scope != nullptr; scope = scope->up) {
            if (contains(scope->lambda->locals, scope->lambda->nlocals, sym)) return true;
        }
        return false;
    }
    // A variable reference: free in the lambdas up to the one binding it;
    // global (no set) if no enclosing lambda binds it.
    FreeSet* use(Value sym, const Scope* scope) { return bound(sym, scope) ? single(sym) : nullptr; }

    // The variables a uses that enclosing lambdas bind; sets each lambda's
    // free set and locals.
    FreeSet* analyze(Ast* a, const Scope* scope) {
        switch (a->op) {
            case Op::kConst: return nullptr;
            case Op::kRef: return use(static_cast<AstRef*>(a)->sym, scope);
            case Op::kSet:
            case Op::kDefine: {
                auto* s = static_cast<AstSet*>(a);
                return unite(use(s->sym, scope), analyze(s->value, scope));
            }
            case Op::kIf: {
                auto* i = static_cast<AstIf*>(a);
                FreeSet* s = analyze(i->test, scope);
                s = unite(s, analyze(i->then, scope));
                return unite(s, analyze(i->other, scope));
            }
            case Op::kSeq:
            case Op::kApp: {
                auto* l = static_cast<AstList*>(a);
                FreeSet* s = nullptr;
                for (std::uint32_t k = 0; k < l->n; ++k) s = unite(s, analyze(l->items[k], scope));
                return s;
            }
            case Op::kLambda: {
                auto* l = static_cast<AstLambda*>(a);
                ++stats.lambdas;
                // Locals: parameters, then the body's internal defines.
                std::uint32_t defines = 0;
                if (l->body->op == Op::kDefine) defines = 1;
                if (l->body->op == Op::kSeq) {
                    auto* seq = static_cast<AstList*>(l->body);
                    for (std::uint32_t k = 0; k < seq->n; ++k) defines += seq->items[k]->op == Op::kDefine;
                }
                l->nlocals = l->n + defines;
                l->locals = symbols(l->nlocals);
                std::copy(l->params, l->params + l->n, l->locals);
                std::uint32_t k = l->n;
                if (l->body->op == Op::kDefine) l->locals[k++] = static_cast<AstSet*>(l->body)->sym;
                if (l->body->op == Op::kSeq) {
                    auto* seq = static_cast<AstList*>(l->body);
                    for (std::uint32_t m = 0; m < seq->n; ++m) {
                        if (seq->items[m]->op == Op::kDefine) l->locals[k++] = static_cast<AstSet*>(seq->items[m])->sym;
                    }
                }
                Scope inner_scope{l, scope};
                FreeSet* inner = analyze(l->body, &inner_scope);
                std::uint32_t keep = 0;
                if (inner != nullptr) {
                    for (std::uint32_t m = 0; m < inner->n; ++m) keep += !contains(l->locals, l->nlocals, inner->syms()[m]);
                }
                FreeSet* own = nullptr;
                if (keep > 0) {
                    own = make_set(keep);
                    std::uint32_t m2 = 0;
                    for (std::uint32_t m = 0; m < inner->n; ++m) {
                        if (!contains(l->locals, l->nlocals, inner->syms()[m])) own->syms()[m2++] = inner->syms()[m];
                    }
                }
                drop_set(inner);
                l->free = own;
                stats.free_vars += keep;
                stats.max_free = std::max<std::uint64_t>(stats.max_free, keep);
                if (own == nullptr) return nullptr;
                // The caller gets its own copy (the lambda keeps one).
                FreeSet* copy = make_set(own->n);
                std::copy(own->syms(), own->syms() + own->n, copy->syms());
                return copy;
            }
        }
        return nullptr;
    }

    // ---- closure conversion into IR ---------------------------------------------------

    struct Env {
        const AstLambda* lambda;
        const Env* up;
    };

    Value list(std::initializer_list<Value> items) {
        Value head = kNil;
        Pair* tail = nullptr;
        for (Value v : items) {
            Value cell = cons(*th_, v, kNil);
            if (tail == nullptr) {
                head = cell;
            } else {
                tail->cdr = cell;
            }
            tail = as_pair(cell);
        }
        return head;
    }

    Value resolve(Value sym, const Env* env) {
        if (env != nullptr) {
            const AstLambda* l = env->lambda;
            for (std::uint32_t i = 0; i < l->nlocals; ++i) {
                if (l->locals[i] == sym) return list({core_[kLocal], make_fixnum(i)});
            }
            if (l->free != nullptr) {
                for (std::uint32_t j = 0; j < l->free->n; ++j) {
                    if (l->free->syms()[j] == sym) return list({core_[kFree], make_fixnum(j)});
                }
            }
        }
        return list({core_[kGlobal], sym});
    }

    // (op item ...) over converted items.
    Value convert_items(Value op, const AstList* l, const Env* env) {
        Value head = cons(*th_, op, kNil);
        Pair* tail = as_pair(head);
        for (std::uint32_t i = 0; i < l->n; ++i) {
            Value item = convert(l->items[i], env);
            Value cell = cons(*th_, item, kNil);
            tail->cdr = cell;
            tail = as_pair(cell);
        }
        return head;
    }

    Value convert(const Ast* a, const Env* env) {
        switch (a->op) {
            case Op::kConst: return list({core_[kQuote], static_cast<const AstConst*>(a)->datum});
            case Op::kRef: return resolve(static_cast<const AstRef*>(a)->sym, env);
            case Op::kSet: {
                auto* s = static_cast<const AstSet*>(a);
                Value target = resolve(s->sym, env);
                Value value = convert(s->value, env);
                return list({core_[kSetBang], target, value});
            }
            case Op::kDefine: {
                auto* s = static_cast<const AstSet*>(a);
                Value value = convert(s->value, env);
                if (env != nullptr) return list({core_[kSetBang], resolve(s->sym, env), value});
                return list({core_[kDefine], s->sym, value});
            }
            case Op::kIf: {
                auto* i = static_cast<const AstIf*>(a);
                Value test = convert(i->test, env);
                Value then = convert(i->then, env);
                Value other = convert(i->other, env);
                return list({core_[kIf], test, then, other});
            }
            case Op::kSeq: return convert_items(core_[kSeqOp], static_cast<const AstList*>(a), env);
            case Op::kApp: return convert_items(core_[kCall], static_cast<const AstList*>(a), env);
            case Op::kLambda: {
                auto* l = static_cast<const AstLambda*>(a);
                Value captures = kNil;
                Pair* tail = nullptr;
                if (l->free != nullptr) {
                    for (std::uint32_t j = 0; j < l->free->n; ++j) {
                        Value c = resolve(l->free->syms()[j], env);
                        Value cell = cons(*th_, c, kNil);
                        if (tail == nullptr) {
                            captures = cell;
                        } else {
                            tail->cdr = cell;
                        }
                        tail = as_pair(cell);
                    }
                }
                Env inner{l, env};
                Value b = convert(l->body, &inner);
                Value code = list({core_[kLambda], make_fixnum(l->n), l->rest ? kTrue : kFalse, b});
                return list({core_[kClosure], captures, code});
            }
        }
        return kUnspecified;
    }

    // ---- freeing one by one -------------------------------------------------------------

    void free_ir(Value v) {
        if (!is_pair(v)) return;
        if (car(v) == core_[kQuote]) {  // (quote datum): the datum belongs to the source tree
            Value rest = cdr(v);
            th_->free(as_pair(v), sizeof(Pair));
            if (is_pair(rest)) th_->free(as_pair(rest), sizeof(Pair));
            return;
        }
        while (is_pair(v)) {
            Value next = cdr(v);
            free_ir(car(v));
            th_->free(as_pair(v), sizeof(Pair));
            v = next;
        }
    }

    void free_ast(Ast* a) {
        if (a == nullptr) return;
        switch (a->op) {
            case Op::kConst: th_->free(a, sizeof(AstConst)); return;
            case Op::kRef: th_->free(a, sizeof(AstRef)); return;
            case Op::kSet:
            case Op::kDefine:
                free_ast(static_cast<AstSet*>(a)->value);
                th_->free(a, sizeof(AstSet));
                return;
            case Op::kIf: {
                auto* i = static_cast<AstIf*>(a);
                free_ast(i->test);
                free_ast(i->then);
                free_ast(i->other);
                th_->free(a, sizeof(AstIf));
                return;
            }
            case Op::kSeq:
            case Op::kApp: {
                auto* l = static_cast<AstList*>(a);
                for (std::uint32_t k = 0; k < l->n; ++k) free_ast(l->items[k]);
                if (l->n) th_->free(l->items, l->n * sizeof(Ast*));
                th_->free(a, sizeof(AstList));
                return;
            }
            case Op::kLambda: {
                auto* l = static_cast<AstLambda*>(a);
                free_ast(l->body);
                if (l->n) th_->free(l->params, l->n * sizeof(Value));
                if (l->nlocals) th_->free(l->locals, l->nlocals * sizeof(Value));
                drop_set(l->free);
                th_->free(a, sizeof(AstLambda));
                return;
            }
        }
    }

    PH& p_;
    SymbolTable* t_;
    TH* th_ = nullptr;
    Value core_[kCoreCount];
};

}  // namespace bench::realistic

#endif  // WORKLOADS_REALISTIC_COMPILER_H
