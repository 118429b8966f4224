// trace_reader.cpp - parser and replay-program builder for FORMAT.md traces.
#include "trace_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <sstream>

namespace trace {

namespace {

std::uint64_t load_le(const char* p, int n) {
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

const char* op_name(std::uint8_t op) {
    switch (op) {
        case ARENA_TRACE_OP_MALLOC: return "MALLOC";
        case ARENA_TRACE_OP_CALLOC: return "CALLOC";
        case ARENA_TRACE_OP_REALLOC: return "REALLOC";
        case ARENA_TRACE_OP_ALIGNED: return "ALIGNED";
        case ARENA_TRACE_OP_FREE: return "FREE";
        case ARENA_TRACE_OP_PHASE: return "PHASE";
        case ARENA_TRACE_OP_THREAD: return "THREAD";
        case ARENA_TRACE_OP_END: return "END";
        default: return "?";
    }
}

}  // namespace

// ---- TraceParser ----------------------------------------------------------------------

TraceParser::TraceParser(std::string_view bytes, std::string name) : bytes_(bytes), name_(std::move(name)) {
    if (bytes_.size() < ARENA_TRACE_HEADER_FIXED) {
        fail(0, "too short to be an allocation trace (" + std::to_string(bytes_.size()) + " bytes, the header alone is " +
                    std::to_string(ARENA_TRACE_HEADER_FIXED) + ")");
    }
    if (std::memcmp(bytes_.data(), ARENA_TRACE_MAGIC, ARENA_TRACE_MAGIC_SIZE) != 0) {
        fail(0, "not an allocation trace (the file does not start with \"" ARENA_TRACE_MAGIC "\")");
    }
    header_.version = static_cast<std::uint32_t>(load_le(bytes_.data() + 8, 2));
    if (header_.version != ARENA_TRACE_VERSION) {
        fail(8, "unsupported trace format version " + std::to_string(header_.version) + " (this reader reads version " +
                    std::to_string(ARENA_TRACE_VERSION) + ")");
    }
    std::uint64_t cmd_size = load_le(bytes_.data() + 12, 4);
    header_.pid = load_le(bytes_.data() + 16, 8);
    header_.start_unix_ns = load_le(bytes_.data() + 24, 8);
    if (cmd_size > ARENA_TRACE_MAX_CMDLINE) fail(12, "command line of " + std::to_string(cmd_size) + " bytes (at most 4096)");
    if (ARENA_TRACE_HEADER_FIXED + cmd_size > bytes_.size()) fail(12, "truncated header (command line cut short)");
    std::string cmd(bytes_.data() + ARENA_TRACE_HEADER_FIXED, cmd_size);
    while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    header_.command = cmd;
    pos_ = ARENA_TRACE_HEADER_FIXED + cmd_size;
}

void TraceParser::fail(std::uint64_t offset, const std::string& what) const {
    throw TraceError(name_ + ": byte " + std::to_string(offset) + ": " + what);
}

std::uint64_t TraceParser::uleb(const char* field) {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos_ >= bytes_.size()) {
            fail(record_start_, std::string("truncated ") + op_name(static_cast<std::uint8_t>(bytes_[record_start_])) +
                                    " record (" + field + " cut short)");
        }
        auto b = static_cast<unsigned char>(bytes_[pos_++]);
        if (shift == 63 && (b & 0x7e) != 0) fail(record_start_, std::string(field) + " does not fit in 64 bits");
        v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) return v;
    }
    fail(record_start_, std::string(field) + " is longer than 10 bytes");
}

std::uint64_t TraceParser::address(const char* field) {
    std::uint64_t z = uleb(field);
    std::uint64_t delta = (z >> 1) ^ (~(z & 1) + 1);  // zigzag decode
    prev_addr_ += delta;
    return prev_addr_;
}

