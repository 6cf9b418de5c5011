"""Upstream: monitoring.collectors, monitoring.exposition, monitoring.notifications.dispatch, trading.bus.deadletter, trading.livecore.engine, trading.livecore.stats, trading.node.host, trading.node.telemetry
Downstream: (none)
Role: every Prometheus series of the stack, defined once for all processes, and start_metrics_server for processes without Django's /metrics.

Import-light on purpose (prometheus_client only): nodes, LiveCore, Celery workers and the api
all import these objects and update them where the event happens. Label values are ids
(portfolio, node, engine) and small closed sets (reasons, outcomes), never free text.
Counters are named without ``_total``: the client adds it on exposition.
"""

from prometheus_client import Counter, Gauge, Histogram, start_http_server

PORTFOLIO = ("portfolio_id",)
# Per-message processing: SPEC's target is < 100 ms, so the buckets bracket it closely.
PROCESSING_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
FILL_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# --- portfolios (ExecutionNode) ----------------------------------------------------------------
PORTFOLIO_UPDATES_ROUTED = Counter(
    "ginkgo_portfolio_updates_routed",
    "Price updates the router offered to the portfolio",
    PORTFOLIO,
)
PORTFOLIO_QUEUE_DEPTH = Gauge(
    "ginkgo_portfolio_queue_depth", "Updates waiting in the portfolio's bounded queue", PORTFOLIO
)
PORTFOLIO_DROPPED = Counter(
    "ginkgo_portfolio_dropped",
    "Updates the portfolio never processed, by reason "
    "(backpressure, conflated, stale, reload_buffer, drain)",
    ("portfolio_id", "reason"),
)
PORTFOLIO_PROCESSING_SECONDS = Histogram(
    "ginkgo_portfolio_processing_seconds",
    "Time to run one price update through the portfolio's pipeline",
    PORTFOLIO,
    buckets=PROCESSING_BUCKETS,
)
PORTFOLIO_SIGNALS = Counter(
    "ginkgo_portfolio_signals", "Signals the strategy (or a risk rule) emitted", PORTFOLIO
)
PORTFOLIO_ORDERS = Counter("ginkgo_portfolio_orders", "Orders the portfolio submitted", PORTFOLIO)
PORTFOLIO_FILLS = Counter("ginkgo_portfolio_fills", "Fills the portfolio booked", PORTFOLIO)
PORTFOLIO_RISK_BLOCKS = Counter(
    "ginkgo_portfolio_risk_blocks", "Orders a risk manager blocked", ("portfolio_id", "risk")
)
PORTFOLIO_ERRORS = Counter(
    "ginkgo_portfolio_errors",
    "Faults that put the portfolio in error, by kind (strategy, pipeline, start)",
    ("portfolio_id", "kind"),
)
PORTFOLIO_WAITS_EXPIRED = Counter(
    "ginkgo_portfolio_waits_expired",
    "Updates or reports handed over when the wait for what goes before them ran out, by what "
    "was missing (fills, market)",
    ("portfolio_id", "reason"),
)

# --- execution nodes (computed from Redis when the api is scraped: a dead node reports nothing)
NODE_HEARTBEAT_AGE = "ginkgo_node_heartbeat_age_seconds"
NODE_ALIVE = "ginkgo_node_alive"
NODE_PORTFOLIOS = "ginkgo_node_portfolios"
PORTFOLIOS_BY_STATUS = "ginkgo_portfolios"
LIVE_STATE_UP = "ginkgo_live_state_up"

# --- LiveCore -----------------------------------------------------------------------------------
LIVECORE_ORDERS = Counter(
    "ginkgo_livecore_orders",
    "Orders the LiveEngine took in, by outcome (accepted, rejected, duplicate)",
    ("engine_id", "outcome"),
)
LIVECORE_FILLS = Counter("ginkgo_livecore_fills", "Fills the gateway reported", ("engine_id",))
LIVECORE_FILL_LATENCY = Histogram(
    "ginkgo_livecore_fill_latency_seconds",
    "From the order's creation (event time) to its fill being recorded",
    ("engine_id",),
    buckets=FILL_BUCKETS,
)
DEAD_LETTERS = Counter(
    "ginkgo_dead_letters", "Messages parked on the dead-letter topic, by source topic", ("topic",)
)

# --- scheduler (computed from the database's runs when the api is scraped: the runs happen in
# Celery worker children, which serve no /metrics)
SCHEDULER_RUNS = "ginkgo_scheduler_runs"
SCHEDULER_MOVES = "ginkgo_scheduler_moves"
SCHEDULER_FAILOVERS = "ginkgo_scheduler_failovers"
SCHEDULER_RECORD_UP = "ginkgo_scheduler_record_up"

# --- notification service ------------------------------------------------------------------------
NOTICES = Counter("ginkgo_notices", "Notices received, by kind and level", ("kind", "level"))
NOTICE_DELIVERIES = Counter(
    "ginkgo_notice_deliveries",
    "Notice deliveries per sink, by outcome (sent, failed, grouped, rate_limited, below_level)",
    ("sink", "outcome"),
)


# Every family labelled by portfolio: a node that lets a portfolio go removes its series, so a
# portfolio that moved is reported by the node that runs it only.
PORTFOLIO_FAMILIES = (
    PORTFOLIO_UPDATES_ROUTED,
    PORTFOLIO_QUEUE_DEPTH,
    PORTFOLIO_DROPPED,
    PORTFOLIO_PROCESSING_SECONDS,
    PORTFOLIO_SIGNALS,
    PORTFOLIO_ORDERS,
    PORTFOLIO_FILLS,
    PORTFOLIO_RISK_BLOCKS,
    PORTFOLIO_ERRORS,
    PORTFOLIO_WAITS_EXPIRED,
)


def forget_portfolio(portfolio_id: str) -> None:
    """Remove every series of ``portfolio_id`` from this process (it runs elsewhere now)."""
    for family in PORTFOLIO_FAMILIES:
        family.remove_by_labels({"portfolio_id": portfolio_id})


def start_metrics_server(port: int, addr: str = "127.0.0.1") -> int:
    """Serve this process's metrics at http://addr:port/metrics on a daemon thread; port 0
    takes a free port. Returns the port (print it: Prometheus or a person needs it)."""
    server, _thread = start_http_server(port, addr)
    return int(server.server_port)
