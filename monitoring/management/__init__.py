"""Upstream: (Django command discovery)
Downstream: (none)
Role: monitoring's management commands."""
