"""Upstream: (Django app registry)
Downstream: (none)
Role: scheduling app: placement, failover, migration, plan store."""
