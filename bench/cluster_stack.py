"""Upstream: bench.failover, bench.migration, bench.reload
Downstream: bench.scratch, ginkgo_site.devstack, ginkgo_site.devstack.cluster, trading.bus.config, trading.services.control, trading.services.portfolios
Role: the stack of the scheduling benchmarks (failover, migration, reload): their own Tansu and Redis, a scratch PostgreSQL database, Django on them with short node intervals, portfolios created through the services; and the summary line they print.

Nothing is shared with other work on the machine: the broker and Redis are spawned in a
temporary directory, the database is ``ginkgo_bench_<pid>`` (bench.scratch), and everything
is stopped, dropped and removed at the end, also after Ctrl+C.
"""

import argparse
import os
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.scratch import django_setup, scratch_database


@dataclass
class BenchStack:
    """What a scheduling benchmark runs against; ``stack`` stops what is added to it first."""

    env: dict[str, str]  # the environment of the node and LiveCore subprocesses
    client: Any  # redis.Redis on the bench's Redis (bytes, as the cluster harness reads it)
    workdir: Path  # logs of the subprocesses
    stack: ExitStack


@contextmanager
def bench_stack(**settings: str) -> Iterator[BenchStack]:
    """Spawn Tansu and Redis, create the scratch database, set Django up on them (with
    ``settings`` as environment), migrate and create the topics. Subprocesses get the
    e2e tests' short node intervals (ginkgo_site.devstack.cluster.FAST_NODES)."""
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ginkgo-bench-")))
        database = stack.enter_context(scratch_database())
        from ginkgo_site.devstack import start_redis, start_tansu

        print("starting Tansu and Redis, migrating a scratch database...", flush=True)
        kafka = start_tansu(workdir / "kafka")
        stack.callback(kafka.stop)
        redis_service = start_redis(workdir / "redis")
        stack.callback(redis_service.stop)
        prefix = f"bench{os.getpid()}:"
        django_setup(
            stack,
            DATABASE_URL=database,
            KAFKA_BOOTSTRAP_SERVERS=kafka.url,
            REDIS_URL=redis_service.url,
            GINKGO_TOPIC_NAMESPACE="bench.",
            GINKGO_REDIS_PREFIX=prefix,
            **settings,
        )
        import redis
        from django.core.management import call_command

        from ginkgo_site.devstack.cluster import FAST_NODES, process_env
        from trading.bus.config import BusConfig
        from trading.services.control import command_producers_close

        call_command("migrate", verbosity=0)
        call_command("kafka_topics", "--create", verbosity=0)
        stack.callback(command_producers_close)
        env = process_env(BusConfig.from_settings(), redis_service.url, prefix, **FAST_NODES)
        yield BenchStack(env, redis.Redis.from_url(redis_service.url), workdir, stack)


def portfolios_create(symbols_of: dict[str, list[str]], strategy: dict[str, Any]) -> None:
    """Create and start portfolios (id -> symbols) through the services, as the API does."""
    from decimal import Decimal

    from trading.services.portfolios import portfolio_create, portfolio_start

    for portfolio_id, symbols in symbols_of.items():
        data = {
            "name": portfolio_id,
            "symbols": symbols,
            "initial_capital": Decimal(1_000_000),
            "strategy": strategy,
        }
        portfolio_create(actor=None, portfolio_id=portfolio_id, data=data)
        portfolio_start(actor=None, portfolio_id=portfolio_id, reason="bench")


def runs_argument(parser: argparse.ArgumentParser, default: int) -> None:
    parser.add_argument("--runs", type=int, default=default, help="measured runs (median)")


def report(what: str, seconds: list[float], goal: float) -> str:
    """``what``: median, range and the goal, one line."""
    median = statistics.median(seconds)
    verdict = "meets" if median <= goal else "MISSES"
    return (
        f"{what}: median {median:.2f} s over {len(seconds)} runs "
        f"(min {min(seconds):.2f}, max {max(seconds):.2f}); goal <= {goal:g} s: {verdict}"
    )
