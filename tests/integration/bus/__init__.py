"""Upstream: (entry point: pytest)
Downstream: (none)
Role: the Kafka bus against a real broker: producer, consumer loop, dead letters."""
