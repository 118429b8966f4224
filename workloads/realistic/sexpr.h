// sexpr.h - S-expressions as a Scheme implementation lays them out: tagged
// words, 16-byte pairs, boxed objects with a small header, and symbols
// interned in a hash table that lives in the same heap as the tree.
//
// A Value is one machine word; its low bits say what it is:
//   ...xx1  fixnum (62 bits)            ...000  Pair* (16 bytes: car, cdr)
//   ...010  Obj* + 2 (boxed object)     ..0110  constant ('(), #t, #f, ...)
//   ..1110  character (code point << 4)
// Pair and object addresses are at least 8-aligned, so the tag bits are free; a
// conservative collector sees Obj*+2 as an interior pointer (Boehm recognises
// those by default).
//
// Everything here allocates through a Heap (heap.h) and is written once for
// every allocator. Hashes and checksums depend only on content (symbol names,
// never addresses), so they are identical for every allocator.
#ifndef WORKLOADS_REALISTIC_SEXPR_H
#define WORKLOADS_REALISTIC_SEXPR_H

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "heap.h"

namespace bench::realistic {

using Value = std::uintptr_t;

// ---- immediates ---------------------------------------------------------------------

constexpr Value make_constant(unsigned k) { return (Value{k} << 4) | 0x6; }
inline constexpr Value kNil = make_constant(0);
inline constexpr Value kFalse = make_constant(1);
inline constexpr Value kTrue = make_constant(2);
inline constexpr Value kUnspecified = make_constant(3);
inline constexpr Value kEofObject = make_constant(4);
inline constexpr Value kNilLisp = make_constant(5);  // Guile's #nil

inline constexpr std::int64_t kFixnumMax = (std::int64_t{1} << 61) - 1;
inline constexpr std::int64_t kFixnumMin = -(std::int64_t{1} << 61);

constexpr bool is_fixnum(Value v) { return (v & 1) != 0; }
constexpr Value make_fixnum(std::int64_t n) { return (static_cast<Value>(n) << 1) | 1; }
constexpr std::int64_t fixnum_value(Value v) { return static_cast<std::int64_t>(v) >> 1; }
constexpr bool is_pair(Value v) { return (v & 7) == 0; }
constexpr bool is_obj(Value v) { return (v & 7) == 2; }
constexpr bool is_constant(Value v) { return (v & 0xf) == 0x6; }
constexpr bool is_char(Value v) { return (v & 0xf) == 0xe; }
constexpr Value make_char(std::uint32_t cp) { return (Value{cp} << 4) | 0xe; }
constexpr std::uint32_t char_value(Value v) { return static_cast<std::uint32_t>(v >> 4); }

// ---- heap objects -------------------------------------------------------------------

struct Pair {
    Value car;
    Value cdr;
};

enum class Type : std::uint8_t {
    kSymbol,      // interned; name after the header
    kKeyword,     // #:name, interned like a symbol
    kString,      // bytes after the header
    kFlonum,      // a double
    kNumber,      // a numeric literal kept as text (bignum, rational, #x...)
    kVector,      // #( ... ): Values after the header
    kUniform,     // #vu8( ... ), #u8( ... ), #f64( ... ): Values after the header
    kSpecial,     // #!optional, #!key, #!rest, #!eof ...: text after the header
};

struct Obj {
    Type type;
    std::uint8_t pad0 = 0;
    std::uint16_t pad1 = 0;
    std::uint32_t len;  // bytes of text, or number of Values
};

struct Symbol : Obj {
    std::uint32_t id;    // order of interning in this table: deterministic
    std::uint32_t pad2;
    std::uint64_t hash;  // of the name
    char* name() { return reinterpret_cast<char*>(this + 1); }
    const char* name() const { return reinterpret_cast<const char*>(this + 1); }
    std::string_view view() const { return {name(), len}; }
};

struct Text : Obj {  // kString, kNumber, kSpecial
    char* data() { return reinterpret_cast<char*>(this + 1); }
    const char* data() const { return reinterpret_cast<const char*>(this + 1); }
    std::string_view view() const { return {data(), len}; }
};

struct Flonum : Obj {
    double value;
};

struct Vector : Obj {  // kVector, kUniform
    Value* items() { return reinterpret_cast<Value*>(this + 1); }
    const Value* items() const { return reinterpret_cast<const Value*>(this + 1); }
};
static_assert(sizeof(Obj) == 8 && sizeof(Symbol) == 24 && sizeof(Text) == 8 && sizeof(Flonum) == 16);

inline Pair* as_pair(Value v) { return reinterpret_cast<Pair*>(v); }
inline Obj* as_obj(Value v) { return reinterpret_cast<Obj*>(v - 2); }
inline Value from_pair(Pair* p) { return reinterpret_cast<Value>(p); }
inline Value from_obj(Obj* o) { return reinterpret_cast<Value>(o) + 2; }
inline Type obj_type(Value v) { return as_obj(v)->type; }
inline bool is_symbol(Value v) { return is_obj(v) && obj_type(v) == Type::kSymbol; }
inline Symbol* as_symbol(Value v) { return static_cast<Symbol*>(as_obj(v)); }
inline Value car(Value v) { return as_pair(v)->car; }
inline Value cdr(Value v) { return as_pair(v)->cdr; }

// Bytes of each object (what was allocated for it).
inline std::size_t symbol_bytes(std::size_t len) { return sizeof(Symbol) + len + 1; }
inline std::size_t text_bytes(std::size_t len) { return sizeof(Text) + len + 1; }
inline std::size_t vector_bytes(std::size_t n) { return sizeof(Vector) + n * sizeof(Value); }
inline std::size_t obj_bytes(const Obj* o) {
    switch (o->type) {
        case Type::kSymbol:
        case Type::kKeyword: return symbol_bytes(o->len);
        case Type::kFlonum: return sizeof(Flonum);
        case Type::kVector:
        case Type::kUniform: return vector_bytes(o->len);
        default: return text_bytes(o->len);
    }
}

// ---- hashing ------------------------------------------------------------------------

inline std::uint64_t hash_bytes(const char* p, std::size_t n) {
    // Multiply-xorshift per 8 bytes: cheap for the short names a reader
    // interns, and enough spread in the low bits for a power-of-two table.
    std::uint64_t h = 0x9e3779b97f4a7c15ull * (n + 1);
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

inline std::uint64_t hash_combine(std::uint64_t h, std::uint64_t v) { return mix64(h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6))); }

