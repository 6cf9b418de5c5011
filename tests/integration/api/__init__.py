"""Upstream: (entry point: pytest)
Downstream: (none)
Role: the REST API, admin and user command against real PostgreSQL, Kafka and Redis."""
