"""Upstream: (pytest)
Downstream: (none)
Role: integration tests of the scheduler against real PostgreSQL, Redis and Kafka."""
