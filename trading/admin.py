"""Upstream: monitoring.admin, scheduling.admin, (Django admin autodiscovery)
Downstream: trading.models, trading.permissions, trading.services.portfolio_config, trading.services.portfolios
Role: the Django admin: portfolio configuration through the same services as the API (validation, versions, commands), read-only records."""

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from trading import models
from trading.permissions import (
    AUDIT_READ,
    BACKTEST_READ,
    PORTFOLIO_CONTROL,
    PORTFOLIO_READ,
    PORTFOLIO_WRITE,
    user_has_permission,
)
from trading.services.portfolio_config import CONFIG_FIELDS, portfolio_config_clean
from trading.services.portfolios import (
    PortfolioConflict,
    portfolio_create,
    portfolio_delete,
    portfolio_reload,
    portfolio_start,
    portfolio_stop,
    portfolio_update,
)


class RolePermissions:
    """Admin access from the user's role (trading.permissions), not Django model permissions.

    ``write_permission`` None makes the admin read-only.
    """

    read_permission: str
    write_permission: str | None = None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request, self.read_permission) or self.has_change_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request, self.write_permission)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request, self.write_permission)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(request, self.write_permission)


class SymbolsField(forms.CharField):
    """Symbols typed as ``AAPL, MSFT``; the service checks their format."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        return [symbol.strip() for symbol in str(value or "").split(",") if symbol.strip()]


class PortfolioForm(forms.ModelForm):
    symbols = SymbolsField(help_text="comma-separated, e.g. AAPL, MSFT")
    comment = forms.CharField(
        required=False, max_length=200, help_text="why (kept with the new version)"
    )

    class Meta:
        model = models.Portfolio
        fields = ("portfolio_id", *CONFIG_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Blank means the default sizer and no risk managers.
        self.fields["sizer"].required = False
        self.fields["risks"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            portfolio_config_clean(data=cleaned)
        except ValidationError as exc:
            for path, problems in exc.message_dict.items():
                field = path.split(".")[0]
                self.add_error(
                    field if field in self.fields else None,
                    [f"{path}: {problem}" for problem in problems],
                )
        return cleaned


class PortfolioVersionInline(RolePermissions, admin.TabularInline):
    model = models.PortfolioVersion
    read_permission = PORTFOLIO_READ
    fields = ("version", "created_at", "author", "comment", "changed")
    readonly_fields = fields
    ordering = ("-version",)
    extra = 0

    @admin.display(description="changes (old → new)")
    def changed(self, version: models.PortfolioVersion) -> SafeString:
        return format_html_join(
            "\n",
            "<div><code>{}</code>: {} → {}</div>",
            ((c["field"], _shown(c["old"]), _shown(c["new"])) for c in version.changes),
        )


@admin.register(models.Portfolio)
class PortfolioAdmin(RolePermissions, admin.ModelAdmin):
    """Saves and deletes go through the portfolio services, as the API's do."""

    read_permission = PORTFOLIO_READ
    write_permission = PORTFOLIO_WRITE
    form = PortfolioForm
    inlines = (PortfolioVersionInline,)
    list_display = ("portfolio_id", "name", "market", "desired_state", "version", "updated_at")
    list_filter = ("desired_state", "market")
    search_fields = ("portfolio_id", "name")
    actions = ("start", "stop", "reload")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        status = ("desired_state", "version", "created_at", "updated_at")
        return ("portfolio_id", *status) if obj is not None else status

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        running = obj is not None and obj.desired_state == models.DesiredState.RUNNING
        return not running and super().has_delete_permission(request, obj)

    def has_control_permission(self, request: HttpRequest) -> bool:
        return _allowed(request, PORTFOLIO_CONTROL)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk deletion would bypass the service; delete one portfolio at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {field: form.cleaned_data[field] for field in CONFIG_FIELDS}
        save = portfolio_update if change else portfolio_create
        save(
            actor=request.user,
            portfolio_id=obj.portfolio_id,
            data=data,
            comment=form.cleaned_data.get("comment", ""),
        )
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        portfolio_delete(actor=request.user, portfolio_id=obj.portfolio_id)

    @admin.action(description="Start the selected portfolios", permissions=["control"])
    def start(self, request: HttpRequest, queryset: QuerySet[models.Portfolio]) -> None:
        self._control(request, queryset, portfolio_start, "started")

    @admin.action(description="Stop the selected portfolios", permissions=["control"])
    def stop(self, request: HttpRequest, queryset: QuerySet[models.Portfolio]) -> None:
        self._control(request, queryset, portfolio_stop, "stopped")

    @admin.action(description="Reload the selected portfolios", permissions=["control"])
    def reload(self, request: HttpRequest, queryset: QuerySet[models.Portfolio]) -> None:
        self._control(request, queryset, portfolio_reload, "reloaded")

    def _control(
        self,
        request: HttpRequest,
        queryset: QuerySet[models.Portfolio],
        command: Callable[..., models.Portfolio],
        done: str,
    ) -> None:
        for portfolio_id in queryset.values_list("portfolio_id", flat=True):
            try:
                command(actor=request.user, portfolio_id=portfolio_id, reason="admin action")
            except PortfolioConflict as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"{portfolio_id} {done}", messages.SUCCESS)


class ReadOnlyAdmin(RolePermissions, admin.ModelAdmin):
    """A record nobody edits by hand."""


@admin.register(models.Order)
class OrderAdmin(ReadOnlyAdmin):
    read_permission = PORTFOLIO_READ
    list_display = ("client_order_id", "portfolio", "symbol", "side", "quantity", "status")
    list_filter = ("status", "side")
    search_fields = ("client_order_id", "portfolio__portfolio_id", "symbol")


@admin.register(models.Fill)
class FillAdmin(ReadOnlyAdmin):
    read_permission = PORTFOLIO_READ
    list_display = ("fill_id", "portfolio", "symbol", "side", "quantity", "price", "executed_at")
    list_filter = ("side",)
    search_fields = ("fill_id", "order__client_order_id", "portfolio__portfolio_id", "symbol")


@admin.register(models.AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    read_permission = AUDIT_READ
    list_display = ("created_at", "actor_name", "action", "target_id", "outcome")
    list_filter = ("outcome", "action", "target_type")
    search_fields = ("target_id", "actor_name", "error")


@admin.register(models.Backtest)
class BacktestAdmin(ReadOnlyAdmin):
    read_permission = BACKTEST_READ
    list_display = ("id", "portfolio", "portfolio_version", "symbol", "status", "created_at")
    list_filter = ("status",)
    exclude = ("bars_csv",)


def _allowed(request: HttpRequest, permission: str | None) -> bool:
    return permission is not None and user_has_permission(user=request.user, permission=permission)


def _shown(value: Any) -> str:
    return "—" if value is None else json.dumps(value)
