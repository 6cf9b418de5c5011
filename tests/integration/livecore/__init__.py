"""Upstream: (entry point: pytest)
Downstream: (none)
Role: LiveCore against real Kafka, PostgreSQL and Redis: DataManager, LiveEngine, control."""
