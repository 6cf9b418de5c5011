"""Upstream: (Python package import)
Downstream: (none)
Role: the write side of the Django layer: keyword-only, typed `<entity>_<action>` functions, one module per entity."""
