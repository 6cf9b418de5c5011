"""Upstream: (pytest)
Downstream: (none)
Role: integration tests of monitoring against real PostgreSQL, Redis and Kafka: notifications, rules, the metrics and notices APIs."""