// ---- constructors -------------------------------------------------------------------

template <class H>
Value cons(H& h, Value a, Value d) {
    Pair* p = static_cast<Pair*>(h.alloc(sizeof(Pair)));
    p->car = a;
    p->cdr = d;
    return from_pair(p);
}

// Builds a list front to back, one cons per element. The first cell goes to
// *head, and to *root if given as soon as it exists (a root slot: the list is
// reachable for a collector before anything else is allocated).
class ListBuilder {
public:
    explicit ListBuilder(Value* head, void** root = nullptr) : head_(head), root_(root) {}
    template <class H>
    Pair* append(H& h, Value item) {
        Value cell = cons(h, item, kNil);
        if (tail_ == nullptr) {
            *head_ = cell;
            if (root_ != nullptr) *root_ = as_pair(cell);
        } else {
            tail_->cdr = cell;
        }
        tail_ = as_pair(cell);
        return tail_;
    }

private:
    Value* head_;
    void** root_;
    Pair* tail_ = nullptr;
};

template <class H>
Value make_text(H& h, Type type, const char* data, std::size_t len) {
    Text* t = static_cast<Text*>(h.alloc_data(text_bytes(len)));
    t->type = type;
    t->pad0 = 0;
    t->pad1 = 0;
    t->len = static_cast<std::uint32_t>(len);
    std::memcpy(t->data(), data, len);
    t->data()[len] = '\0';
    return from_obj(t);
}

template <class H>
Value make_flonum(H& h, double d) {
    Flonum* f = static_cast<Flonum*>(h.alloc_data(sizeof(Flonum)));
    f->type = Type::kFlonum;
    f->pad0 = 0;
    f->pad1 = 0;
    f->len = 0;
    f->value = d;
    return from_obj(f);
}

// A vector of n items, uninitialised.
template <class H>
Vector* make_vector(H& h, Type type, std::size_t n) {
    Vector* v = static_cast<Vector*>(h.alloc(vector_bytes(n)));
    v->type = type;
    v->pad0 = 0;
    v->pad1 = 0;
    v->len = static_cast<std::uint32_t>(n);
    return v;
}

// ---- symbol table -------------------------------------------------------------------

// Open addressing over a power-of-two array of (hash, Symbol*) slots, in the
// heap it was made in (a probe compares hashes without touching the
// symbols); the array doubles at half load (the old one dies).
struct SymbolSlot {
    std::uint64_t hash;
    Symbol* sym;
};

