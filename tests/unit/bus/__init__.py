"""Upstream: (entry point: pytest)
Downstream: (none)
Role: unit tests of the bus: the message codec."""
