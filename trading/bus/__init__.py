"""Upstream: (Python package import)
Downstream: (none)
Role: the Kafka bus: topic names and bootstrap, the message envelope and codec, producer and consumer wrappers, dead letters."""
