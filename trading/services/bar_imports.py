"""Upstream: trading.apis.data, trading.management.commands.import_bars, trading.storage.tasks
Downstream: trading.core.errors, trading.core.ports, trading.models, trading.storage.bar_files, trading.storage.intervals, trading.storage.stores, trading.storage.tasks
Role: bar imports into the configured BarStore: a file at once (the import_bars command), or an upload as a job row run by a Celery task with its progress stored."""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from trading import models
from trading.core.errors import DataError
from trading.core.ports import DAILY, StoreUnavailable
from trading.storage.bar_files import DEFAULT_BATCH, bar_file_import, data_rows
from trading.storage.intervals import Interval
from trading.storage.stores import bar_store

logger = logging.getLogger(__name__)

UPLOAD_DIRECTORY = "imports"
# A running job writes its progress at most this often (seconds).
PROGRESS_EVERY = 1.0


@dataclass(frozen=True, slots=True)
class BarsImported:
    store: str
    rows: int


def bars_import(
    *,
    path: Path,
    symbol: str | None = None,
    interval: str = DAILY,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Callable[[int], None] | None = None,
    on_bad: Callable[[DataError], None] | None = None,
) -> BarsImported:
    """Import a CSV file of bars into the configured bar store (see bar_file_import: bad
    rows stop it, or are handed to ``on_bad`` and skipped)."""
    interval = _valid_interval(interval)
    store = bar_store()
    rows = bar_file_import(
        store,
        path,
        symbol=symbol,
        interval=interval,
        batch_size=batch_size,
        on_progress=on_progress,
        on_bad=on_bad,
    )
    return BarsImported(store.name, rows)


def bar_import_create(
    *,
    actor: AbstractBaseUser | None,
    upload: UploadedFile,
    symbol: str = "",
    interval: str = DAILY,
) -> models.BarImport:
    """Keep the upload under VAR_DIR/imports and queue its import (runs after the commit)."""
    interval = _valid_interval(interval)
    file_name = Path(upload.name or "bars.csv").name
    symbol = symbol or Path(file_name).stem
    if not symbol or len(symbol) > 32:
        raise ValidationError({"symbol": ["give a symbol of 1 to 32 characters"]})
    directory = Path(settings.VAR_DIR) / UPLOAD_DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}.csv"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job = models.BarImport.objects.create(
        file_name=file_name,
        path=str(path),
        symbol=symbol,
        interval=interval,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    # Imported here: the task module imports this one.
    from trading.storage.tasks import bar_import_task

    transaction.on_commit(lambda: bar_import_task.delay(job.pk))
    return job


def bar_import_get(*, import_id: int) -> models.BarImport | None:
    """The import job, None if there is none."""
    return models.BarImport.objects.filter(pk=import_id).select_related("created_by").first()


def bar_import_run(*, import_id: int) -> models.BarImport:
    """Run a queued import, storing its progress as it goes; bad rows or an unavailable
    store end it as failed with the reason (the upload is removed either way)."""
    job = models.BarImport.objects.get(pk=import_id)
    path = Path(job.path)
    job.status = models.JobStatus.RUNNING
    job.started_at = timezone.now()
    try:
        job.rows_total = data_rows(path)
        job.save(update_fields=["status", "started_at", "rows_total"])
        imported = bars_import(
            path=path,
            symbol=job.symbol,
            interval=job.interval,
            on_progress=_progress_saver(job.pk),
        )
        job.store, job.rows_done = imported.store, imported.rows
        job.status = models.JobStatus.DONE
    except (DataError, StoreUnavailable, OSError) as exc:
        job.error = str(exc).replace(str(path), job.file_name)
        job.status = models.JobStatus.FAILED
    finally:
        path.unlink(missing_ok=True)
    job.finished_at = timezone.now()
    job.save()
    return job


def _progress_saver(import_id: int) -> Callable[[int], None]:
    done = 0
    saved_at = time.monotonic()

    def advance(count: int) -> None:
        nonlocal done, saved_at
        done += count
        if time.monotonic() - saved_at >= PROGRESS_EVERY:
            saved_at = time.monotonic()
            models.BarImport.objects.filter(pk=import_id).update(rows_done=done)

    return advance


def _valid_interval(interval: str) -> str:
    try:
        return str(Interval.parse(interval))
    except ValueError as exc:
        raise ValidationError({"interval": [str(exc)]}) from None
