"""Upstream: scheduling.apis, trading.apis.backtests, trading.apis.data, trading.apis.portfolio_verify, (EXCEPTION_HANDLER in ginkgo_site.settings, handler404/500 in ginkgo_site.urls)
Downstream: trading.apis.parsers, trading.selectors.live, trading.services.control, trading.services.portfolios
Role: one JSON error shape for the whole API: DRF's exception handler, and Django's 400/404/500 handlers for /api/ paths (an oversized body is a 413)."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from trading.apis.parsers import payload_too_large
from trading.selectors.live import LiveStateUnavailable
from trading.services.control import CommandNotDelivered
from trading.services.portfolios import PortfolioConflict

NON_FIELD = "non_field_errors"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class Unavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"


class BadRequest(exceptions.APIException):
    """A request Django refused as suspicious (its reason is logged, never answered)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_request"
    default_detail = "bad request"


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """``{"error": {"code", "message", "fields"}}``, the body of every error answer."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (status, WWW-Authenticate and Retry-After headers) with our body.

    Service exceptions map to HTTP here: validation -> 400, missing rows -> 404, conflicts
    -> 409, an unreachable bus or Redis -> 503; Django's refusals of a request (a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE -> 413, any other suspicious one -> 400). Anything else stays a 500
    (handler500).
    """
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail) or {NON_FIELD: ["invalid input"]}
        path, messages = next(iter(fields.items()))
        message = messages[0] if path == NON_FIELD else f"{path}: {messages[0]}"
        response.data = error_body("invalid", message, fields)
    else:
        code = exc.get_codes()
        response.data = error_body(code if isinstance(code, str) else exc.default_code, str(exc))
    return response


def api_bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400 (Django refused the request before any view, e.g. a form body over
    DATA_UPLOAD_MAX_MEMORY_SIZE): JSON under /api/, Django's page elsewhere."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)
    refusal = _as_api_exception(exception)
    if not isinstance(refusal, exceptions.APIException):
        refusal = BadRequest()
    body = error_body(refusal.default_code, str(refusal.detail))
    return JsonResponse(body, status=refusal.status_code)


def api_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: JSON under /api/, Django's page elsewhere."""
    if not request.path.startswith("/api/"):
        return defaults.page_not_found(request, exception)
    body = error_body("not_found", f"no endpoint at {request.path}")
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)


def api_server_error(request: HttpRequest) -> HttpResponse:
    """handler500: JSON under /api/, Django's page elsewhere."""
    if not request.path.startswith("/api/"):
        return defaults.server_error(request)
    body = error_body("server_error", "internal error; it was logged")
    return JsonResponse(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        return exceptions.ValidationError(detail)
    if isinstance(exc, ObjectDoesNotExist | Http404):
        return exceptions.NotFound(str(exc) or None)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, PortfolioConflict):
        return Conflict(str(exc))
    if isinstance(exc, CommandNotDelivered | LiveStateUnavailable):
        return Unavailable(str(exc))
    if isinstance(exc, RequestDataTooBig):
        return payload_too_large()
    if isinstance(exc, SuspiciousOperation):
        return BadRequest()
    return exc


def _flatten(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as dotted path -> messages (``risks.0.params``); a nested
    serializer's own errors (a list too long) are keyed by its path (``risks``)."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, item in detail.items():
            inner = path if key == NON_FIELD and path else f"{path}.{key}" if path else str(key)
            flat.update(_flatten(item, inner))
        return flat
    if isinstance(detail, list) and all(isinstance(item, str) for item in detail):
        return {path or NON_FIELD: [str(item) for item in detail]} if detail else {}
    if isinstance(detail, list):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{path}.{index}" if path else str(index)))
        return flat
    return {path or NON_FIELD: [str(detail)]}
