"""Upstream: (entry point: pytest)
Downstream: (none)
Role: integration tests against real PostgreSQL, Redis, Kafka (Tansu) and ClickHouse."""
