"""Upstream: (Python package import)
Downstream: (none)
Role: orders: the immutable Order command, execution reports from a venue, and the order state machine."""
