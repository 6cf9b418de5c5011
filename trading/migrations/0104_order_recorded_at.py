# Orders get their wall-clock recording time (issue #14): the summary's orders per minute
# counted event times, years old in a replay. Both recording times are indexed for it.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0103_feed_mark"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="recorded_at",
            field=models.DateTimeField(
                auto_now_add=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
        # When orders already stored were recorded is unknown; their event time is the best
        # guess and, unlike the migration's own time, does not count them all as new.
        migrations.RunSQL(
            "UPDATE trading_order SET recorded_at = created_at", migrations.RunSQL.noop
        ),
        migrations.AlterField(
            model_name="fill",
            name="recorded_at",
            field=models.DateTimeField(auto_now_add=True, db_index=True),
        ),
    ]
