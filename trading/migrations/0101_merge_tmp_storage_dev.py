# Merge of 0100_storage (issue #8, which depends on 0001 only) with 0003_roles. Added by the
# storage work so the migration graph stayed usable for everyone meanwhile; 0102 depends on it,
# so it is kept (the lead may fold it into the planned merge migration).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("trading", "0003_roles"), ("trading", "0100_storage")]
    operations = []
