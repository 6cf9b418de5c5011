"""Upstream: (entry point: pytest)
Downstream: (none)
Role: integration tests of the execution node on real Kafka, PostgreSQL and Redis."""
