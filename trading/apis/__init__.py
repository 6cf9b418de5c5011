"""Upstream: (Python package import)
Downstream: (none)
Role: the REST API of the trading app: one module per resource, thin views over services and selectors."""
