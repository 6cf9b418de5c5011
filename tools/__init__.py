"""Upstream: (Python package import)
Downstream: (none)
Role: developer tools that are not part of the running system."""
