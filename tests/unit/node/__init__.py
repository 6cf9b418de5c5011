"""Upstream: (entry point: pytest)
Downstream: (none)
Role: unit tests of the execution node: interest map, backpressure, stale guard, router, plan, portfolio threads."""
