"""Human-readable numbers: times, bytes, ratios, fractions."""
import math

NOT_MEASURED = "not measured"


def ns(v):
    if v is None:
        return NOT_MEASURED
    a = abs(v)
    if a == 0:
        return "0 ns"
    if a < 1e3:
        return f"{v:.3g} ns"
    if a < 1e6:
        return f"{v / 1e3:.3g} µs"
    if a < 1e9:
        return f"{v / 1e6:.3g} ms"
    return f"{v / 1e9:.3g} s"


def nbytes(v):
    if v is None:
        return NOT_MEASURED
    a = abs(v)
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if a >= scale:
            return f"{v / scale:.3g} {unit}"
    return f"{v:.0f} B"


def ratio(v):
    return NOT_MEASURED if v is None else f"{v:.3g}×"


def pct(v):
    return NOT_MEASURED if v is None else f"{100 * v:.3g} %"


def count(v):
    if v is None:
        return NOT_MEASURED
    return f"{v:.0f}" if abs(v - round(v)) < 1e-9 and abs(v) < 1e15 else f"{v:.4g}"


def metric(name, v):
    """Format a value by its counter's name (the suffix: _ns, _bytes, ...)."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return NOT_MEASURED
    if name.endswith("_ns") or name == "ns_per_alloc":
        return ns(v)
    if name.endswith("_bytes") or name == "initial_capacity":
        return nbytes(v)
    if name == "overhead_ratio":
        return ratio(v)
    if name == "fragmentation":
        return pct(v)
    if name in ("gc_count", "page_faults", "blocks", "allocs", "sys_allocs_per_cycle", "checksum"):
        return count(v)
    return f"{v:.4g}"


def change(r):
    """A ratio new/old as a signed percentage: 0.5 -> '-50 %'."""
    if r is None:
        return NOT_MEASURED
    return f"{(r - 1) * 100:+.1f} %"
