"""The targets on counts and on locality (scripts/targets; reported, never asserted).

On a counts result (scripts/bench --counts; exact figures):
  small_fixed/64: the arena's instructions_per_alloc at most 6 above ideal_bump's (the bump
      without a bounds check), and the lowest of every real allocator (peer arenas
      included; ideal_bump and the arena's own variants are not real allocators);
  locality: the arena's traverse_d1_misses_per_node the lowest of every real allocator.
On a timed result:
  locality: the arena's traverse_ns_per_node at most the best general-purpose heap's
      (role manual).
Each target says pass / miss with the figures, or n/a when the results lack them.
"""
from .. import fmt
from ..names import split_name

IDEAL_MARGIN = 6.0          # instructions per allocation above ideal_bump's
SIZE = "64"


def is_counts(document):
    suite = (document.get("context") or {}).get("arena_suite") or {}
    return isinstance(suite, dict) and suite.get("mode") == "counts"


def _res(target, measured, goal, status, detail):
    return {"target": target, "measured": measured, "goal": goal, "status": status,
            "detail": detail}


def _per_allocator(rows, workload, params, counter):
    out = {}
    for name, row in rows.items():
        w, a, p = split_name(name)
        if w == workload and p == params and isinstance(row.get(counter), (int, float)):
            out[a] = float(row[counter])
    return out


def _real(values, cat):
    """Values of the real allocators: not the limit, not the arena's own variants."""
    return {a: v for a, v in values.items()
            if a != cat.limit and (a == cat.arena or not a.startswith(cat.arena + "_"))}


def _lowest(target, values, cat, show):
    """Pass when the arena's value is the lowest of the real allocators' (ties pass)."""
    real = _real(values, cat)
    ours = real.get(cat.arena)
    others = {a: v for a, v in real.items() if a != cat.arena}
    if ours is None or not others:
        return _res(target, None, "lowest", "n/a",
                    "arena not measured" if ours is None else "no other allocator measured")
    best = min(others, key=others.get)
    ranked = ", ".join(f"{a} {show(v)}" for a, v in sorted(real.items(), key=lambda kv: kv[1]))
    return _res(target, ours, f"<= {best} ({show(others[best])})",
                "pass" if ours <= others[best] else "miss", ranked)


def counts(rows, cat):
    """Targets on a counts result's rows ({run_name: row})."""
    out = []
    ipa = _per_allocator(rows, "small_fixed", SIZE, "instructions_per_alloc")
    target = f"small_fixed/{SIZE}: arena instructions per allocation above ideal_bump's"
    ours, ideal = ipa.get(cat.arena), ipa.get(cat.limit)
    if ours is None or ideal is None:
        out.append(_res(target, None, f"<= {IDEAL_MARGIN:g}", "n/a",
                        "arena not measured" if ours is None else "ideal_bump not measured"))
    else:
        out.append(_res(target, ours - ideal, f"<= {IDEAL_MARGIN:g}",
                        "pass" if ours - ideal <= IDEAL_MARGIN else "miss",
                        f"arena {fmt.plain(ours, 4)} vs ideal_bump {fmt.plain(ideal, 4)} "
                        f"instructions per allocation"))
    out.append(_lowest(f"small_fixed/{SIZE}: arena instructions per allocation lowest of the "
                       f"real allocators", ipa, cat, lambda v: fmt.plain(v, 4)))
    d1 = _per_allocator(rows, "locality", "", "traverse_d1_misses_per_node")
    out.append(_lowest("locality: arena D1 misses per node traversed lowest of the real "
                       "allocators", d1, cat, lambda v: fmt.plain(v, 4)))
    return out


def timed(rows, cat):
    """The locality time target on a timed result's rows."""
    target = "locality: arena traversal time per node at most the best general-purpose heap's"
    ns = _per_allocator(rows, "locality", "", "traverse_ns_per_node")
    ours = ns.get(cat.arena)
    heaps = {a: v for a, v in ns.items() if a in cat.manual}
    if ours is None or not heaps:
        return [_res(target, None, "<= best heap", "n/a",
                     "arena not measured" if ours is None else "no general-purpose heap measured")]
    best = min(heaps, key=heaps.get)
    detail = ", ".join(f"{a} {fmt.ns(v)}" for a, v in sorted(ns.items(), key=lambda kv: kv[1])
                       if a in heaps or a == cat.arena)
    return [_res(target, ours, f"<= {best} ({fmt.ns(heaps[best])})",
                 "pass" if ours <= heaps[best] else "miss", detail)]
