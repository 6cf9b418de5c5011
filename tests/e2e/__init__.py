"""Upstream: (pytest)
Downstream: (none)
Role: end-to-end tests: the real processes of the stack."""
