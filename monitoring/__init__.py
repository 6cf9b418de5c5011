"""Upstream: (Django app registry)
Downstream: (none)
Role: monitoring app: health, metrics, notifications, dashboard."""
