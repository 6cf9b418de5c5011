"""Upstream: (entry point: python manage.py backtest)
Downstream: trading.core.amounts, trading.core.backtest.compare, trading.core.backtest.engine, trading.core.backtest.result, trading.core.catalog, trading.core.config, trading.core.data.csv_bars, trading.core.data.ordering, trading.core.data.window, trading.core.enums, trading.core.errors, trading.core.market, trading.core.ports, trading.core.registry, trading.reports, trading.services.replays
Role: thin manage.py command: parses backtest arguments, runs the core backtest of a strategy or a stored portfolio over CSV files or the bar store, prints a summary or JSON (with its fills)."""

import json
from argparse import ArgumentParser
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError, CommandParser

from trading.core.amounts import positive_amount
from trading.core.backtest.compare import fill_row
from trading.core.backtest.engine import BacktestEngine, ExecutionSettings
from trading.core.backtest.result import BacktestResult
from trading.core.catalog import builtin_registry
from trading.core.config import PortfolioConfig, build_commission, validate_config
from trading.core.data.csv_bars import read_csv_bars
from trading.core.data.ordering import merge_streams
from trading.core.data.window import between
from trading.core.enums import OrderStatus
from trading.core.errors import CoreError
from trading.core.market import Bar
from trading.core.ports import StoreUnavailable
from trading.core.registry import ComponentKind, ComponentRegistry, ComponentSpec
from trading.reports import backtest_report_html
from trading.services.replays import portfolio_backtest, stored_bars


class Command(BaseCommand):
    help = (
        "Backtest a stored portfolio (--portfolio) or a registered strategy on OHLCV bars from "
        "CSV files (--data, once per symbol) or the bar store."
    )
    # A pure computation (reading the database and the bar store at most): no system checks.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Here --version is a portfolio's configuration version, not Django's.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--data",
            action="append",
            default=[],
            metavar="[SYMBOL=]PATH",
            help="CSV file of bars; once per symbol (SYMBOL=PATH, the symbol defaulting to the "
            "file's stem)",
        )
        source.add_argument(
            "--store", action="store_true", help="read --symbol's bars from the bar store"
        )
        parser.add_argument(
            "--portfolio",
            metavar="ID",
            help="backtest this stored portfolio's configuration (symbols, strategy, sizer, risk "
            "rules, cash) over its symbols' bars: the bar store's, or --data files",
        )
        parser.add_argument(
            "--version", type=int, metavar="N", help="with --portfolio: its configuration version N"
        )
        parser.add_argument("--symbol", help="symbol of the bars (default: the file's stem)")
        parser.add_argument("--strategy", help="registered strategy name")
        parser.add_argument(
            "--param", action="append", default=[], metavar="KEY=VALUE", help="strategy parameter"
        )
        parser.add_argument("--cash", help="initial capital")
        parser.add_argument("--sizer", help="fixed:Q | percent:P | ... (default: signal)")
        parser.add_argument("--commission", default="none", help="per_share:RATE:MIN | percent:P")
        parser.add_argument(
            "--from", dest="start", help="first date YYYY-MM-DD, or event time (ISO 8601)"
        )
        parser.add_argument(
            "--to", dest="end", help="last date YYYY-MM-DD (all of it), or event time (ISO 8601)"
        )
        parser.add_argument("--adjust", action="store_true", help="scale prices by Adj Close")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--report",
            type=Path,
            metavar="FILE.html",
            help="also write the report (charts, statistics, trades) as one self-contained HTML file",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = _run(options)
        except (CoreError, StoreUnavailable, ObjectDoesNotExist) as exc:
            raise CommandError(str(exc)) from None
        if options["report"] is not None:
            _write_report(options, result)
        if options["json"]:
            fills = [fill_row(fill) for fill in result.trades]
            self.stdout.write(json.dumps({**result.to_dict(), "fills": fills}))
        else:
            self.stdout.write(_summary(result))
            if options["report"] is not None:
                self.stdout.write(f"Report:        {options['report']}")


def _run(options: dict[str, Any]) -> BacktestResult:
    registry = builtin_registry()
    commission = build_commission(
        registry.parse_shorthand(ComponentKind.COMMISSION, options["commission"]), registry
    )
    execution = ExecutionSettings(commission=commission)
    start, end = _moment("--from", options["start"]), _moment("--to", options["end"], last=True)
    if start is not None and end is not None and start >= end:
        raise CommandError(f"--from {options['start']} is after --to {options['end']}")
    files = _files(options["data"], options["symbol"])
    bars = {symbol: read_csv_bars(path, symbol, adjust=options["adjust"]) for symbol, path in files}
    where = ", ".join(str(path) for _, path in files)
    if options["portfolio"] is not None:
        _refuse_with_portfolio(options)
        result = portfolio_backtest(
            portfolio_id=options["portfolio"],
            version=options["version"],
            start=start,
            end=end,
            files=bars or None,
            execution=execution,
        )
        where = where or f"the bar store for portfolio {options['portfolio']}"
    else:
        result = _strategy_run(options, registry, execution, bars, start, end)
        where = where or f"the bar store's {options['symbol']}"
    if not result.bars:
        raise CommandError(f"no bars in {where}{_range_text(options)}")
    return result


