"""Upstream: trading.apis.errors, (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] in ginkgo_site.settings)
Downstream: (none)
Role: the API's JSON parser with bounds: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, nesting deeper than MAX_JSON_DEPTH a 400, both in the API's error format.

DRF imports this module while its views load (DEFAULT_PARSER_CLASSES), so it must not import
rest_framework.views, directly or through trading.apis.errors.
"""

import io
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

# No request body of the API nests deeper than a few levels (a component's parameters sit at
# the third); this leaves room and stays far below Python's recursion limit.
MAX_JSON_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def payload_too_large() -> PayloadTooLarge:
    """The 413 of a request body over Django's DATA_UPLOAD_MAX_MEMORY_SIZE."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return PayloadTooLarge(f"the request body is larger than {limit} bytes")


class BoundedJSONParser(JSONParser):
    """DRF's strict JSON parser (no NaN or Infinity) that reads at most
    DATA_UPLOAD_MAX_MEMORY_SIZE bytes (Django's limit for form data, applied to JSON too) and
    refuses documents nested deeper than :data:`MAX_JSON_DEPTH`."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(-1 if limit is None else limit + 1)
        if limit is not None and len(body) > limit:
            raise payload_too_large()
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        if _deeper_than(data, MAX_JSON_DEPTH):
            raise _too_deep()
        return data


def _too_deep() -> exceptions.ParseError:
    return exceptions.ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether arrays and objects in ``document`` nest more than ``limit`` levels (walked
    without recursion)."""
    pending = [(document, 1)] if isinstance(document, dict | list) else []
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
