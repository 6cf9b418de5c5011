"""Upstream: (entry point: pytest)
Downstream: (none)
Role: the configuration files stay true: .env.example lists every setting, compose is sound and takes its secrets from .env."""

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _settings_variables() -> set[str]:
    tree = ast.parse((ROOT / "ginkgo_site/settings.py").read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        # env.str(...), environ.Env().str(...): the settings' only way to read the environment
        and isinstance(node.func.value, ast.Name | ast.Call)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and re.fullmatch(r"[A-Z][A-Z0-9_]+", node.args[0].value)
    }


def test_env_example_lists_every_variable_the_settings_read() -> None:
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))

    missing = _settings_variables() - listed

    assert not missing, f".env.example lacks {sorted(missing)}"


def test_readme_configuration_table_lists_every_variable() -> None:
    readme = (ROOT / "README.md").read_text()

    missing = {name for name in _settings_variables() if f"`{name}`" not in readme}

    assert not missing, f"README lacks {sorted(missing)}"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_production_services(compose: dict) -> None:
    services = compose["services"]

    assert {"kafka", "postgres", "redis", "clickhouse", "api", "beat", "worker"} <= set(services)
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_compose_reuses_one_image_of_ours_configured_by_environment(compose: dict) -> None:
    ours = {n: s for n, s in compose["services"].items() if s.get("build") == "."}

    assert {"api", "beat", "worker", "init"} <= set(ours)
    assert {s["image"] for s in ours.values()} == {"ginkgo-live:latest"}
    for service in ours.values():
        env = service["environment"]
        assert {"DATABASE_URL", "REDIS_URL", "KAFKA_BOOTSTRAP_SERVERS", "CLICKHOUSE_URL"} <= set(
            env
        )
        assert "@kafka:" not in env["KAFKA_BOOTSTRAP_SERVERS"]  # host:port, not a URL


def test_prometheus_scrapes_livecore_and_every_node_on_the_port_they_serve(compose: dict) -> None:
    scrape = yaml.safe_load((ROOT / "deploy/prometheus.yml").read_text())
    ports = {
        job["job_name"]: config["port"]
        for job in scrape["scrape_configs"]
        for config in job.get("dns_sd_configs", [])
    }

    for service in ("livecore", "node"):
        served = compose["services"][service]["environment"]["GINKGO_METRICS_PORT"]
        assert ports[service] == int(served), service


@pytest.mark.parametrize(
    "secret", ["DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "GINKGO_METRICS_TOKEN"]
)
def test_compose_has_no_default_secret(secret: str) -> None:
    text = (ROOT / "docker-compose.yml").read_text()

    uses = re.findall(rf"\$\{{{secret}(:?[-?])?", text)

    assert uses, f"compose does not use {secret}"
    assert set(uses) == {":?"}, f"{secret} must come from .env, with no default"


def test_compose_publishes_no_prometheus_port(compose: dict) -> None:
    assert "ports" not in compose["services"]["prometheus"]
