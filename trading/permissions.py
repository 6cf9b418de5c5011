"""Upstream: monitoring.admin, monitoring.apis, monitoring.views, scheduling.admin, scheduling.apis, trading.admin, trading.apis.audit, trading.apis.backtests, trading.apis.base, trading.apis.components, trading.apis.data, trading.apis.engine, trading.apis.portfolio_control, trading.apis.portfolio_verify, trading.apis.portfolio_versions, trading.apis.portfolios, trading.apis.trades, trading.management.commands.create_user, trading.services.users
Downstream: (none)
Role: roles (Django groups) and their `resource:action` permissions, and the one DRF permission class that checks them."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

PORTFOLIO_READ = "portfolio:read"
PORTFOLIO_WRITE = "portfolio:write"
PORTFOLIO_CONTROL = "portfolio:control"
ENGINE_READ = "engine:read"
ENGINE_CONTROL = "engine:control"
BACKTEST_READ = "backtest:read"
BACKTEST_RUN = "backtest:run"
COMPONENT_READ = "component:read"
AUDIT_READ = "audit:read"
SCHEDULE_READ = "schedule:read"
SCHEDULE_CONTROL = "schedule:control"
NODE_READ = "node:read"
NODE_CONTROL = "node:control"
DATA_READ = "data:read"
DATA_IMPORT = "data:import"
METRICS_READ = "metrics:read"
NOTICE_READ = "notice:read"

# What every role may look at. The audit log (who did what) is left to the roles that act.
_OBSERVE = frozenset(
    {
        PORTFOLIO_READ,
        ENGINE_READ,
        BACKTEST_READ,
        COMPONENT_READ,
        SCHEDULE_READ,
        NODE_READ,
        DATA_READ,
        METRICS_READ,
        NOTICE_READ,
    }
)
_READ_ALL = _OBSERVE | {AUDIT_READ}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Operators: rebalancing and taking nodes in and out of service are admin work.
    "admin": _READ_ALL
    | {PORTFOLIO_WRITE, PORTFOLIO_CONTROL, ENGINE_CONTROL, BACKTEST_RUN}
    | {SCHEDULE_CONTROL, NODE_CONTROL, DATA_IMPORT},
    "developer": _READ_ALL | {PORTFOLIO_WRITE, BACKTEST_RUN, DATA_IMPORT},
    "trader": _READ_ALL | {PORTFOLIO_CONTROL, ENGINE_CONTROL},
    "viewer": _OBSERVE,
}
ALL_PERMISSIONS = frozenset().union(*ROLE_PERMISSIONS.values())


def user_permissions(*, user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """The permissions ``user`` holds: superusers all, others those of their role groups."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if getattr(user, "is_superuser", False):
        return ALL_PERMISSIONS
    roles = user.groups.filter(name__in=ROLE_PERMISSIONS).values_list("name", flat=True)  # type: ignore[union-attr]
    return frozenset().union(*(ROLE_PERMISSIONS[role] for role in roles))


def user_has_permission(*, user: AbstractBaseUser | AnonymousUser, permission: str) -> bool:
    """True when ``user`` may do ``permission`` (e.g. ``portfolio:write``)."""
    return permission in user_permissions(user=user)


class HasRolePermission(BasePermission):
    """Grants a request when the user holds the permission its view names for the method.

    A view declares ``required_permissions = {"GET": PORTFOLIO_READ, "POST": ...}``; HEAD and
    OPTIONS follow GET. Anonymous requests fail authentication (401); a method the view does
    not implement passes here so the view answers 405.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user.is_authenticated:
            return False
        method = request.method or ""
        if not hasattr(view, method.lower()):
            return True
        required: dict[str, str] = getattr(view, "required_permissions", {})
        permission = required.get("GET" if method in ("HEAD", "OPTIONS") else method)
        return permission is not None and user_has_permission(
            user=request.user, permission=permission
        )
