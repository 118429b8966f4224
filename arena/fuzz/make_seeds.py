#!/usr/bin/python3
"""Writes the committed seed corpus (arena/fuzz/corpus/seed-*): one short,
readable operation sequence per feature, in the encoding that
arena/tests/model/encoding.h documents. Run it again after changing the
encoding. Regression inputs (corpus/regression-*) are crash artifacts kept
as found."""
import pathlib

CREATE, CHILD, DESTROY, ALLOC, ALIGNED, REALLOC, RESET, RETAIN = range(8)
MARK, REWIND, CLEANUP, INJECT, BAD, VERIFY, BURST, REPLAY = range(8, 16)
SPECIAL = {0: 0xF0, 4095: 0xF5, 4096: 0xF6, 4097: 0xF7, 65536: 0xF8, (1 << 20) + 1: 0xF9,
           'over_cap': 0xFB, 'max/4': 0xFC, 'max': 0xFF}
GROWTH = {'default': 0, 1.0: 1, 1.25: 2, 1.5: 3, 2.0: 4, 3.0: 5, 16.0: 6, 'bad_low': 7, 'bad_high': 8,
          'negative': 9, 'nan': 10}
MAXB = {0: 0, 4096: 3, 16384: 4, 1 << 20: 5, 'too_small': 6, 'max': 7}


def size(n):
    if n in SPECIAL:
        return [SPECIAL[n]]
    if n < 0x80:
        return [n]
    if n < 1 << 14:
        return [0x80 | (n >> 8), n & 0xFF]
    assert n < 0x30 << 16
    return [0xC0 | (n >> 16), n & 0xFF, (n >> 8) & 0xFF]


def align(a):
    special = {0: 0xE0, 3: 0xE1, 24: 0xE3, 48: 0xE4, 4097: 0xE7, 'max': 0xEA, 1 << 30: 0xEC, 1 << 62: 0xEE}
    if a in special:
        return [special[a]]
    return [a.bit_length() - 1]


UPSTREAM = {'malloc': 0, 'library-malloc': 1, 'pages': 2, 'no-allocate': 6, 'no-deallocate': 6 | 8}


def create(capacity=1024, growth=2.0, max_block=0, zeroed=False, upstream='malloc'):
    flags = (1 if zeroed else 0) | UPSTREAM[upstream] << 1
    return [CREATE, flags] + size(capacity) + [GROWTH[growth], MAXB[max_block]]


def child(target, variant, capacity=512, growth=2.0, max_block=0):
    return [CHILD, target, variant] + size(capacity) + [GROWTH[growth], MAXB[max_block]]


def alloc(target, n):
    return [ALLOC, target] + size(n)


def aligned(target, n, a):
    return [ALIGNED, target] + size(n) + align(a)


SEEDS = {
    'basic': create(1024) + sum((alloc(0, n) for n in (1, 16, 17, 100, 1000, 0, 64, 3000, 5000)), [])
    + [VERIFY],
    'aligned': create(256) + sum((aligned(0, n, a) for n, a in ((10, 32), (100, 4096), (1, 1 << 16), (5, 1),
                                                              (300, 256), (7, 0), (7, 3), (7, 24),
                                                              (7, 'max'), (7, 1 << 30), (7, 1 << 62),
                                                              (2000, 1 << 20))), []) + [VERIFY],
    'dedicated': create(64, 1.5, 4096) + alloc(0, 5000) + alloc(0, 30) + alloc(0, 70000) + alloc(0, 40)
    + [RESET, 0] + alloc(0, 70000) + alloc(0, 5000) + [REPLAY, 0, VERIFY],
    'children': create(4096) + child(0, 0, 256) + child(0, 1, 128, 1.5) + child(1, 2, 64, 3.0)
    + child(0, 3) + alloc(1, 100) + alloc(2, 200) + alloc(3, 5000) + [CLEANUP, 1, CLEANUP, 3]
    + [RESET, 0] + alloc(1, 50) + [DESTROY, 1, VERIFY, DESTROY, 0],
    'marks': create(512) + alloc(0, 40) + [MARK, 0] + alloc(0, 600) + alloc(0, 20000) + [MARK, 0]
    + alloc(0, 30) + [CLEANUP, 0, REWIND, 0, 0] + alloc(0, 700) + alloc(0, 700) + [REWIND, 0, 7, REWIND, 0, 1]
    + [MARK, 0, RESET, 0, REWIND, 0, 7],
    'cleanups': create(128) + [CLEANUP, 0, CLEANUP, 0, MARK, 0, CLEANUP, 0, CLEANUP, 0, REWIND, 0, 0,
                               CLEANUP, 0, RESET, 0, CLEANUP, 0, DESTROY, 0],
    'realloc': create(1024) + alloc(0, 100) + [REALLOC, 0, 0] + size(400) + [REALLOC, 0, 0] + size(50)
    + alloc(0, 10) + [REALLOC, 0, 0] + size(3000) + [REALLOC, 0, 0xFF] + size(20)
    + [REALLOC, 0, 1] + size(65536) + [VERIFY],
    'faults': [INJECT, 0] + create(1024) + create(1024) + [INJECT, 1] + alloc(0, 2000) + alloc(0, 2000)
    + [INJECT, 0x80] + alloc(0, 100) + alloc(0, 5000) + child(0, 0) + [CLEANUP, 0, INJECT, 0xC0]
    + alloc(0, 5000) + [VERIFY],
    'bad-input': create(256) + alloc(0, 10) + sum(([BAD, 0, k] for k in range(16)), [])
    + alloc(0, 'max') + alloc(0, 'max/4') + alloc(0, 'over_cap') + [VERIFY],
    'retain': create(256, 2.0) + sum((alloc(0, 200) for _ in range(12)), []) + alloc(0, 9000)
    + [RETAIN, 0] + size(1000) + [BURST, 0, 40, 60, RETAIN, 0, 0] + alloc(0, 10)
    + [RETAIN, 0] + size(65536) + [REPLAY, 0],
    'burst': create(4096) + [BURST, 0, 63, 16, BURST, 0, 63, 95, BURST, 0, 20, 0, REPLAY, 0, REPLAY, 0],
    'upstreams': create(1024, upstream='pages') + create(100, upstream='library-malloc')
    + create(upstream='no-allocate') + create(upstream='no-deallocate') + alloc(0, 5000) + alloc(1, 300)
    + [INJECT, 0xC0] + alloc(0, 9000) + alloc(1, 900) + [INJECT, 0xE0] + alloc(0, 20000) + [RETAIN, 0, 0]
    + alloc(0, 10) + [VERIFY],
    'options': create(0, 'default', 0, True) + create(100, 'bad_low') + create(100, 'nan')
    + create(8192, 2.0, 4096) + create(4096, 16.0, 'max') + create('max/4') + create('max')
    + create(16, 1.0, 16384) + sum((alloc(k % 3, 100) for k in range(9)), []) + [VERIFY],
}

if __name__ == '__main__':
    out = pathlib.Path(__file__).resolve().parent / 'corpus'
    out.mkdir(exist_ok=True)
    for name, ops in SEEDS.items():
        (out / f'seed-{name}').write_bytes(bytes(ops))
    print(f'{len(SEEDS)} seeds written to {out}')
