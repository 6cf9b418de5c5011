"""Upstream: (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] in ginkgo_site.settings)
Downstream: (none)
Role: the per-user request throttle, its rate read from the settings at request time."""

from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle


class UserThrottle(UserRateThrottle):
    """DRF's per-user throttle (anonymous clients by address), rate ``DEFAULT_THROTTLE_RATES["user"]``.

    DRF binds the rates when its module is imported; reading them per request lets a changed
    setting (a test, a reloaded configuration) take effect.
    """

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
