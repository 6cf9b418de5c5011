"""Upstream: (Python package import)
Downstream: (none)
Role: the paper matching engine and its cost models (commission, slippage); pure and deterministic."""
