"""Benchmarks run by `make bench`: figures and ratios, one `BENCH name value unit` line each."""
