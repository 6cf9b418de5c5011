"""Upstream: (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] in ginkgo_site.settings)
Downstream: (none)
Role: the per-user request throttle, its rate read from the settings at request time, counted in the shared Redis cache."""

import logging
from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle

if TYPE_CHECKING:  # DRF's views import this module while they load
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)


class UserThrottle(UserRateThrottle):
    """DRF's per-user throttle (anonymous clients by address), rate ``DEFAULT_THROTTLE_RATES["user"]``.

    The counts live in Django's default cache, Redis (CACHES in the settings), so every api
    worker and process counts together. DRF binds the rates when its module is imported;
    reading them per request lets a changed setting (a test, a reloaded configuration) take
    effect.
    """

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Request, view: "APIView") -> bool:
        # With Redis away the API still answers (/api/health must say so): unthrottled.
        try:
            return super().allow_request(request, view)
        except RedisError as exc:
            logger.warning("request throttle skipped, its cache is unreachable: %s", exc)
            return True
