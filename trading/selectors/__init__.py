"""Upstream: (Python package import)
Downstream: (none)
Role: the read side of the Django layer: keyword-only, typed `<entity>_<action>` queries, one module per entity."""
