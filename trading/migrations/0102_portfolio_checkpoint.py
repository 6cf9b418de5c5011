# Portfolio checkpoints (issue #6): strategy and risk state saved by nodes for migration, reload and failover.

import django.core.serializers.json
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0101_merge_tmp_storage_dev"),
    ]

    operations = [
        migrations.CreateModel(
            name="PortfolioCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("run_epoch", models.PositiveIntegerField()),
                (
                    "version",
                    models.PositiveIntegerField(
                        help_text="the config version the state belongs to"
                    ),
                ),
                ("node_id", models.CharField(max_length=64)),
                ("reason", models.CharField(help_text="stop, reload, periodic", max_length=16)),
                (
                    "state",
                    models.JSONField(
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        help_text="PortfolioPipeline.checkpoint()",
                    ),
                ),
                (
                    "symbol_times",
                    models.JSONField(default=dict, help_text="symbol -> last update time read"),
                ),
                ("processed", models.BigIntegerField(default=0)),
                ("last_event_time", models.DateTimeField(blank=True, null=True)),
                ("saved_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                (
                    "portfolio",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="checkpoints",
                        to="trading.portfolio",
                    ),
                ),
            ],
            options={
                "ordering": ("-saved_at", "-id"),
                "indexes": [
                    models.Index(fields=["portfolio", "-saved_at"], name="checkpoint_latest")
                ],
            },
        ),
    ]