struct SymbolTable {
    SymbolSlot* slots;
    std::uint32_t capacity;
    std::uint32_t count;
};

template <class H>
SymbolTable* make_symbol_table(H& h, std::uint32_t capacity = 1024) {
    SymbolTable* t = static_cast<SymbolTable*>(h.alloc(sizeof(SymbolTable)));
    t->slots = h.template alloc_array<SymbolSlot>(capacity);
    std::memset(static_cast<void*>(t->slots), 0, capacity * sizeof(SymbolSlot));
    t->capacity = capacity;
    t->count = 0;
    return t;
}

template <class H>
void grow_symbol_table(H& h, SymbolTable* t) {
    std::uint32_t cap = t->capacity * 2;
    SymbolSlot* slots = h.template alloc_array<SymbolSlot>(cap);
    std::memset(static_cast<void*>(slots), 0, cap * sizeof(SymbolSlot));
    for (std::uint32_t i = 0; i < t->capacity; ++i) {
        const SymbolSlot& s = t->slots[i];
        if (s.sym == nullptr) continue;
        std::uint32_t j = static_cast<std::uint32_t>(s.hash) & (cap - 1);
        while (slots[j].sym != nullptr) j = (j + 1) & (cap - 1);
        slots[j] = s;
    }
    h.free(t->slots, t->capacity * sizeof(SymbolSlot));
    t->slots = slots;
    t->capacity = cap;
}

// The symbol (or keyword) named name, created in h on first use.
template <class H>
Value intern(H& h, SymbolTable* t, const char* name, std::size_t len, Type type = Type::kSymbol) {
    std::uint64_t hash = hash_bytes(name, len) ^ (type == Type::kKeyword ? 0x6b6579776f7264ull : 0);
    std::uint32_t mask = t->capacity - 1;
    std::uint32_t i = static_cast<std::uint32_t>(hash) & mask;
    for (; t->slots[i].sym != nullptr; i = (i + 1) & mask) {
        const SymbolSlot& slot = t->slots[i];
        if (slot.hash != hash) continue;
        Symbol* s = slot.sym;
        if (s->len == len && s->type == type && std::memcmp(s->name(), name, len) == 0) return from_obj(s);
    }
    Symbol* s = static_cast<Symbol*>(h.alloc_data(symbol_bytes(len)));
    s->type = type;
    s->pad0 = 0;
    s->pad1 = 0;
    s->len = static_cast<std::uint32_t>(len);
    s->id = t->count;
    s->pad2 = 0;
    s->hash = hash;
    std::memcpy(s->name(), name, len);
    s->name()[len] = '\0';
    t->slots[i] = SymbolSlot{hash, s};
    if (++t->count * 2 > t->capacity) grow_symbol_table(h, t);
    return from_obj(s);
}

template <class H>
Value intern(H& h, SymbolTable* t, std::string_view name) {
    return intern(h, t, name.data(), name.size());
}

// Frees every symbol and the table (allocators that free one by one).
template <class H>
void free_symbol_table(H& h, SymbolTable* t) {
    for (std::uint32_t i = 0; i < t->capacity; ++i) {
        if (Symbol* s = t->slots[i].sym) h.free(s, symbol_bytes(s->len));
    }
    h.free(t->slots, t->capacity * sizeof(SymbolSlot));
    h.free(t, sizeof(SymbolTable));
}

// ---- trees ----------------------------------------------------------------------------

// Frees a tree node by node: pairs, strings, vectors, numbers; never symbols
// (they belong to the table). Iterates along cdrs, recurses into cars.
template <class H>
void free_tree(H& h, Value v) {
    while (true) {
        if (is_pair(v)) {
            Pair* p = as_pair(v);
            Value next = p->cdr;
            free_tree(h, p->car);
            h.free(p, sizeof(Pair));
            v = next;
            continue;
        }
        if (is_obj(v)) {
            Obj* o = as_obj(v);
            if (o->type == Type::kSymbol || o->type == Type::kKeyword) return;
            if (o->type == Type::kVector || o->type == Type::kUniform) {
                Vector* vec = static_cast<Vector*>(o);
                for (std::uint32_t i = 0; i < vec->len; ++i) free_tree(h, vec->items()[i]);
            }
            h.free(o, obj_bytes(o));
        }
        return;
    }
}

