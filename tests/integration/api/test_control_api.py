"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack, tests.integration.api.factories, trading.bus.messages, trading.bus.topics, trading.models, trading.redis_store
Role: control actions publish SPEC.md control commands on the real broker; live state is read from the real Redis."""

import json

import pytest
from django.test import override_settings

from ginkgo_site.devstack import free_port
from tests.integration.api.factories import client_for, command_for, make_portfolio
from trading import models
from trading.bus.messages import CommandType
from trading.bus.topics import CONTROL_COMMANDS
from trading.redis_store import engine_status_key, portfolio_status_key

pytestmark = pytest.mark.django_db


def test_start_wants_the_portfolio_running_and_publishes_start_with_its_config(
    record, django_capture_on_commit_callbacks
):
    make_portfolio("alpha")
    commands = record(CONTROL_COMMANDS)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("trader").post(
            "/api/portfolio/alpha/start", {"reason": "open"}, format="json"
        )

    assert response.status_code == 200
    assert response.json()["desired_state"] == "running"
    start = command_for(commands, CommandType.PORTFOLIO_START, "alpha")
    assert (start.version, start.reason) == (1, "open")
    assert start.config["symbols"] == ["AAPL", "MSFT"]


def test_stop_wants_the_portfolio_stopped_and_publishes_stop(
    record, django_capture_on_commit_callbacks
):
    make_portfolio("alpha", running=True)
    commands = record(CONTROL_COMMANDS)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("trader").post("/api/portfolio/alpha/stop")

    assert response.json()["desired_state"] == "stopped"
    assert command_for(commands, CommandType.PORTFOLIO_STOP, "alpha").version == 1


def test_reload_of_a_running_portfolio_publishes_its_current_version(
    record, django_capture_on_commit_callbacks
):
    make_portfolio("alpha", running=True)
    commands = record(CONTROL_COMMANDS)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("trader").post("/api/portfolio/alpha/reload")

    assert response.status_code == 200
    assert command_for(commands, CommandType.PORTFOLIO_RELOAD, "alpha").version == 1


def test_reload_of_a_stopped_portfolio_is_a_409_and_publishes_nothing(
    django_capture_on_commit_callbacks,
):
    make_portfolio("alpha")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for("trader").post("/api/portfolio/alpha/reload")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert callbacks == []


def test_control_of_an_unknown_portfolio_is_a_404():
    response = client_for("trader").post("/api/portfolio/ghost/start")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("path", "command_type"),
    [
        ("/api/engine/start", CommandType.ENGINE_START),
        ("/api/engine/stop", CommandType.ENGINE_STOP),
    ],
)
def test_engine_command_is_published_for_the_engine(record, path, command_type):
    commands = record(CONTROL_COMMANDS)

    response = client_for("trader").post(
        path, {"engine_id": "paper", "reason": "maintenance"}, format="json"
    )

    assert response.status_code == 202
    assert response.json()["command_type"] == command_type
    command = command_for(commands, command_type, "paper")
    assert command.reason == "maintenance"
    assert command.config is None and command.version is None


def test_engine_command_defaults_to_the_paper_engine(record):
    commands = record(CONTROL_COMMANDS)

    response = client_for("trader").post("/api/engine/stop")

    assert response.json()["target_id"] == "paper"
    command_for(commands, CommandType.ENGINE_STOP, "paper")


def test_engine_command_to_an_unreachable_broker_is_a_503_and_audited_as_failed(
    settings, topic_namespace
):
    settings.KAFKA_BOOTSTRAP_SERVERS = f"127.0.0.1:{free_port()}"
    settings.GINKGO_COMMAND_TIMEOUT = 0.5

    response = client_for("trader").post("/api/engine/start")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    entry = models.AuditEntry.objects.get(action="engine.start")
    assert entry.outcome == "failed"
    assert "not acknowledged" in entry.error


def test_engine_status_comes_from_redis(redis_client):
    redis_client.hset(engine_status_key("paper"), mapping={"status": "running", "orders": 3})

    response = client_for("viewer").get("/api/engine/status?engine_id=paper")

    assert response.status_code == 200
    assert response.json() == {
        "engine_id": "paper",
        "live": {"status": "running", "orders": "3"},
    }


def test_engine_that_never_reported_has_no_live_status(redis_prefix):
    response = client_for("viewer").get("/api/engine/status?engine_id=elsewhere")

    assert response.json() == {"engine_id": "elsewhere", "live": None}


def test_unreachable_redis_is_a_503(redis_prefix):
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        response = client_for("viewer").get("/api/engine/status")

    assert response.status_code == 503
    assert "engine:paper:status" in response.json()["error"]["message"]


def test_portfolio_status_lists_the_live_spans_and_where_live_began(redis_client):
    make_portfolio("alpha", running=True)
    spans = [
        {"version": 1, "first_event_time": "2010-01-04T00:00:00+00:00",
         "last_event_time": "2010-03-01T00:00:00+00:00"},
        {"version": 2, "first_event_time": "2010-03-02T00:00:00+00:00",
         "last_event_time": "2010-03-05T00:00:00+00:00"},
    ]  # fmt: skip
    redis_client.hset(
        portfolio_status_key("alpha"),
        mapping={
            "status": "running",
            "first_event_time": "2010-03-02T00:00:00+00:00",
            "last_event_time": "2010-03-05T00:00:00+00:00",
            "spans": json.dumps(spans),
        },
    )

    live = client_for("viewer").get("/api/portfolio/alpha/status").json()["live"]

    assert live["first_event_time"] == "2010-03-02T00:00:00+00:00"
    assert live["last_event_time"] == "2010-03-05T00:00:00+00:00"
    assert live["spans"] == spans


def test_portfolio_status_joins_the_desired_state_and_the_live_hash(redis_client):
    make_portfolio("alpha", running=True)
    redis_client.hset(portfolio_status_key("alpha"), mapping={"status": "running", "node": "n1"})

    body = client_for("viewer").get("/api/portfolio/alpha/status").json()

    assert body == {
        "portfolio_id": "alpha",
        "desired_state": "running",
        "version": 1,
        "live": {"status": "running", "node": "n1"},
    }
