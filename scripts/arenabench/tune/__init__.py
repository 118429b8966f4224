"""scripts/tune: the arena's initial-capacity (and growth-factor) tuner.

Modules, one concept each:
  runner    -- builds bench_arena_tune, finds the benchmark, runs one setting per process
  analysis  -- the recommendation (the shared 5 % rule: the smallest capacity within 5 %
               of the best time) and the comparison with the arena's own suggestion
  plot      -- the sweep as a figure (headless Agg, PNG + SVG)
  cli       -- arguments, the sweep, the table, tune.json
"""
