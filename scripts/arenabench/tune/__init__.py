"""scripts/tune: the arena's initial-capacity tuner.

Modules, one concept each:
  runner    -- builds bench_arena_tune, finds the benchmark, runs one setting per process
  analysis  -- the recommendation: noise-free order (upstream allocations, committed and
               abandoned bytes, capacity), time only where another setting is
               significantly faster (U test, Holm); the comparison with the arena's
               own suggestion
  program   -- --run: a program linked with libarena under ARENA_STATS / ARENA_CAPACITY,
               its arena-stats JSON, addr2line
  run       -- --run and --sweep: the per-site report, the sweep, tune-run.json
  plot      -- the sweeps as figures (headless Agg, PNG + SVG, written atomically)
  cli       -- arguments, the suite sweep, the table, tune.json
"""
