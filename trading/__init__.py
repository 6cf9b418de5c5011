"""Upstream: (Django app registry)
Downstream: (none)
Role: trading app: the pure core (trading.core), the Kafka bus, nodes, LiveCore, and the stored model."""