bool TraceParser::next(Record* r) {
    if (ended_) return false;
    if (pos_ >= bytes_.size()) {
        fail(pos_, "truncated: no END record (the traced program did not exit normally, or the file was cut short)");
    }
    record_start_ = pos_;
    *r = Record{};
    r->offset = pos_;
    r->op = static_cast<std::uint8_t>(bytes_[pos_++]);
    switch (r->op) {
        case ARENA_TRACE_OP_MALLOC:
        case ARENA_TRACE_OP_CALLOC:
            r->size = uleb("size");
            r->addr = address("address");
            break;
        case ARENA_TRACE_OP_REALLOC:
            r->old_addr = address("old address");
            r->size = uleb("size");
            r->addr = address("new address");
            if (r->old_addr == 0) fail(r->offset, "REALLOC of a null pointer (the tracer records those as MALLOC)");
            break;
        case ARENA_TRACE_OP_ALIGNED:
            if (pos_ >= bytes_.size()) fail(r->offset, "truncated ALIGNED record (alignment cut short)");
            r->align_log2 = static_cast<unsigned char>(bytes_[pos_++]);
            if (r->align_log2 > 30) fail(r->offset, "alignment 2^" + std::to_string(r->align_log2) + " (at most 2^30)");
            r->size = uleb("size");
            r->addr = address("address");
            break;
        case ARENA_TRACE_OP_FREE:
            r->addr = address("address");
            break;
        case ARENA_TRACE_OP_PHASE: {
            std::uint64_t n = uleb("name length");
            if (n > ARENA_TRACE_MAX_PHASE_NAME) fail(r->offset, "phase name of " + std::to_string(n) + " bytes (at most 255)");
            if (pos_ + n > bytes_.size()) fail(r->offset, "truncated PHASE record (name cut short)");
            r->phase_name = bytes_.substr(pos_, n);
            pos_ += n;
            r->time_ns = uleb("time");
            break;
        }
        case ARENA_TRACE_OP_THREAD:
            r->thread = uleb("thread number");
            break;
        case ARENA_TRACE_OP_END:
            r->end_records = uleb("record count");
            r->end_unrecorded = uleb("unrecorded count");
            if (r->end_records != records_) {
                fail(r->offset, "END counts " + std::to_string(r->end_records) + " records but the file holds " +
                                    std::to_string(records_) + " (records were lost)");
            }
            if (pos_ != bytes_.size()) {
                fail(pos_, std::to_string(bytes_.size() - pos_) + " bytes after the END record");
            }
            ended_ = true;
            return true;
        default: {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02x", r->op);
            fail(r->offset, std::string("unknown record type ") + hex);
        }
    }
    if ((r->op == ARENA_TRACE_OP_MALLOC || r->op == ARENA_TRACE_OP_CALLOC || r->op == ARENA_TRACE_OP_ALIGNED ||
         r->op == ARENA_TRACE_OP_REALLOC || r->op == ARENA_TRACE_OP_FREE) &&
        r->addr == 0) {
        fail(r->offset, std::string(op_name(r->op)) + " record with a null address");
    }
    ++records_;
    return true;
}

