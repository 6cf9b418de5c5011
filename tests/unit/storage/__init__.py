"""Upstream: (pytest)
Downstream: (none)
Role: unit tests of the storage tiers' pure parts (no database, no services)."""
