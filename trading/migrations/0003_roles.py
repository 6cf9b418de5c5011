"""The four roles as Django groups; their permissions live in trading.permissions.ROLE_PERMISSIONS."""

from django.db import migrations

# Frozen here: a migration must not change when the application code does.
ROLES = ("admin", "developer", "trader", "viewer")


def create_roles(apps, schema_editor):
    group = apps.get_model("auth", "Group")
    for name in ROLES:
        group.objects.get_or_create(name=name)


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("trading", "0002_audit_entry_backtest"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
