"""Scale and speed benchmark for the retriever: `python -m bench --help`.

A script, not a test: timings depend on the machine and on whatever else
runs on it, so nothing here asserts; targets are printed as PASS/FAIL and
written to bench/RESULTS.md.

Layout: `__main__` (options, runs the jobs, prints) → `job` (one measurement
step in a fresh subprocess, so every step gets its own peak-RSS reading) →
`synth` (synthetic corpora, queries, real-like vectors) / `util` (timers,
memory, index writer, profiles) → `report` (tables, targets, RESULTS.md).
"""
