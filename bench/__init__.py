"""Benchmarks run by `make bench`; each writes its figures into bench/results.json."""
