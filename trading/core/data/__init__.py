"""Upstream: (Python package import)
Downstream: (none)
Role: market data sources for the core: streaming CSV bar files and time-window filters over any bar stream."""
