"""Upstream: (pytest)
Downstream: (none)
Role: the test suite: unit/ (pure), integration/ (real services), e2e/ (real processes)."""
