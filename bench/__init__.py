"""Benchmarks of the live path: fan-out, bursts, memory and snapshots (see docs/performance.md)."""
