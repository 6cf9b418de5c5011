"""Upstream: (pytest)
Downstream: (none)
Role: unit tests of the development stack that start nothing: the `make run` launcher's process list and banner."""
