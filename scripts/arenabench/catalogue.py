"""The allocators: fixed order, labels, colours and roles, from the one list in
competitors/catalogue.txt.

scripts/bench records the parsed list in its results (context.arena_suite.catalogue,
see results.py); the report, the gate and the tuner take it from there, and from the
file for results that predate it. Every plot and table uses the same order and colour
for an allocator, so a reader learns them once. Allocators missing from the list (new
adapters, arena variants such as arena_phase_reset) come after the known ones, in
order of first appearance, with colours of their own.

Variants (a catalogued name plus a suffix: arena_phase_reset, arena_c_nostats,
pmr_monotonic_presized, ...) are named by rule: the catalogued allocator's label, then
what each part of the suffix means (VARIANT_PARTS). A part missing from that table
leaves the raw name (a test checks every benchmark name the suite registers).
"""
import os
from dataclasses import dataclass, field

from . import ROOT

CATALOGUE_FILE = os.path.join(ROOT, "competitors", "catalogue.txt")
FIELDS = ("name", "header", "class", "label", "colour", "role", "flags")
ROLES = ("arena", "limit", "peer", "region", "manual", "gc")

# Arena variants (arena_phase_reset, arena_cxx, ...) get shades of the arena's colour.
_ARENA_VARIANT_COLOURS = ["#F4A582", "#B2182B", "#FDDBC7", "#67001F"]
_OTHER_COLOURS = ["#9467BD", "#BCBD22", "#17BECF", "#7F7F7F", "#1F77B4", "#2CA02C"]
_HATCH = "//"          # drawn hatched: a limit, not a real allocator

# What the parts of a variant's suffix mean (longest parts are tried first).
VARIANT_PARTS = {
    "phase_reset": "per-phase regions",        # trace_replay: short-lived objects in a child
                                               # region reset at each phase boundary
    "c": "C API",                              # fastpath: arena_alloc through the C API
    "cpp": "C++ API",                          # fastpath: the C++ wrapper
    "nostats": "no fast-path statistics",      # ARENA_FAST_STATS=0
    "presized": "pre-sized buffer",            # pmr monotonic over one buffer of the right size
    "in_memory": "cursor in memory",           # ideal bump whose cursor escapes to memory
}


