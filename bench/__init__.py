"""Benchmarks: scripts that print a readable table and, last, one JSON line of figures."""
