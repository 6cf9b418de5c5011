"""Upstream: (Python package import)
Downstream: (none)
Role: risk management: the manager interface, the ordered risk chain with its state, and the built-in rules."""
