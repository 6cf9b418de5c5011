"""Upstream: (Python package import)
Downstream: (none)
Role: the pure trading domain; imports no framework, broker, database or cache client."""
