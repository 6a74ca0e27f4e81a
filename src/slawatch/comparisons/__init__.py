"""Comparisons of an objective's figures: with its own history, and with industry references.

The "benchmarks" pages, API and store show them (`/benchmarks`, `store/benchmarks.py`); the
performance benchmarks of slawatch itself are another thing, in `bench/`.
"""
