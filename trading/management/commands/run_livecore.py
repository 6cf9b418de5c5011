"""Upstream: trading.management.commands.run_node, (Django command discovery)
Downstream: ginkgo_site.service_checks, monitoring.exposition, trading.bus.topics, trading.livecore.runtime, trading.livecore.sources
Role: `manage.py run_livecore`: parses options, runs LiveCore in the foreground, stops cleanly on SIGINT/SIGTERM."""

import logging
import signal
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from monitoring.exposition import add_metrics_port, serve_metrics
from trading.bus.topics import MARKET_TOPICS
from trading.livecore.runtime import LiveCore, LiveCoreConfig
from trading.livecore.sources import (
    BarReplaySource,
    MarketDataSource,
    ReplayThenTicks,
    SyntheticTickSource,
)

DEFAULT_SYMBOLS = "AAA,BBB,CCC,DDD,EEE"
logger = logging.getLogger(__name__)


class Command(ServiceCommand):
    help = "Run LiveCore: DataManager, LiveEngine with the paper gateway, control handling."
    services = ("database", "redis", "kafka")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--engine-id", default="paper", help="this engine's id (control target)"
        )
        parser.add_argument("--source", choices=("synthetic", "replay"), default="synthetic")
        parser.add_argument(
            "--then-synthetic",
            action="store_true",
            help="replay: when the files end, go on with synthetic ticks from the last closes",
        )
        parser.add_argument(
            "--files", nargs="+", type=Path, default=[], help="CSV bar files to replay"
        )
        parser.add_argument(
            "--symbols",
            help=f"comma-separated (synthetic default {DEFAULT_SYMBOLS}; replay: one per file)",
        )
        parser.add_argument(
            "--rate", type=float, default=10.0, help="synthetic ticks per second, all symbols"
        )
        parser.add_argument(
            "--speed", type=float, default=1.0, help="replay: seconds per bar (0: no wait)"
        )
        parser.add_argument("--seed", type=int, default=0, help="synthetic random seed")
        parser.add_argument(
            "--resume",
            action="store_true",
            help="carry on after the last update this market's feed published per symbol "
            "(kept in the database), not from the start: a restart never goes back in time",
        )
        parser.add_argument(
            "--publish-all", action="store_true", help="publish every symbol, wanted or not"
        )
        parser.add_argument(
            "--await-running",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="before publishing, wait (at most SECONDS) until every portfolio meant to run "
            "on the market runs on a node, so the first bar reaches them all",
        )
        parser.add_argument("--market", choices=sorted(MARKET_TOPICS), default="default")
        parser.add_argument(
            "--window", type=int, default=500, help="recent prices kept per symbol for late orders"
        )
        add_metrics_port(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        _log_to_stdout()
        core = LiveCore(
            LiveCoreConfig(
                engine_id=options["engine_id"],
                source=_source(options),
                market=options["market"],
                publish_all=options["publish_all"],
                resume=options["resume"],
                window=options["window"],
                await_running=options["await_running"],
            )
        )
        serve_metrics(options["metrics_port"], logger.info)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: core.stop())
        status = core.run()
        if status:
            raise CommandError(
                "LiveCore stopped after a fatal error (see the log)", returncode=status
            )


def _source(options: dict[str, Any]) -> MarketDataSource:
    symbols = options["symbols"].split(",") if options["symbols"] else None
    try:
        if options["source"] == "replay":
            if not options["files"]:
                raise CommandError("--source replay needs --files")
            replay = BarReplaySource.from_files(options["files"], symbols, options["speed"])
            if options["then_synthetic"]:
                return ReplayThenTicks(replay, rate=options["rate"], seed=options["seed"])
            return replay
        return SyntheticTickSource(
            symbols or DEFAULT_SYMBOLS.split(","), rate=options["rate"], seed=options["seed"]
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def _log_to_stdout() -> None:
    # Foreground process: its log is its output, one line per event, on stdout.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    trading = logging.getLogger("trading")
    trading.addHandler(handler)
    trading.setLevel(logging.INFO)
    trading.propagate = False
