"""Upstream: (Python package import)
Downstream: (none)
Role: the Kafka bus: topic names, topic bootstrap, and (later) the codec and client wrappers."""
