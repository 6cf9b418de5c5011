"""Upstream: monitoring.views
Downstream: monitoring.metrics, monitoring.selectors, scheduling.models, scheduling.placement, scheduling.plans
Role: series computed whenever the api's /metrics is scraped: LiveStateCollector (nodes and portfolios, from Redis and the record) and SchedulerRecordCollector (scheduling runs, moves and failovers, from the database's runs)."""

import logging
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import DatabaseError
from django.db.models import Count, QuerySet
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from monitoring.metrics import (
    LIVE_STATE_UP,
    NODE_ALIVE,
    NODE_HEARTBEAT_AGE,
    NODE_PORTFOLIOS,
    PORTFOLIOS_BY_STATUS,
    SCHEDULER_FAILOVERS,
    SCHEDULER_MOVES,
    SCHEDULER_RECORD_UP,
    SCHEDULER_RUNS,
)
from monitoring.selectors import live_overview
from scheduling.models import SchedulingRun
from scheduling.placement import Move, MoveReason
from scheduling.plans import failovers

logger = logging.getLogger(__name__)

# A run is counted for good once it finished this long ago: it must be committed (and the
# writer's clock agree with the api's) within that time, or it would be missed.
SETTLE = timedelta(minutes=10)


def _up(name: str, documentation: str, ok: bool) -> GaugeMetricFamily:
    up = GaugeMetricFamily(name, documentation)
    up.add_metric([], 1.0 if ok else 0.0)
    return up


class LiveStateCollector(Collector):
    """The cluster as an observer sees it: a dead node cannot report its own heartbeat age,
    so the api computes these series at scrape time (register it in the api only)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        documentation = "1 when Redis and the database could be read for this scrape"
        try:
            live = live_overview()
        except DatabaseError as exc:
            logger.warning("live state left out of /metrics: the database failed (%s)", exc)
            yield _up(LIVE_STATE_UP, documentation, False)
            return
        age = GaugeMetricFamily(
            NODE_HEARTBEAT_AGE, "Seconds since the node's last heartbeat", labels=["node_id"]
        )
        alive = GaugeMetricFamily(
            NODE_ALIVE, "1 while the node's heartbeat key exists", labels=["node_id"]
        )
        hosted = GaugeMetricFamily(
            NODE_PORTFOLIOS, "Portfolios the node runs (else: is assigned)", labels=["node_id"]
        )
        for view in live.nodes:
            node_id = view.node.node_id
            if view.heartbeat_age is not None:
                age.add_metric([node_id], view.heartbeat_age)
            alive.add_metric([node_id], 1.0 if view.alive else 0.0)
            hosted.add_metric([node_id], len(live.hosted(view)))
        by_status = GaugeMetricFamily(
            PORTFOLIOS_BY_STATUS, "Portfolios by live status", labels=["status"]
        )
        for status, count in sorted(Counter(map(live.status_of, live.desired)).items()):
            by_status.add_metric([status], count)
        yield from (age, alive, hosted, by_status)
        yield _up(LIVE_STATE_UP, documentation, live.error is None)


@dataclass(frozen=True)
class SchedulerTally:
    """Finished scheduling runs by (trigger, outcome), their moves by reason, and the dead
    nodes whose portfolios they placed elsewhere."""

    runs: Counter[tuple[str, str]] = field(default_factory=Counter)
    moves: Counter[str] = field(default_factory=Counter)
    failovers: int = 0

    def __add__(self, other: "SchedulerTally") -> "SchedulerTally":
        return SchedulerTally(
            self.runs + other.runs, self.moves + other.moves, self.failovers + other.failovers
        )


def scheduler_tally(runs: QuerySet[SchedulingRun]) -> SchedulerTally:
    """Count ``runs`` (finished ones) in SQL by trigger and outcome, and count the moves and
    failovers of those that moved something (usually few) from their recorded moves."""
    by_outcome = runs.order_by().values_list("trigger", "outcome").annotate(count=Count("pk"))
    moved = runs.order_by().filter(moves_count__gt=0).values_list("moves", flat=True)
    moves: Counter[str] = Counter()
    failed_over = 0
    for recorded in moved:
        moves.update(move["reason"] for move in recorded)
        failed_over += len(failovers(_orphaned(recorded)))
    return SchedulerTally(Counter({(t, o): n for t, o, n in by_outcome}), moves, failed_over)


def _orphaned(recorded: Iterable[Mapping[str, str | None]]) -> Iterator[Move]:
    """The recorded moves of portfolios whose node died or vanished, as placement made them."""
    for move in recorded:
        if move["reason"] == MoveReason.ORPHANED:
            pid = str(move["portfolio_id"])
            yield Move(pid, move["from_node"], move["to_node"], MoveReason.ORPHANED)


class SchedulerRecordCollector(Collector):
    """ginkgo_scheduler_* from the SchedulingRun rows: every run (a Celery worker's, the
    api's, a command's) is one, so the api reports them all (register it in the api only).

    A finished run never changes, so runs that finished more than ``settle`` ago are counted
    once per process and kept; each scrape counts only the runs finished since (a range on
    the finished_at index: a few dozen rows) and, every ``settle``, moves those to the kept
    tally. A database failure leaves the counters out of the scrape (never reports a drop)
    and sets ginkgo_scheduler_record_up to 0.
    """

    def __init__(self, settle: timedelta = SETTLE) -> None:
        self._settle = settle
        self._lock = threading.Lock()  # gunicorn's threads may scrape at once
        self._settled = SchedulerTally()
        self._cutoff: datetime | None = None

    def collect(self) -> Iterator[Metric]:
        runs = CounterMetricFamily(
            SCHEDULER_RUNS, "Scheduling runs, by trigger and outcome", labels=["trigger", "outcome"]
        )
        moves = CounterMetricFamily(
            SCHEDULER_MOVES, "Portfolio moves the runs made, by reason", labels=["reason"]
        )
        failed_over = CounterMetricFamily(
            SCHEDULER_FAILOVERS, "Dead nodes whose portfolios a run placed elsewhere"
        )
        try:
            tally = self._tally()
        except DatabaseError as exc:
            logger.warning("scheduler series left out of /metrics: the database failed (%s)", exc)
            tally = None
        else:
            for (trigger, outcome), count in sorted(tally.runs.items()):
                runs.add_metric([trigger, outcome], count)
            for reason, count in sorted(tally.moves.items()):
                moves.add_metric([reason], count)
            failed_over.add_metric([], tally.failovers)
        yield from (runs, moves, failed_over)
        yield _up(
            SCHEDULER_RECORD_UP,
            "1 when the scheduling runs could be read from the database for this scrape",
            tally is not None,
        )

    def _tally(self) -> SchedulerTally:
        finished = SchedulingRun.objects.filter
        with self._lock:
            cutoff = timezone.now() - self._settle
            if self._cutoff is None:
                self._settled = scheduler_tally(finished(finished_at__lt=cutoff))
                self._cutoff = cutoff
            elif cutoff - self._cutoff >= self._settle:
                window = finished(finished_at__gte=self._cutoff, finished_at__lt=cutoff)
                self._settled += scheduler_tally(window)
                self._cutoff = cutoff
            return self._settled + scheduler_tally(finished(finished_at__gte=self._cutoff))
