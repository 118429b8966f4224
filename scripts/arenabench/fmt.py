"""Human-readable numbers: times, bytes, ratios, fractions."""
import math

NOT_MEASURED = "not measured"


def plain(v, digits=3):
    """v to `digits` significant digits in plain notation, never an exponent: 999.7 -> '1000',
    2.104 -> '2.1', 0.0216 -> '0.0216', 1180.4 -> '1180'. Trailing zeros are dropped."""
    if v is None:
        return NOT_MEASURED
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(v))))
    text = f"{round(v, decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _scaled(v, units):
    """v in the largest unit of [(name, size)] (ascending) in which it reads below 1000 once
    rounded to 3 digits (999.7 ns is '1 µs', not '1000 ns'); the last unit takes the rest."""
    a = abs(v)
    for i, (unit, size) in enumerate(units):
        last = i == len(units) - 1
        if last or abs(float(plain(a / size))) < 1000:
            return f"{plain(v / size)} {unit}"


_TIME_UNITS = [("ns", 1.0), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)]
_BYTE_UNITS = [("B", 1), ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40)]


def ns(v):
    if v is None:
        return NOT_MEASURED
    if v == 0:
        return "0 ns"
    return _scaled(v, _TIME_UNITS)


def nbytes(v):
    if v is None:
        return NOT_MEASURED
    if abs(v) < 1000:
        return f"{v:.0f} B"
    return _scaled(v, _BYTE_UNITS[1:])


def ratio(v):
    return NOT_MEASURED if v is None else f"{plain(v)}×"


def pct(v):
    return NOT_MEASURED if v is None else f"{plain(100 * v)} %"


def count(v):
    if v is None:
        return NOT_MEASURED
    return f"{v:.0f}" if abs(v - round(v)) < 1e-9 else plain(v, 4)


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
    return plain(v, 4)


def change(r):
    """A ratio new/old as a signed percentage: 0.5 -> '-50 %'."""
    if r is None:
        return NOT_MEASURED
    return f"{(r - 1) * 100:+.1f} %"
