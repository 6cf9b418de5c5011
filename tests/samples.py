"""Upstream: (entry point: pytest; shared by the metrics tests)
Downstream: (none)
Role: Prometheus samples for tests: a baseline of this process's registry (counters are process-global, so tests assert deltas) and the samples of a scraped /metrics page."""

import urllib.request
from collections.abc import Iterable

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

Key = tuple[str, frozenset[tuple[str, str]]]


def _key(name: str, labels: dict[str, str]) -> Key:
    return name, frozenset(labels.items())


def _index(samples: Iterable[Sample]) -> dict[Key, float]:
    return {_key(s.name, s.labels): s.value for s in samples}


def sample(name: str, **labels: str) -> float | None:
    """A sample of this process's registry now; None when the series does not exist."""
    return REGISTRY.get_sample_value(name, labels)


class Baseline:
    """This process's samples when it was made; :meth:`delta` says what changed since."""

    def __init__(self) -> None:
        self._values = _index(s for family in REGISTRY.collect() for s in family.samples)

    def delta(self, name: str, **labels: str) -> float:
        """How much the sample grew (a series that is gone counts as 0 now)."""
        now = sample(name, **labels) or 0.0
        return now - self._values.get(_key(name, labels), 0.0)


def scrape(url: str) -> dict[Key, float]:
    """Every sample a /metrics page serves, by (name, labels)."""
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    return _index(s for family in text_string_to_metric_families(text) for s in family.samples)


def value(samples: dict[Key, float], name: str, **labels: str) -> float | None:
    """One sample of a scrape; None when it was not served."""
    return samples.get(_key(name, labels))


def labelled(samples: dict[Key, float], label: str, wanted: str) -> set[str]:
    """The names of the samples that carry ``label=wanted``."""
    return {name for name, labels in samples if (label, wanted) in labels}
