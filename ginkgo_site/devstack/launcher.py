"""Upstream: (entry point: make run -> python -m ginkgo_site.devstack.launcher)
Downstream: ginkgo_site.devstack, ginkgo_site.devstack.ports, ginkgo_site.devstack.supervisor, ginkgo_site.secret_files, ginkgo_site.stack_env
Role: `make run`: resolves services (given or embedded), prepares them, supervises the stack (each process's /metrics on a free port) and prints where everything is."""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ginkgo_site.devstack import (
    ServiceHandle,
    ServiceUnreachable,
    check_clickhouse,
    check_database,
    check_kafka,
    check_redis,
    start_postgres,
    start_redis,
    start_tansu,
)
from ginkgo_site.devstack.ports import free_port, free_ports
from ginkgo_site.devstack.supervisor import ProcessSpec, Supervisor
from ginkgo_site.secret_files import SECRET_KEY_FILE, secret_key_ensure, secret_write
from ginkgo_site.stack_env import stack_env_write

ROOT = Path(__file__).resolve().parents[2]
NODES = ("node-1", "node-2")
# The processes that serve their own /metrics (the api serves its own and the cluster's).
METRICS_PROCESSES = ("livecore", "notifications", *NODES)


# The variable naming each service, in the stack's environment and in var/stack.env.
SERVICE_VARS = {
    "database": "DATABASE_URL",
    "redis": "REDIS_URL",
    "kafka": "KAFKA_BOOTSTRAP_SERVERS",
    "clickhouse": "CLICKHOUSE_URL",
}
STACK_ENV_VARS = (
    *SERVICE_VARS.values(),
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "GINKGO_TOPIC_NAMESPACE",
    "GINKGO_REDIS_PREFIX",
)


@dataclass(frozen=True)
class Service:
    name: str
    url: str
    origin: str  # "given" (from the environment), "embedded" (spawned here) or "off"


class LaunchError(RuntimeError):
    """A reason the stack cannot start; printed as one line."""


def _embedded(handle: ServiceHandle, name: str | None = None) -> Service:
    pid = handle.process.pid if handle.process else "?"
    return Service(name or handle.name, handle.url, f"embedded, pid {pid}")


def _given(name: str, url: str, check: Callable[[str], float]) -> Service:
    try:
        check(url)
    except ServiceUnreachable as exc:
        raise LaunchError(str(exc)) from exc
    return Service(name, url, "given")


def _spawned(
    supervisor: Supervisor,
    start: Callable[[int], ServiceHandle],
    name: str | None = None,
    then: Callable[[], None] | None = None,
) -> Service:
    """Start an embedded service on a free port; the supervisor restarts it on that port."""
    port = free_port()
    handle = start(port)
    supervisor.adopt(handle, restart=lambda: start(port), then=then)
    return _embedded(handle, name)


def resolve_services(env: Mapping[str, str], var: Path, supervisor: Supervisor) -> list[Service]:
    """Use every service the environment names; spawn the embedded default for the others."""
    services = []
    if url := env.get("DATABASE_URL"):
        services.append(_given("database", url, check_database))
    else:
        start = partial(start_postgres, var / "postgres")
        services.append(_spawned(supervisor, start, "database"))

    redis = None
    if url := env.get("REDIS_URL"):
        try:
            redis = _given("redis", url, check_redis)
        except LaunchError as exc:
            print(f"note: {exc}; starting an embedded Redis instead")
    if redis is None:
        redis = _spawned(supervisor, partial(start_redis, var / "redis", persist=True))
    services.append(redis)

    if url := env.get("KAFKA_BOOTSTRAP_SERVERS"):
        services.append(_given("kafka", url, check_kafka))
    else:
        # The broker keeps its topics in memory: a restarted one gets them created again.
        topics = partial(
            _manage, sys.executable, supervisor.env, "creating the Kafka topics again",
            ["kafka_topics", "--create"],
        )  # fmt: skip
        services.append(_spawned(supervisor, partial(start_tansu, var / "kafka"), then=topics))

    if url := env.get("CLICKHOUSE_URL"):
        services.append(_given("clickhouse", url, check_clickhouse))
    else:
        services.append(Service("clickhouse", "", "off: bars and trades use the SQL database"))
    return services


def service_env(services: list[Service], environ: Mapping[str, str]) -> dict[str, str]:
    """The environment every process of the stack gets: the given one plus the services'."""
    env = {**environ, **{SERVICE_VARS[s.name]: s.url for s in services if s.url}}
    env.setdefault("CELERY_BROKER_URL", env["REDIS_URL"])
    return env


