"""Upstream: (pytest)
Downstream: (none)
Role: integration tests of the storage tiers against real PostgreSQL, Redis and ClickHouse."""
