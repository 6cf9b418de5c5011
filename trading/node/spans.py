"""Upstream: trading.node.host, trading.node.processor, trading.services.portfolio_verify
Downstream: (none)
Role: live spans: per configuration version, the first and last price update a portfolio handled live; kept in its checkpoints beside the pipeline's state."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Where a checkpoint's state keeps the spans, beside the pipeline's own keys.
SPANS_KEY = "live_spans"


@dataclass(frozen=True, slots=True)
class LiveSpan:
    """The price updates a portfolio handled live under one configuration version: the event
    times of the first and the last. A reload to a new version starts the next span; a
    restart, migration or failover of the same version carries the span on."""

    version: int
    first_event_time: datetime
    last_event_time: datetime

    def to_json(self) -> dict[str, str | int]:
        """JSON-ready, times in ISO 8601."""
        return {
            "version": self.version,
            "first_event_time": self.first_event_time.isoformat(),
            "last_event_time": self.last_event_time.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "LiveSpan":
        """The span :meth:`to_json` wrote."""
        return cls(
            int(data["version"]),
            datetime.fromisoformat(data["first_event_time"]),
            datetime.fromisoformat(data["last_event_time"]),
        )


def with_spans(state: Mapping[str, Any], spans: Iterable[LiveSpan]) -> dict[str, Any]:
    """A checkpoint's state carrying ``spans``."""
    return {**state, SPANS_KEY: [span.to_json() for span in spans]}


def spans_of(state: Mapping[str, Any]) -> tuple[LiveSpan, ...]:
    """The spans a checkpoint's state carries, oldest first (none in older checkpoints)."""
    return tuple(LiveSpan.from_json(span) for span in state.get(SPANS_KEY, ()))
