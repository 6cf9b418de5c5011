"""Upstream: bench.reload, ginkgo_site.devstack.cluster
Downstream: (computed)
Role: polling with a deadline, for tests, benchmarks and the e2e cluster harness."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
DEFAULT_TIMEOUT = 30.0


def wait_until(condition: Callable[[], T], timeout: float = DEFAULT_TIMEOUT, what: str = "") -> T:
    """Poll ``condition`` until it returns something truthy (and return that) or fail with an
    AssertionError naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.05)