MappedBuffer<char> read_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw TraceError(path + ": cannot open: " + std::strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw TraceError(path + ": not a regular file");
    }
    MappedBuffer<char> buf;
    buf.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < buf.size()) {
        ssize_t n = ::read(fd, buf.data() + done, buf.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = errno;
            ::close(fd);
            throw TraceError(path + ": read error: " + (n == 0 ? "file shrank while reading" : std::strerror(err)));
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return buf;
}

// ---- replay program ----------------------------------------------------------------------

namespace {

// Live objects by address: open addressing, linear probing, backward-shift
// deletion, in mapped pages.
struct Entry {
    std::uint64_t addr;  // 0: empty
    std::uint32_t slot;
    std::uint32_t alloc_op;
    std::uint32_t phase;
    std::uint32_t size;
};

class AddressMap {
public:
    AddressMap() { rehash(1u << 16); }
    Entry* find(std::uint64_t addr) {
        for (std::size_t i = index(addr);; i = (i + 1) & mask_) {
            if (table_[i].addr == addr) return &table_[i];
            if (table_[i].addr == 0) return nullptr;
        }
    }
    void insert(const Entry& e) {
        if ((count_ + 1) * 2 > table_.size()) rehash(table_.size() * 2);
        std::size_t i = index(e.addr);
        while (table_[i].addr != 0) i = (i + 1) & mask_;
        table_[i] = e;
        ++count_;
    }
    void erase(Entry* e) {
        std::size_t i = static_cast<std::size_t>(e - table_.data());
        std::size_t j = i;
        for (;;) {
            j = (j + 1) & mask_;
            if (table_[j].addr == 0) break;
            std::size_t home = index(table_[j].addr);
            // Move j back to the hole at i unless its home lies cyclically in (i, j].
            bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!stays) {
                table_[i] = table_[j];
                i = j;
            }
        }
        table_[i].addr = 0;
        --count_;
    }
    template <class F>
    void for_each(F f) const {
        for (std::size_t i = 0; i < table_.size(); ++i)
            if (table_[i].addr != 0) f(table_[i]);
    }

private:
    std::size_t index(std::uint64_t addr) const {
        std::uint64_t x = addr * 0x9e3779b97f4a7c15ull;
        return static_cast<std::size_t>(x >> 20) & mask_;
    }
    void rehash(std::size_t n) {
        MappedBuffer<Entry> old = std::move(table_);
        table_ = MappedBuffer<Entry>();
        table_.resize(n);
        mask_ = n - 1;
        count_ = 0;
        for (std::size_t i = 0; i < old.size(); ++i)
            if (old[i].addr != 0) insert(old[i]);
    }

    MappedBuffer<Entry> table_;
    std::size_t mask_ = 0, count_ = 0;
};

// The alignment a result must have, as objects.h's required_alignment: an
// explicit alignment above 16 in full; otherwise malloc's guarantee, which
// for a small object is only as far as its size needs.
unsigned required_log2(std::uint64_t size, unsigned align_log2) {
    if (align_log2 > 4) return align_log2;
    unsigned a = 0;
    while (a < 4 && (std::uint64_t{2} << a) <= size) ++a;
    return a;
}

std::uint64_t bump_bytes(std::uint64_t size, unsigned align_log2) {
    std::uint64_t a = align_log2 > 4 ? std::uint64_t{1} << align_log2 : 16;
    return ((size + 15) & ~std::uint64_t{15}) + (a - 16);
}

class Builder {
public:
    Builder(ReplayTrace& t, const std::string& name) : t_(t), name_(name) {}

    void allocation(const Record& r, bool zeroed, unsigned align_log2) {
        if (Entry* e = map_.find(r.addr)) {  // returned again while live: a free was missed
            ++s().implicit_frees;
            die(*e, kFree, 0);
        }
        std::uint32_t slot = take_slot();
        push_alloc(kAlloc, slot, r, zeroed, align_log2, 0);
    }

    void reallocation(const Record& r) {
        Entry* old = map_.find(r.old_addr);
        if (old == nullptr) {
            ++s().unmatched_reallocs;
            allocation(r, false, 0);
            return;
        }
        if (r.addr != r.old_addr) {
            if (Entry* e = map_.find(r.addr)) {
                ++s().implicit_frees;
                die(*e, kFree, 0);
                old = map_.find(r.old_addr);
            }
        }
        std::uint32_t slot = take_slot();
        Entry dead = *old;
        classify(dead);
        live_bytes_ -= dead.size;
        map_.erase(old);
        push_alloc(kRealloc, slot, r, false, 0, dead.slot);
        free_slots_.push_back(dead.slot);
    }

    void release(const Record& r) {
        Entry* e = map_.find(r.addr);
        if (e == nullptr) {
            ++s().unmatched_frees;
            return;
        }
        die(*e, kFree, 0);
    }

    void phase(const Record& r) {
        s().max_phase_local_bytes = std::max(s().max_phase_local_bytes, phase_local_bytes_);
        phase_local_bytes_ = 0;
        Op op{};
        op.kind = kPhase;
        op.aux = static_cast<std::uint32_t>(t_.phase_names.size());
        t_.phase_names.emplace_back(r.phase_name);
        push(op, r);
        ++phase_;
        ++s().phases;
    }

    void finish() {
        s().max_phase_local_bytes = std::max(s().max_phase_local_bytes, phase_local_bytes_);
        map_.for_each([&](const Entry& e) {
            ++s().live_at_end_objects;
            s().live_at_end_bytes += e.size;
        });
        t_.slots = next_slot_;
        s().peak_live_objects = next_slot_;
    }

private:
    TraceSummary& s() { return t_.summary; }

    std::uint32_t take_slot() {
        if (!free_slots_.empty()) {
            std::uint32_t slot = free_slots_.back();
            free_slots_.pop_back();
            return slot;
        }
        return next_slot_++;
    }

    void push(const Op& op, const Record& r) {
        if (t_.ops.size() >= 0xffffffffu) {
            throw TraceError(name_ + ": byte " + std::to_string(r.offset) + ": more than 2^32-1 operations");
        }
        t_.ops.push_back(op);
    }

    void push_alloc(OpKind kind, std::uint32_t slot, const Record& r, bool zeroed, unsigned align_log2,
                    std::uint32_t aux) {
        if (r.size > 0xffffffffu) {
            throw TraceError(name_ + ": byte " + std::to_string(r.offset) + ": an allocation of " + std::to_string(r.size) +
                             " bytes (the replay supports objects below 4 GiB)");
        }
        std::uint64_t n = r.size == 0 ? 1 : r.size;  // the replay allocates at least one byte
        Op op{};
        op.kind = kind;
        op.align_log2 = static_cast<std::uint8_t>(align_log2);
        op.flags = zeroed ? kZeroed : 0;
        op.req_log2 = static_cast<std::uint8_t>(required_log2(n, align_log2));
        op.slot = slot;
        op.size = static_cast<std::uint32_t>(n);
        op.aux = aux;
        Entry e{r.addr, slot, static_cast<std::uint32_t>(t_.ops.size()), phase_, static_cast<std::uint32_t>(n)};
        push(op, r);
        map_.insert(e);
        ++s().allocations;
        s().allocated_bytes += n;
        s().bump_bytes += bump_bytes(n, align_log2);
        live_bytes_ += n;
        s().peak_live_bytes = std::max(s().peak_live_bytes, live_bytes_);
    }

    // The object of e dies now (free, or an address reused while live).
    void die(Entry& e, OpKind kind, std::uint32_t aux) {
        Op op{};
        op.kind = kind;
        op.slot = e.slot;
        op.size = e.size;
        op.aux = aux;
        Record r;
        push(op, r);
        classify(e);
        live_bytes_ -= e.size;
        free_slots_.push_back(e.slot);
        map_.erase(&e);
    }

    void classify(const Entry& e) {
        if (e.phase != phase_) return;
        Op& alloc = t_.ops[e.alloc_op];
        alloc.flags |= kPhaseLocal;
        ++s().phase_local_allocations;
        s().phase_local_bytes += e.size;
        phase_local_bytes_ += e.size;
    }

    ReplayTrace& t_;
    const std::string& name_;
    AddressMap map_;
    MappedBuffer<std::uint32_t> free_slots_;
    std::uint32_t next_slot_ = 0;
    std::uint32_t phase_ = 0;
    std::uint64_t live_bytes_ = 0;
    std::uint64_t phase_local_bytes_ = 0;
};

}  // namespace

