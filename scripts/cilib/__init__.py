"""scripts/compare: the CI regression gate (issue 6).

Modules:
  results  -- reading a results file (Google Benchmark JSON or scripts/bench's
              results.json) into repetition times per benchmark; bad input -> InputError
  gate     -- Google Benchmark's own comparison (gbench, Mann-Whitney U) per benchmark,
              the verdicts, the table and the exit status
"""
