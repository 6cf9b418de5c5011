"""Upstream: (Python package import)
Downstream: (none)
Role: the test kit shipped with the core: builders of domain objects, seeded data generators and test doubles."""
