# Feed marks (issue #14): how far LiveCore's market feed got per symbol, so a restart carries on.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0102_portfolio_checkpoint"),
    ]

    operations = [
        migrations.CreateModel(
            name="FeedMark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "market",
                    models.CharField(
                        choices=[
                            ("default", "default"),
                            ("us", "US"),
                            ("hk", "HK"),
                            ("futures", "futures"),
                        ],
                        max_length=16,
                    ),
                ),
                ("symbol", models.CharField(max_length=32)),
                ("time", models.DateTimeField(help_text="event time of the last update")),
                (
                    "price",
                    models.DecimalField(
                        decimal_places=8, help_text="a bar's close or a tick's price", max_digits=24
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("market", "symbol"), name="unique_feed_mark")
                ],
            },
        ),
    ]
