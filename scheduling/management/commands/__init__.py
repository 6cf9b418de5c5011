"""Upstream: (Django command discovery)
Downstream: (none)
Role: the scheduling app's management commands."""