def stack_env_values(env: Mapping[str, str]) -> dict[str, str]:
    """What var/stack.env tells other commands: where the stack's services are."""
    return {name: env[name] for name in STACK_ENV_VARS if env.get(name)}


# The demo replay's pace: one daily bar (a trading day) per second.
REPLAY_SECONDS_PER_DAY = 1
# How long the demo replay waits for every demo portfolio to run: the nodes start, the
# scheduler (every 10 s in the demo) places them, the nodes start them.
AWAIT_RUNNING_SECONDS = 120


@dataclass(frozen=True)
class DemoLogin:
    """What seed_demo made: the bar files to replay, a login to print, and what the replay
    covers (seed_demo's "replay": symbols, first, last, days, resuming, next)."""

    bar_files: list[str]
    username: str
    password: str
    token: str
    replay: Mapping[str, Any] = field(default_factory=dict)


def _manage(python: str, env: Mapping[str, str], label: str, argv: list[str]) -> str:
    print(f"-- {label}", flush=True)
    done = subprocess.run(
        [python, str(ROOT / "manage.py"), *argv],
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise LaunchError(f"{label} failed: {lines[-1] if lines else 'no output'}")
    return done.stdout


def prepare(python: str, env: Mapping[str, str], var: Path) -> DemoLogin:
    """One-shot steps before the stack starts: schema, topics, static files, periodic tasks,
    and the demo (its bar files, six portfolios, an admin login)."""
    _manage(python, env, "migrating the database", ["migrate", "--noinput"])
    _manage(python, env, "creating Kafka topics", ["kafka_topics", "--create"])
    _manage(python, env, "collecting static files", ["collectstatic", "--noinput"])
    _manage(python, env, "declaring the periodic tasks", ["setup_periodic_tasks"])
    if env.get("CLICKHOUSE_URL"):
        _manage(python, env, "creating the ClickHouse schema", ["clickhouse_schema"])
    seeded = _manage(
        python, env, "seeding the demo", ["seed_demo", "--data-dir", str(var / "demo"), "--json"]
    )
    result = json.loads(seeded.strip().splitlines()[-1])
    # Kept for scripts and the README's walk-through: TOKEN=$(cat var/demo-token)
    secret_write(var / "demo-token", result["token"] + "\n")
    return DemoLogin(
        result["bar_files"],
        result["username"],
        result["password"],
        result["token"],
        result["replay"],
    )


def metrics_ports() -> dict[str, int]:
    """A free port for the /metrics of each process in METRICS_PROCESSES."""
    return dict(zip(METRICS_PROCESSES, free_ports(len(METRICS_PROCESSES)), strict=True))


def stack_processes(
    python: str, api_port: int, var: Path, demo: DemoLogin, metrics: Mapping[str, int]
) -> list[ProcessSpec]:
    """Every long-running process of the stack; ``metrics`` gives each process of
    METRICS_PROCESSES the port of its /metrics."""
    celery = [python, "-m", "celery", "-A", "ginkgo_site"]

    def command(name: str, *argv: str) -> ProcessSpec:
        """``manage.py argv`` serving its metrics on the port chosen for ``name``."""
        serve = ["--metrics-port", str(metrics[name])]
        return ProcessSpec(name, [python, str(ROOT / "manage.py"), *argv, *serve])

    return [
        ProcessSpec(
            "api",
            [
                python, "-m", "gunicorn", "ginkgo_site.wsgi",
                "--bind", f"127.0.0.1:{api_port}", "--workers", "2", "--threads", "4",
                "--access-logfile", "-", "--graceful-timeout", "5",
            ],
        ),
        ProcessSpec("beat", [*celery, "beat", "-l", "INFO", "-s", str(var / "celerybeat-schedule")]),
        ProcessSpec("worker", [*celery, "worker", "-l", "INFO", "--concurrency", "2", "-n", "worker@%h"]),
        # The demo's market data: real daily bars, one trading day per second, then
        # synthetic ticks that carry on from the last closes; resumed where the last run's
        # feed stopped (so a restart trades at once). It starts once every demo portfolio
        # runs (at most AWAIT_RUNNING_SECONDS): the first bar does not depend on start-up.
        command(
            "livecore",
            "run_livecore", "--source", "replay",
            "--files", *(str(path) for path in demo.bar_files),
            "--speed", str(REPLAY_SECONDS_PER_DAY), "--then-synthetic", "--rate", "20", "--resume",
            "--await-running", str(AWAIT_RUNNING_SECONDS),
        ),
        # Stores every notice and delivers it to the GINKGO_NOTIFY_SINKS (log by default).
        command("notifications", "run_notifications"),
        # Two execution nodes, running what the scheduler plans for them (nothing until it
        # plans something). Like every process, a node that crashes is restarted; one told to
        # stop (SIGTERM, SIGINT) leaves, and its portfolios move to the other.
        *(command(node, "run_node", "--node-id", node) for node in NODES),
    ]  # fmt: skip


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _short(argv: list[str]) -> str:
    return " ".join(Path(arg).name if arg.startswith("/") else arg for arg in argv[:7])


def replay_line(replay: Mapping[str, Any]) -> str:
    """The banner's word on the demo's market data: the replay's length and pace, and where
    it resumes when an earlier run got some way."""
    line = (
        f"replay: {len(replay['symbols'])} symbols, {replay['first']} .. {replay['last']}, "
        f"{replay['days']:,} trading days at {1 / REPLAY_SECONDS_PER_DAY:g} day/s, "
        "then synthetic ticks"
    )
    if not replay["resuming"]:
        return line
    return line + (f"; resuming at {replay['next']}" if replay["next"] else "; resuming the ticks")


def banner(
    services: list[Service],
    supervisor: Supervisor,
    api_port: int,
    demo: DemoLogin,
    metrics: Mapping[str, int],
) -> str:
    base = f"http://127.0.0.1:{api_port}"
    scraped = {"api": f"{base}/metrics    (and the cluster's: nodes, portfolios, scheduler)"}
    scraped |= {name: f"http://127.0.0.1:{port}/metrics" for name, port in metrics.items()}
    lines = [
        "",
        "Ginkgo Live is up",
        f"  API          {base}/api/    health {base}/api/health",
        f"  API docs     {base}/api/docs/",
        f"  admin        {base}/admin/",
        f"  dashboard    {base}/dashboard/",
        f"  demo login   {demo.username} / {demo.password}    API token {demo.token}",
        f"  try          curl -H 'Authorization: Token {demo.token}' {base}/api/portfolio/",
        *([f"  market data  {replay_line(demo.replay)}"] if demo.replay else []),
        "  services:",
        *(f"    {s.name:<13} {s.url or '-':<45} ({s.origin})" for s in services),
        "  processes:",
        *(f"    {r.spec.name:<13} pid {r.process.pid:<8} {_short(r.spec.argv)}" for r in supervisor.processes),
        "  metrics (Prometheus):",
        *(f"    {name:<13} {url}" for name, url in scraped.items()),
        "Press Ctrl+C to stop everything.",
        "",
    ]  # fmt: skip
    return "\n".join(lines)


@contextmanager
def var_dir(fresh: bool) -> Iterator[Path]:
    var = Path(os.environ.get("GINKGO_VAR_DIR", ROOT / "var"))
    if fresh and var.exists():
        shutil.rmtree(var)
    var.mkdir(parents=True, exist_ok=True)
    # The stack's SECRET_KEY, generated once: every process (and any other terminal's
    # manage.py) reads it from there, as the settings refuse the public dev key.
    secret_key_ensure(var / SECRET_KEY_FILE)
    yield var


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the whole Ginkgo Live stack on this machine.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("GINKGO_API_PORT", "8000")))
    parser.add_argument("--fresh", action="store_true", help="wipe var/ (database, Redis) first")
    args = parser.parse_args(argv)
    python = sys.executable
    with ExitStack() as stack:
        var = stack.enter_context(var_dir(args.fresh))
        # Owns every process and embedded service from here on, and stops them all at exit.
        supervisor = Supervisor()
        stack.callback(supervisor.stop_all)
        try:
            if not port_is_free(args.port):
                raise LaunchError(f"port {args.port} is taken: pass ARGS='--port N' to make run")
            services = resolve_services(os.environ, var, supervisor)
            env = {**service_env(services, os.environ), "GINKGO_VAR_DIR": str(var)}
            supervisor.env.update(env)
            stack_env = var / "stack.env"
            stack_env_write(stack_env, stack_env_values(env))
            stack.callback(stack_env.unlink, missing_ok=True)
            # A demo should show placements quickly; an explicit setting still wins.
            env.setdefault("GINKGO_SCHEDULE_INTERVAL", "10")
            demo = prepare(python, env, var)
        except (LaunchError, ServiceUnreachable) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        metrics = metrics_ports()
        for spec in stack_processes(python, args.port, var, demo, metrics):
            supervisor.start(spec)
        print(banner(services, supervisor, args.port, demo, metrics), flush=True)
        status = supervisor.wait()
        print("stopping everything ...", flush=True)
    print("stopped.")
    return status


if __name__ == "__main__":
    sys.exit(main())
