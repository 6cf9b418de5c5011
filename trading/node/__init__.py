"""Upstream: (Python package import)
Downstream: (none)
Role: the ExecutionNode runtime: market-data router, interest map, one thread per portfolio, backpressure, heartbeat, plan sync."""
