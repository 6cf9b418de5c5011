# Storage tiers (issue #8): the SQL bar store, the trade mirror's progress, bar import jobs.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The trade mirror reads fills past its high-water mark in (recorded_at, fill_id) order. The
# index is plain SQL so the Fill model (owned elsewhere) keeps its state; both PostgreSQL and
# SQLite accept this statement.
FILL_RECORDED_INDEX = "trading_fill_recorded_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MirrorProgress",
            fields=[
                ("name", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("recorded_at", models.DateTimeField(blank=True, null=True)),
                ("fill_id", models.CharField(blank=True, max_length=128)),
                ("mirrored", models.BigIntegerField(default=0, help_text="fills copied so far")),
                ("last_run_at", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
            ],
            options={
                "verbose_name_plural": "mirror progress",
            },
        ),
        migrations.CreateModel(
            name="Bar",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("symbol", models.CharField(max_length=32)),
                ("interval", models.CharField(default="1d", max_length=8)),
                ("time", models.DateTimeField()),
                ("open", models.DecimalField(decimal_places=8, max_digits=24)),
                ("high", models.DecimalField(decimal_places=8, max_digits=24)),
                ("low", models.DecimalField(decimal_places=8, max_digits=24)),
                ("close", models.DecimalField(decimal_places=8, max_digits=24)),
                ("volume", models.DecimalField(decimal_places=8, max_digits=24)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("symbol", "interval", "time"), name="unique_bar"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="BarImport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("file_name", models.CharField(max_length=200)),
                (
                    "path",
                    models.CharField(
                        help_text="where the upload waits for the worker", max_length=500
                    ),
                ),
                ("symbol", models.CharField(max_length=32)),
                ("interval", models.CharField(default="1d", max_length=8)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "queued"),
                            ("running", "running"),
                            ("done", "done"),
                            ("failed", "failed"),
                        ],
                        db_index=True,
                        default="queued",
                        max_length=8,
                    ),
                ),
                (
                    "store",
                    models.CharField(
                        blank=True, help_text="the bar store written to", max_length=16
                    ),
                ),
                ("rows_total", models.BigIntegerField(blank=True, null=True)),
                ("rows_done", models.BigIntegerField(default=0)),
                ("error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ("-created_at", "-id"),
            },
        ),
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {FILL_RECORDED_INDEX} ON trading_fill (recorded_at, fill_id)",
            f"DROP INDEX IF EXISTS {FILL_RECORDED_INDEX}",
        ),
    ]
