"""Upstream: (package)
Downstream: (none)
Role: the scheduler's write side: node sync, schedule runs, assignments, migration, publishing, periodic tasks."""
