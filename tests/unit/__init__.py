"""Upstream: (pytest)
Downstream: (none)
Role: unit tests: no services, no database."""
