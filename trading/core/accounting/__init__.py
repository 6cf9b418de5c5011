"""Upstream: (Python package import)
Downstream: (none)
Role: positions and portfolio accounting in Decimal, built from fills, with a read-only view for components."""
