"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack, trading.livecore.status, trading.redis_store
Role: the engine status in Redis: a write that fails is not fatal and is made once Redis answers again."""

from ginkgo_site.devstack import free_port
from trading.livecore.status import EngineStatus
from trading.redis_store import engine_status_key


def test_a_failed_status_write_is_kept_and_made_by_the_next_write(
    settings, redis_client, redis_url
):
    status = EngineStatus("e1")
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    failed = status.write({"status": "running", "orders": 3})
    settings.REDIS_URL = redis_url
    written = status.write({"fills": 2})

    assert (failed, written) == (False, True)
    assert redis_client.hgetall(engine_status_key("e1")) == {
        b"status": b"running",
        b"orders": b"3",
        b"fills": b"2",
    }


def test_reading_an_unreachable_redis_gives_no_data(settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    assert EngineStatus("e1").read() == {}