def _strategy_run(
    options: dict[str, Any],
    registry: ComponentRegistry,
    execution: ExecutionSettings,
    bars: dict[str, Iterator[Bar]],
    start: datetime | None,
    end: datetime | None,
) -> BacktestResult:
    if options["version"] is not None:
        raise CommandError("--version needs --portfolio")
    for option in ("strategy", "cash"):
        if options[option] is None:
            raise CommandError(f"--{option} is required (or --portfolio)")
    if not bars and not options["store"]:
        raise CommandError("one of --data, --store or --portfolio is required")
    if not bars and options["symbol"] is None:
        raise CommandError("--store needs --symbol")
    symbols = tuple(bars) or (options["symbol"],)
    config = validate_config(
        PortfolioConfig(
            portfolio_id="backtest",
            symbols=symbols,
            initial_capital=_amount("--cash", options["cash"]),
            strategy=ComponentSpec(options["strategy"], _params(options["param"])),
            sizer=registry.parse_shorthand(ComponentKind.SIZER, options["sizer"] or "signal"),
        ),
        registry,
    )
    updates = (
        between(merge_streams(bars.values()), start, end)
        if bars
        else stored_bars(symbols, start, end)
    )
    return BacktestEngine(config, execution, registry).run(updates)


def _refuse_with_portfolio(options: dict[str, Any]) -> None:
    given = [
        f"--{name}" for name in ("strategy", "cash", "sizer", "symbol") if options[name] is not None
    ]
    given += ["--param"] if options["param"] else []
    given += ["--store"] if options["store"] else []
    if given:
        raise CommandError(
            f"--portfolio runs the stored configuration over its own symbols: "
            f"{', '.join(given)} cannot be given with it"
        )


def _files(data: list[str], symbol: str | None) -> list[tuple[str, Path]]:
    """--data's files with their symbols: SYMBOL=PATH, or PATH (--symbol, else its stem)."""
    if symbol is not None and len(data) > 1:
        raise CommandError("--symbol names the bars of one --data file; use SYMBOL=PATH")
    files: list[tuple[str, Path]] = []
    for item in data:
        name, sep, rest = item.partition("=")
        if sep and name and "/" not in name and "\\" not in name:
            files.append((name, Path(rest)))
        else:
            path = Path(item)
            files.append((symbol or path.stem, path))
    symbols = [name for name, _ in files]
    repeated = sorted({name for name in symbols if symbols.count(name) > 1})
    if repeated:
        raise CommandError(f"--data gives {', '.join(repeated)} more than once")
    return files


def _write_report(options: dict[str, Any], result: BacktestResult) -> None:
    subject = f"portfolio {options['portfolio']}" if options["portfolio"] else options["strategy"]
    settings = [*options["param"], f"cash {options['cash']}" if options["cash"] else ""]
    html = backtest_report_html(
        result=result.to_dict(),
        title=f"{subject} on {', '.join(sorted(result.prices))}",
        subtitle=", ".join(item for item in settings if item),
    )
    try:
        options["report"].write_text(html, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write the report to {options['report']}: {exc}") from None


def _params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CommandError(f"--param expects KEY=VALUE, got {pair!r}")
        params[key.strip()] = value.strip()
    return params


def _amount(option: str, text: str) -> Decimal:
    try:
        return positive_amount(text)
    except ValueError as exc:
        raise CommandError(f"{option} {exc}") from None


def _range_text(options: dict[str, Any]) -> str:
    start, end = options["start"], options["end"]
    if start is None and end is None:
        return ""
    return f" from {start or 'the start'} to {end or 'the end'}"


def _moment(option: str, text: str | None, *, last: bool = False) -> datetime | None:
    """The bound ``text`` names, as the start of a ``[start, end)`` range (``last``: its
    end): a date covers its whole (UTC) day, an event time is itself (UTC when naive)."""
    if text is None:
        return None
    try:
        if len(text) == len("YYYY-MM-DD"):
            moment = datetime.combine(date.fromisoformat(text), time(), UTC)
            return moment + timedelta(days=1) if last else moment
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{option} expects a date YYYY-MM-DD or an ISO 8601 time, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment + timedelta(microseconds=1) if last else moment


def _rejections(result: BacktestResult) -> str:
    rejected = [order for order in result.orders if order.status == OrderStatus.REJECTED]
    if not rejected:
        return ""
    return f", {len(rejected)} rejected (first: {rejected[0].reason})"


def _summary(result: BacktestResult) -> str:
    def percent(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2%}"

    period = f"{result.start:%Y-%m-%d} .. {result.end:%Y-%m-%d}" if result.start else "no data"
    lines = [
        f"Bars:          {result.bars} ({period})",
        f"Initial cash:  {result.initial_capital}",
        f"Final value:   {result.final_value:.2f}",
        f"Cash:          {result.cash:.2f}",
        f"Return:        {percent(result.total_return)}",
        f"Max drawdown:  {percent(result.max_drawdown)}",
        f"Sharpe:        {'n/a' if result.sharpe is None else f'{result.sharpe:.2f}'}",
        f"Trades:        {result.trade_count} fills, {result.round_trips} round trips",
        f"Win rate:      {percent(result.win_rate)}",
        f"Orders:        {len(result.orders)}{_rejections(result)}",
    ]
    if result.strategy_error:
        lines.append(f"Strategy error: {result.strategy_error}")
    return "\n".join(lines)
