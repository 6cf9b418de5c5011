"""Upstream: (Python package import)
Downstream: (none)
Role: strategies: the Strategy base class and its context, indicators, and the built-in strategies."""