std::shared_ptr<ReplayTrace> parse_trace(std::string_view bytes, const std::string& name, const std::string& source) {
    auto t = std::make_shared<ReplayTrace>();
    t->name = name;
    t->path = source;
    const std::string label = source.empty() ? name : source;
    TraceParser parser(bytes, label);
    t->header = parser.header();
    Builder b(*t, label);
    Record r;
    TraceSummary& s = t->summary;
    while (parser.next(&r)) {
        switch (r.op) {
            case ARENA_TRACE_OP_MALLOC: ++s.mallocs; b.allocation(r, false, 0); break;
            case ARENA_TRACE_OP_CALLOC: ++s.callocs; b.allocation(r, true, 0); break;
            case ARENA_TRACE_OP_ALIGNED: ++s.aligned; b.allocation(r, false, r.align_log2); break;
            case ARENA_TRACE_OP_REALLOC: ++s.reallocs; b.reallocation(r); break;
            case ARENA_TRACE_OP_FREE: ++s.frees; b.release(r); break;
            case ARENA_TRACE_OP_PHASE: b.phase(r); break;
            case ARENA_TRACE_OP_THREAD: s.threads = std::max(s.threads, r.thread); break;
            case ARENA_TRACE_OP_END: s.unrecorded = r.end_unrecorded; break;
            default: break;
        }
    }
    s.records = parser.records();
    b.finish();
    return t;
}

