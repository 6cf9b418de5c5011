"""Upstream: (Django command discovery)
Downstream: (none)
Role: package marker for trading's management commands."""
