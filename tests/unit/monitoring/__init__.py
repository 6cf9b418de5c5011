"""Upstream: (pytest)
Downstream: (none)
Role: unit tests of monitoring that need no services: notice kinds on the wire, throttles, node rules, sinks, metrics server."""