// Deep copy into h (symbols are shared: they live in the table's heap).
template <class H>
Value copy_tree(H& h, Value v) {
    if (is_pair(v)) {
        Value head = cons(h, copy_tree(h, car(v)), kNil);
        Pair* tail = as_pair(head);
        for (v = cdr(v); is_pair(v); v = cdr(v)) {
            Value cell = cons(h, copy_tree(h, car(v)), kNil);
            tail->cdr = cell;
            tail = as_pair(cell);
        }
        tail->cdr = copy_tree(h, v);
        return head;
    }
    if (!is_obj(v)) return v;
    Obj* o = as_obj(v);
    switch (o->type) {
        case Type::kSymbol:
        case Type::kKeyword: return v;
        case Type::kFlonum: return make_flonum(h, static_cast<Flonum*>(o)->value);
        case Type::kVector:
        case Type::kUniform: {
            const Vector* src = static_cast<const Vector*>(o);
            Vector* dst = make_vector(h, o->type, src->len);
            for (std::uint32_t i = 0; i < src->len; ++i) dst->items()[i] = kNil;
            Value result = from_obj(dst);  // reachable (on the stack) while its items are copied
            for (std::uint32_t i = 0; i < src->len; ++i) dst->items()[i] = copy_tree(h, src->items()[i]);
            return result;
        }
        default: {
            const Text* t = static_cast<const Text*>(o);
            return make_text(h, o->type, t->data(), t->len);
        }
    }
}

// An object of n bytes must be aligned as malloc aligns it: to 16, or to the
// largest power of two not above n when n < 16 (an empty vector: 8).
inline bool misaligned_object(const void* p, std::size_t n) {
    std::size_t a = n >= 16 ? 16 : n >= 8 ? 8 : 1;
    return (reinterpret_cast<std::uintptr_t>(p) & (a - 1)) != 0;
}

// Content hash of a tree (verification, outside the timed region); counts
// misaligned pairs and objects in *misaligned.
inline std::uint64_t hash_tree(Value v, std::size_t* misaligned) {
    std::uint64_t h = 0x5eed;
    while (true) {
        if (is_pair(v)) {
            if (misaligned_object(as_pair(v), sizeof(Pair))) ++*misaligned;
            h = hash_combine(h, 0x70 ^ hash_tree(car(v), misaligned));
            v = cdr(v);
            continue;
        }
        if (is_obj(v)) {
            const Obj* o = as_obj(v);
            if (misaligned_object(o, obj_bytes(o))) ++*misaligned;
            switch (o->type) {
                case Type::kSymbol:
                case Type::kKeyword: {
                    const Symbol* s = static_cast<const Symbol*>(o);
                    return hash_combine(h, hash_bytes(s->name(), s->len) + static_cast<unsigned>(o->type));
                }
                case Type::kFlonum: {
                    std::uint64_t bits;
                    std::memcpy(&bits, &static_cast<const Flonum*>(o)->value, 8);
                    return hash_combine(h, bits);
                }
                case Type::kVector:
                case Type::kUniform: {
                    const Vector* vec = static_cast<const Vector*>(o);
                    std::uint64_t x = 0x7ec ^ static_cast<unsigned>(o->type);
                    for (std::uint32_t i = 0; i < vec->len; ++i) x = hash_combine(x, hash_tree(vec->items()[i], misaligned));
                    return hash_combine(h, x);
                }
                default: {
                    const Text* t = static_cast<const Text*>(o);
                    return hash_combine(h, hash_bytes(t->data(), t->len) ^ (static_cast<std::uint64_t>(o->type) << 56));
                }
            }
        }
        return hash_combine(h, v);  // fixnums, characters, constants
    }
}

// What a Scheme workload's fill leaves live, until its release: a list (of
// forms, of IR) and the symbol table its symbols are interned in.
struct SchemeOutput {
    Value list = kNil;
    SymbolTable* table = nullptr;

    // Content only (names, numbers, text): the same for every allocator.
    std::uint64_t hash(std::size_t* misaligned) const {
        return hash_combine(hash_tree(list, misaligned), table != nullptr ? table->count : 0);
    }
    // Both freed object by object.
    template <class H>
    void free(H& h) const {
        free_tree(h, list);
        free_symbol_table(h, table);
    }
};

// Proper list length, or -1 for an improper or circular-looking list.
inline long list_length(Value v) {
    long n = 0;
    for (; is_pair(v); v = cdr(v)) ++n;
    return v == kNil ? n : -1;
}

// Writes v in Scheme syntax (tests and diagnostics).
std::string to_string(Value v);

}  // namespace bench::realistic

#endif  // WORKLOADS_REALISTIC_SEXPR_H
