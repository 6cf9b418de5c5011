"""Upstream: (pytest)
Downstream: (none)
Role: unit tests of the pure trading core (no database, no services)."""
