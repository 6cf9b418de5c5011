"""Upstream: (pytest)
Downstream: (none)
Role: unit tests of LiveCore pieces that need no service."""
