"""Upstream: monitoring.views, trading.apis.backtests, trading.management.commands.backtest
Downstream: trading.core.backtest.metrics, trading.models
Role: the backtest report: one self-contained HTML page (styles, chart code and data inline) drawn from a backtest result's JSON form, for the command, the API and the dashboard."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from trading import models
from trading.core.backtest.metrics import drawdown_curve

ASSETS = Path(__file__).resolve().parent / "static" / "trading"
STYLES = ("charts.css", "report.css")
SCRIPTS = ("charts.js", "report.js")
TEMPLATE = "trading/backtest_report.html"


@dataclass(frozen=True, slots=True)
class Stat:
    """One row of the statistics table: ``key`` names it for scripts and tests."""

    key: str
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class TradeRow:
    """One fill of the trade list; ``pnl`` set on a fill that closed a round trip."""

    time: str
    symbol: str
    side: str
    quantity: str
    price: str
    commission: str
    pnl: str
    pnl_sign: int


def backtest_report_html(
    *,
    result: Mapping[str, Any] | None,
    title: str,
    subtitle: str = "",
    notice: str = "",
    back_url: str = "",
) -> str:
    """The report page of ``result`` (a BacktestResult's ``to_dict()`` form, as the command
    prints it and a backtest row stores it). Without a result (a run still queued or
    failed) the page says ``notice`` instead. Nothing in the page is fetched from anywhere:
    its styles, its chart code and its data are in the file."""
    context: dict[str, Any] = {
        "title": title,
        "subtitle": subtitle,
        "notice": notice,
        "back_url": back_url,
        "styles": _inline(STYLES),
        "scripts": _inline(SCRIPTS),
        "result": result,
    }
    if result is not None:
        context |= {
            "stats": report_statistics(result),
            "trades": trade_rows(result),
            "chart_data": chart_data(result),
            "symbols": sorted(result.get("prices", {})),
        }
    return render_to_string(TEMPLATE, context)


def report_statistics(result: Mapping[str, Any]) -> list[Stat]:
    """The statistics table: return, CAGR, max drawdown and its dates, Sharpe, Sortino,
    trades, win rate, average win and loss, exposure (n/a where the run cannot say)."""
    orders = result.get("orders", [])
    rejected = sum(1 for order in orders if order.get("status") == "rejected")
    return [
        Stat("bars", "Bars", f"{result.get('bars', 0):,}", _period(result)),
        Stat("initial_capital", "Initial capital", _money(result.get("initial_capital"))),
        Stat("final_value", "Final value", _money(result.get("final_value"))),
        Stat("return", "Return", _percent(result.get("return"))),
        Stat("cagr", "CAGR", _percent(result.get("cagr"))),
        Stat("max_drawdown", "Max drawdown", _percent(result.get("max_drawdown")), _dd(result)),
        Stat("sharpe", "Sharpe", _ratio(result.get("sharpe"))),
        Stat("sortino", "Sortino", _ratio(result.get("sortino"))),
        Stat("trades", "Trades", f"{result.get('trade_count', 0):,} fills", _trips(result)),
        Stat("win_rate", "Win rate", _percent(result.get("win_rate"))),
        Stat("average_win", "Average win", _money(result.get("average_win"))),
        Stat("average_loss", "Average loss", _money(result.get("average_loss"))),
        Stat("exposure", "Exposure", _percent(result.get("exposure")), "of bars in the market"),
        Stat("orders", "Orders", f"{len(orders):,}", f"{rejected:,} rejected" if rejected else ""),
    ]


def trade_rows(result: Mapping[str, Any]) -> list[TradeRow]:
    """The fills in time order; a fill that closed a round trip carries the trip's P&L."""
    closes = {
        (trip["symbol"], trip["time"]): Decimal(trip["pnl"]) for trip in result.get("trips", [])
    }
    rows = []
    for fill in result.get("trades", []):
        pnl = closes.pop((fill["symbol"], fill["datetime"]), None)
        rows.append(
            TradeRow(
                time=_when(fill["datetime"]),
                symbol=fill["symbol"],
                side=fill["side"],
                quantity=_number(fill["quantity"]),
                price=_money(fill["price"]),
                commission=_money(fill["commission"]),
                pnl="" if pnl is None else _money(pnl, signed=True),
                pnl_sign=0 if pnl is None else (pnl > 0) - (pnl < 0),
            )
        )
    return rows


