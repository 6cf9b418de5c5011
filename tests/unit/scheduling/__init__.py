"""Upstream: (pytest)
Downstream: (none)
Role: unit tests of the scheduling logic that needs no services (placement, plan arithmetic, heartbeat values)."""
