"""Upstream: (Django command discovery)
Downstream: ginkgo_site.service_checks, trading.core.backtest.compare, trading.core.errors, trading.core.ports, trading.services.portfolio_verify
Role: `manage.py portfolio_verify ID [--json]`: the paper twin of one portfolio: its live fills against the replay of its live history, fill by fill."""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from trading.core.backtest.compare import fill_text
from trading.core.errors import CoreError
from trading.core.ports import StoreUnavailable
from trading.services.portfolio_verify import Verification, portfolio_verify


class Command(ServiceCommand):
    help = (
        "Replay a portfolio's live history over the stored bars (each configuration version "
        "over the bars it ran on) and compare its fills with the recorded ones."
    )
    services = ("database", "clickhouse")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("portfolio_id")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            verification = portfolio_verify(portfolio_id=options["portfolio_id"])
        except (ObjectDoesNotExist, CoreError, StoreUnavailable) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(verification.to_dict()))
        else:
            self.stdout.write(_summary(verification))


def _summary(verification: Verification) -> str:
    name = verification.portfolio_id
    if not verification.spans:
        return f"{name}: no live history yet (it has handled no price update)"
    comparison = verification.comparison
    lines = [
        f"{name}: {'equal' if comparison.equal else 'DIVERGED'}: {comparison.live} live "
        f"fill(s), {comparison.replayed} replayed, {comparison.matched} matching, up to "
        f"{verification.until.isoformat() if verification.until else 'no stored bar'}"
    ]
    lines += [
        f"  v{replayed.span.version}: {replayed.span.first_event_time.isoformat()} .. "
        f"{replayed.span.last_event_time.isoformat()} ({replayed.bars} bars)"
        for replayed in verification.spans
    ]
    divergence = comparison.divergence
    if divergence is not None:
        lines.append(f"  first divergence, fill {divergence.index + 1}:")
        lines.append(f"    live     {fill_text(divergence.live)}")
        lines.append(f"    replayed {fill_text(divergence.replayed)}")
    return "\n".join(lines)