def chart_data(result: Mapping[str, Any]) -> dict[str, Any]:
    """What the page's script draws: the equity curve (times in epoch milliseconds) with its
    drawdown beneath and the largest drawdown's span, and per symbol its prices and fills."""
    equity = result.get("equity", [])
    values = [Decimal(point["equity"]) for point in equity]
    initial = Decimal(result.get("initial_capital") or 0)
    fills: dict[str, list[dict[str, Any]]] = {}
    for fill in result.get("trades", []):
        fills.setdefault(fill["symbol"], []).append(
            {
                "t": _ms(fill["datetime"]),
                "side": fill["side"],
                "price": float(fill["price"]),
                "title": f"{fill['side']} {_number(fill['quantity'])} {fill['symbol']} @ "
                f"{_money(fill['price'])}, {_when(fill['datetime'])}",
            }
        )
    peak, trough = result.get("max_drawdown_peak"), result.get("max_drawdown_trough")
    return {
        "initial": float(initial),
        "equity": {
            "t": [_ms(point["time"]) for point in equity],
            "v": [round(float(value), 4) for value in values],
            "drawdown": [round(-depth, 6) for depth in drawdown_curve(initial, values)]
            if initial > 0
            else [],
        },
        "maxDrawdown": {"from": _ms(peak), "to": _ms(trough)} if peak and trough else None,
        "symbols": [
            {
                "symbol": symbol,
                "t": [_ms(point["time"]) for point in points],
                "v": [round(float(point["price"]), 6) for point in points],
                "fills": fills.get(symbol, []),
            }
            for symbol, points in sorted(result.get("prices", {}).items())
        ],
    }


@cache
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _inline(names: Sequence[str]) -> SafeString:
    # Our own files, read from the package: they hold no "</" that would end the <style> or
    # <script> element early (a test checks it).
    return mark_safe("\n".join(_asset(name) for name in names))


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


def _when(iso: str | None) -> str:
    if not iso:
        return "n/a"
    moment = datetime.fromisoformat(iso)
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return f"{moment:%Y-%m-%d}"
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def _period(result: Mapping[str, Any]) -> str:
    start, end = result.get("start"), result.get("end")
    return f"{_when(start)} to {_when(end)}" if start and end else "no bars"


def _dd(result: Mapping[str, Any]) -> str:
    peak, trough = result.get("max_drawdown_peak"), result.get("max_drawdown_trough")
    if not (peak and trough):
        return ""
    recovered = result.get("max_drawdown_recovered")
    back = f", recovered {_when(recovered)}" if recovered else ", not recovered"
    return f"peak {_when(peak)}, trough {_when(trough)}{back}"


def _trips(result: Mapping[str, Any]) -> str:
    trips = result.get("round_trips")
    return "" if trips is None else f"{trips:,} round trips"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _money(value: str | Decimal | None, *, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{Decimal(value):{'+' if signed else ''},.2f}"


def _number(value: str) -> str:
    return f"{Decimal(value).normalize():f}"


def backtest_run_report_html(*, backtest: models.Backtest, back_url: str = "") -> str:
    """The report of a backtest run the API queued: its stored result, titled with the
    portfolio, version and symbol it ran, or a notice while it has no result."""
    strategy = backtest.config.get("strategy", {})
    params = ", ".join(f"{key}={value}" for key, value in strategy.get("params", {}).items())
    subtitle = f"strategy {strategy.get('name', '?')}" + (f" ({params})" if params else "")
    notice = ""
    if backtest.error:
        notice = f"Backtest {backtest.pk} failed: {backtest.error}"
    elif backtest.result is None:
        notice = f"Backtest {backtest.pk} is {backtest.status}; its report comes when it is done."
    return backtest_report_html(
        result=backtest.result,
        title=f"Backtest {backtest.pk}: {backtest.portfolio_id} v{backtest.portfolio_version} "
        f"on {backtest.symbol}",
        subtitle=subtitle,
        notice=notice,
        back_url=back_url,
    )