class CatalogueError(Exception):
    """A catalogue that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Allocator:
    name: str
    label: str
    colour: str
    role: str
    flags: tuple = ()

    def as_dict(self):
        return {"name": self.name, "label": self.label, "colour": self.colour,
                "role": self.role, "flags": list(self.flags)}


@dataclass
class Catalogue:
    allocators: list                      # Allocator, in the fixed order
    source: str = ""                      # where it came from (a file, or a results file)
    _by_name: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._by_name = {a.name: a for a in self.allocators}

    # ---- identity ---------------------------------------------------------------------
    @property
    def names(self):
        return [a.name for a in self.allocators]

    def __contains__(self, name):
        return name in self._by_name

    def with_role(self, role):
        return [a.name for a in self.allocators if a.role == role]

    def _one(self, role):
        found = self.with_role(role)
        return found[0] if found else None

    # The roles the reports treat apart (the seed table's columns, the limit drawn hatched).
    arena = property(lambda self: self._one("arena"),
                     doc="The allocator this suite is about (role arena).")
    limit = property(lambda self: self._one("limit"),
                     doc="The physical limit (noise floor / lower bound), not a real allocator.")
    gc = property(lambda self: self._one("gc"), doc="The garbage collector (role gc).")
    manual = property(lambda self: self.with_role("manual"),
                      doc="The general-purpose heaps: the seed table's Manual Management column.")
    peer_arenas = property(lambda self: self.with_role("peer"),
                           doc="The other arena libraries (role peer): with ours, the arenas the "
                               "seed table's Arena Allocation column counts.")
    region_peers = property(lambda self: self.with_role("region"),
                            doc="Region-style allocators other than the arena (no claim in the "
                                "seed's table).")

    def role(self, name):
        a = self._by_name.get(name)
        return a.role if a else None

    # ---- presentation -----------------------------------------------------------------
    def order(self, names):
        """Known allocators in the fixed order, unknown ones appended in first-seen order."""
        names = list(dict.fromkeys(names))
        return [a for a in self.names if a in names] + [a for a in names if a not in self]

    def label(self, name):
        a = self._by_name.get(name)
        if a:
            return a.label
        variant = self.variant_of(name)
        if variant is None:
            return name
        base, parts = variant
        return f"{self.label(base)}, {', '.join(VARIANT_PARTS[p] for p in parts)}"

    def variant_of(self, name):
        """(catalogued base name, [suffix parts]) when name is a catalogued allocator plus
        a suffix made of VARIANT_PARTS, else None."""
        for base in sorted(self.names, key=len, reverse=True):
            if not name.startswith(base + "_"):
                continue
            rest, parts = name[len(base) + 1:], []
            while rest:
                part = next((p for p in sorted(VARIANT_PARTS, key=len, reverse=True)
                             if rest == p or rest.startswith(p + "_")), None)
                if part is None:
                    break
                parts.append(part)
                rest = rest[len(part) + 1:]
            if not rest and parts:
                return base, parts
        return None

    def hatch(self, name):
        a = self._by_name.get(name)
        return _HATCH if a and "hatch" in a.flags else ""

    def colour(self, name, seen=()):
        """Colour of an allocator; `seen` is the ordered list of all allocators in the
        report (so unknown ones get stable, distinct colours)."""
        if name in self:
            return self._by_name[name].colour
        unknown = [a for a in self.order(seen) if a not in self] or [name]
        if name not in unknown:
            unknown.append(name)
        if name.startswith("arena"):
            variants = [a for a in unknown if a.startswith("arena")]
            return _ARENA_VARIANT_COLOURS[variants.index(name) % len(_ARENA_VARIANT_COLOURS)]
        others = [a for a in unknown if not a.startswith("arena")]
        return _OTHER_COLOURS[others.index(name) % len(_OTHER_COLOURS)]

    def as_context(self):
        """What scripts/bench records in context.arena_suite.catalogue."""
        return [a.as_dict() for a in self.allocators]


def parse(text, source):
    """Parses catalogue.txt: '#' comments, one allocator a line, fields split on '|'."""
    allocators = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split("|")]
        if len(fields) != len(FIELDS):
            raise CatalogueError(f"{source}:{number}: {len(fields)} fields, expected "
                                 f"{len(FIELDS)} ({' | '.join(FIELDS)})")
        row = dict(zip(FIELDS, fields))
        if row["role"] not in ROLES:
            raise CatalogueError(f"{source}:{number}: role {row['role']!r} is not one of "
                                 f"{', '.join(ROLES)}")
        flags = tuple(f.strip() for f in row["flags"].split(",") if f.strip())
        allocators.append(Allocator(row["name"], row["label"], row["colour"], row["role"], flags))
    if not allocators:
        raise CatalogueError(f"{source}: no allocators")
    return Catalogue(allocators, source)


_from_file = {}


def load(path=CATALOGUE_FILE):
    """The catalogue in competitors/catalogue.txt (read once)."""
    if path not in _from_file:
        try:
            with open(path, encoding="utf-8") as f:
                _from_file[path] = parse(f.read(), path)
        except OSError as e:
            raise CatalogueError(f"{path}: cannot read: {e.strerror or e}") from None
    return _from_file[path]


def from_context(recorded, source):
    """The catalogue a results file recorded (context.arena_suite.catalogue): a list of
    {name, label, colour, role, flags}. Raises CatalogueError when it is malformed."""
    if not isinstance(recorded, list) or not recorded:
        raise CatalogueError("context.arena_suite.catalogue must be a non-empty list")
    allocators = []
    for i, entry in enumerate(recorded):
        where = f"context.arena_suite.catalogue[{i}]"
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where} is a {type(entry).__name__}, expected an object")
        for key in ("name", "label", "colour", "role"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise CatalogueError(f"{where} has no '{key}' string")
        flags = entry.get("flags", [])
        if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
            raise CatalogueError(f"{where}: 'flags' must be a list of strings")
        allocators.append(Allocator(entry["name"], entry["label"], entry["colour"],
                                    entry["role"], tuple(flags)))
    return Catalogue(allocators, source)


def for_runs(runs):
    """The catalogue of a set of loaded results files: the first one that recorded it,
    else competitors/catalogue.txt."""
    for run in runs:
        if getattr(run, "catalogue", None) is not None:
            return run.catalogue
    return load()