std::shared_ptr<ReplayTrace> load_trace(const std::string& path, const std::string& name) {
    MappedBuffer<char> bytes = read_file(path);
    return parse_trace(std::string_view(bytes.data(), bytes.size()), name, path);
}

std::string trace_name_from_path(const std::string& path) {
    std::string base = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
    for (const char* suffix : {".quick.trace", ".full.trace", ".trace"}) {
        std::string_view sv(suffix);
        if (base.size() > sv.size() && base.compare(base.size() - sv.size(), sv.size(), sv) == 0) {
            return base.substr(0, base.size() - sv.size());
        }
    }
    return base;
}

namespace {

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

}  // namespace

std::string describe(const ReplayTrace& t) {
    const TraceSummary& s = t.summary;
    std::ostringstream o;
    o << "trace " << t.name << (t.path.empty() ? "" : " (" + t.path + ")") << "\n"
      << "  command:           " << t.header.command << "\n"
      << "  records:           " << s.records << " (malloc " << s.mallocs << ", calloc " << s.callocs << ", realloc "
      << s.reallocs << ", aligned " << s.aligned << ", free " << s.frees << ")\n"
      << "  threads:           " << s.threads << "\n"
      << "  phases:            " << s.phases << "\n"
      << "  objects:           " << s.allocations << " (" << s.allocated_bytes << " bytes)\n"
      << "  peak live:         " << s.peak_live_objects << " objects, " << s.peak_live_bytes << " bytes\n"
      << "  live at exit:      " << s.live_at_end_objects << " objects, " << s.live_at_end_bytes << " bytes\n"
      << "  phase-local:       " << s.phase_local_allocations << " objects, " << s.phase_local_bytes
      << " bytes (largest phase " << s.max_phase_local_bytes << " bytes)\n"
      << "  never-free bump:   " << s.bump_bytes << " bytes\n"
      << "  unmatched:         " << s.unmatched_frees << " frees, " << s.unmatched_reallocs << " reallocs, "
      << s.implicit_frees << " reused live addresses, " << s.unrecorded << " unrecorded calls\n";
    return o.str();
}

std::string describe_json(const ReplayTrace& t) {
    const TraceSummary& s = t.summary;
    std::ostringstream o;
    o << "{\"name\": " << json_string(t.name) << ", \"path\": " << json_string(t.path)
      << ", \"command\": " << json_string(t.header.command) << ", \"records\": " << s.records
      << ", \"mallocs\": " << s.mallocs << ", \"callocs\": " << s.callocs << ", \"reallocs\": " << s.reallocs
      << ", \"aligned\": " << s.aligned << ", \"frees\": " << s.frees << ", \"threads\": " << s.threads
      << ", \"phases\": " << s.phases << ", \"allocations\": " << s.allocations
      << ", \"allocated_bytes\": " << s.allocated_bytes << ", \"peak_live_bytes\": " << s.peak_live_bytes
      << ", \"peak_live_objects\": " << s.peak_live_objects << ", \"live_at_end_objects\": " << s.live_at_end_objects
      << ", \"live_at_end_bytes\": " << s.live_at_end_bytes
      << ", \"phase_local_allocations\": " << s.phase_local_allocations
      << ", \"phase_local_bytes\": " << s.phase_local_bytes << ", \"max_phase_local_bytes\": " << s.max_phase_local_bytes
      << ", \"bump_bytes\": " << s.bump_bytes << ", \"unmatched_frees\": " << s.unmatched_frees
      << ", \"unmatched_reallocs\": " << s.unmatched_reallocs << ", \"implicit_frees\": " << s.implicit_frees
      << ", \"unrecorded\": " << s.unrecorded << "}";
    return o.str();
}

}  // namespace trace
